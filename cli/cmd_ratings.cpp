// yilian ratings: 好差评 statistics of a store, by matter and by department
// (国办发〔2019〕51号: counts per grade, the bad-rating rate, follow-ups on time).
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace cmd_ratings {

struct RatingsOptions {
  std::string db;
  std::string chain;
  bool json = false;
};

std::string percent(int part, int whole) {
  return whole ? fmt::format("{:.1f}%", 100.0 * part / whole) : std::string("-");
}

void print_rows(const std::vector<RatingRow>& rows, bool by_matter) {
  std::printf("  %s %5s %5s %5s %5s %5s %6s %7s %8s %9s %8s\n", pad(by_matter ? "Matter" : "Department", 36).c_str(),
              "1", "2", "3", "4", "5", "Bad", "Aside", "Follow", "On time", "Overdue");
  for (const RatingRow& r : rows) {
    std::string what = by_matter ? (r.matter.empty() ? fmt::format("{} (whole case)", r.chain)
                                                     : fmt::format("{} · {}", r.chain, r.matter))
                                 : fmt::format("{} ({})", r.name, r.department);
    std::printf("  %s %5d %5d %5d %5d %5d %6s %7d %8d %9s %8d\n", pad(what, 36).c_str(), r.grades[0], r.grades[1],
                r.grades[2], r.grades[3], r.grades[4], percent(r.bad(), r.total()).c_str(), r.set_aside, r.follow_ups,
                fmt::format("{}/{}", r.rectified_on_time, r.follow_ups).c_str(), r.overdue);
  }
}

void run(const RatingsOptions& o) {
  auto records = open_records(o.db);
  if (!records) return;
  auto stats = records->rating_stats(o.chain);
  if (!stats) return report(stats.status());
  if (o.json) return print_json(ratings_document(*stats));
  if (stats->matters.empty()) {
    std::printf("No ratings yet%s (%s).\n", o.chain.empty() ? "" : fmt::format(" for {}", o.chain).c_str(),
                stats->today.to_string().c_str());
    return;
  }
  std::printf("好差评 as of %s (grades 1 非常不满意 … 5 非常满意; Bad: grades 1–2 of all; Aside: set aside on appeal;\n"
              "On time: follow-ups rectified by their due day; Overdue: a call-back or rectification past due today)\n\n",
              stats->today.to_string().c_str());
  std::printf("By matter\n");
  print_rows(stats->matters, true);
  std::printf("\nBy department\n");
  print_rows(stats->departments, false);
}

}  // namespace cmd_ratings

void add_ratings(CLI::App& app) {
  using namespace cmd_ratings;  // this command's options and helpers
  auto o = std::make_shared<RatingsOptions>();
  auto* cmd = app.add_subcommand("ratings", "好差评 statistics: grades, bad-rating rate and follow-ups, by matter and department");
  add_db_option(*cmd, o->db);
  cmd->add_option("--chain", o->chain, "Only the cases of this chain id");
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer(
      "Ratings are given with `yilian case rate`; a grade of 1 or 2 opens a follow-up (call-back,\n"
      "rectification, appeal) recorded with `yilian case follow-up`. A rating set aside on appeal\n"
      "counts apart from the grades.\n"
      "Examples:\n  yilian ratings --db cases.db\n  yilian ratings --db cases.db --chain hotel-restaurant --json");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
