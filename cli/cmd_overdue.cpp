// yilian overdue: the yellow and red limits of running cases, by department
// (督办: what to chase today).
#include <fmt/format.h>

#include <map>

#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace cmd_overdue {

struct OverdueOptions {
  std::string db;
  std::string since;  ///< revocations from this day; empty: the last 30 days
  bool json = false;
};

/// 告知承诺: results revoked after a failed verification, newest first.
void print_revocations(const std::vector<Revocation>& revoked, Date since) {
  if (revoked.empty()) return;
  std::printf("\nRevoked after a failed verification (告知承诺) since %s:\n", since.to_string().c_str());
  for (const auto& r : revoked) {
    std::printf("  %s case %s · %s (%s) · %s: %s\n", r.on.to_string().c_str(), std::to_string(r.case_id).c_str(),
                printable(r.matter_name).c_str(), r.matter.c_str(), printable(r.department_name).c_str(),
                printable(r.reason).c_str());
    if (!r.dependents.empty())
      std::printf("      had proceeded on it: %s (case now %s)\n", fmt::format("{}", fmt::join(r.dependents, ", ")).c_str(),
                  std::string(to_string(r.stage)).c_str());
  }
}

void run(const OverdueOptions& o) {
  auto records = open_records(o.db);
  if (!records) return;
  const Date today = engine_clock()().date();
  Date since = default_revoked_since(today);
  if (!o.since.empty()) {
    const auto d = Date::parse(o.since);
    if (!d) return usage_error(fmt::format("--since {}: expected a date YYYY-MM-DD", o.since));
    since = *d;
  }
  auto late = records->overdue();
  if (!late) return report(late.status());
  auto revoked = records->revocations(since);
  if (!revoked) return report(revoked.status());
  if (o.json) return print_json(overdue_document(*late, *revoked, since, today));
  if (late->empty()) std::printf("No yellow or red limits today (%s).\n", today.to_string().c_str());
  // Names for people (ids in --json): the department, then each case's
  // matter (or its chain, for the whole chain's limit) with its id, which
  // the task commands take.
  std::string department;
  for (const auto& e : *late) {
    if (e.department != department) {
      department = e.department;
      std::printf("%s\n", printable(e.department_name.empty() ? e.department
                                                             : fmt::format("{} ({})", e.department_name, e.department))
                              .c_str());
    }
    const std::string chain_name = e.chain_name.empty() ? e.chain : e.chain_name;
    const std::string what =
        e.kind == "deferred" ? fmt::format("case {} · {} (deferred materials, 容缺)", e.case_id, chain_name)
        : e.matter.empty()   ? fmt::format("case {} · {} (whole chain)", e.case_id, chain_name)
                             : fmt::format("case {} · {} ({}){}", e.case_id, e.matter_name.empty() ? e.matter : e.matter_name,
                                           e.matter, e.kind == "verification" ? " verification (核查)" : "");
    const std::string when = e.alert == AlertLevel::red ? plural(e.overdue_days, "working day") + " overdue"
                                                        : plural(e.remaining_days, "working day") + " left";
    std::printf("  %s %s deadline %s, %s%s\n", pad(to_string(e.alert), 7).c_str(), pad(what, 48).c_str(),
                e.deadline.to_string().c_str(), when.c_str(),
                e.supervision == Supervision::none ? "" : fmt::format(" · {}", to_string(e.supervision)).c_str());
  }
  print_revocations(*revoked, since);
}

}  // namespace cmd_overdue

void add_overdue(CLI::App& app) {
  using namespace cmd_overdue;  // this command's options and helpers
  auto o = std::make_shared<OverdueOptions>();
  auto* cmd = app.add_subcommand("overdue", "Yellow and red limits of running cases, by department");
  add_db_option(*cmd, o->db);
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->add_option("--since", o->since,
                  "List the results revoked after a failed verification (告知承诺) from this day (default: the "
                  "last 30 days)")
      ->type_name("YYYY-MM-DD");
  cmd->footer(
      "Levels are read for today on each chain's working-day calendar: yellow when the remaining\n"
      "days reach the threshold, red past the deadline (一级督办; 二级督办 further on).\n"
      "A verification (核查) of a commitment has its own limit; deferred materials (容缺受理) are listed\n"
      "under the lead department. Results revoked after a failed verification follow.\n"
      "Examples:\n  yilian overdue --db cases.db\n  yilian overdue --db cases.db --json --since 2026-01-01");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
