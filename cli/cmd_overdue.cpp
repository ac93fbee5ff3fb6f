// yilian overdue: the yellow and red limits of running cases, by department
// (督办: what to chase today).
#include <fmt/format.h>

#include <map>

#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace {

struct OverdueOptions {
  std::string db;
  bool json = false;
};

void run(const OverdueOptions& o) {
  auto records = open_records(o.db);
  if (!records) return;
  auto late = records->overdue();
  if (!late) return report(late.status());
  if (o.json) return print_json(overdue_document(*late, engine_clock()().date()));
  if (late->empty()) {
    std::printf("No yellow or red limits today (%s).\n", engine_clock()().date().to_string().c_str());
    return;
  }
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
    const std::string what =
        e.matter.empty() ? fmt::format("case {} · {} (whole chain)", e.case_id, e.chain_name.empty() ? e.chain : e.chain_name)
                         : fmt::format("case {} · {} ({})", e.case_id, e.matter_name.empty() ? e.matter : e.matter_name,
                                       e.matter);
    const std::string when = e.alert == AlertLevel::red ? plural(e.overdue_days, "working day") + " overdue"
                                                        : plural(e.remaining_days, "working day") + " left";
    std::printf("  %s %s deadline %s, %s%s\n", pad(to_string(e.alert), 7).c_str(), pad(what, 48).c_str(),
                e.deadline.to_string().c_str(), when.c_str(),
                e.supervision == Supervision::none ? "" : fmt::format(" · {}", to_string(e.supervision)).c_str());
  }
}

}  // namespace

void add_overdue(CLI::App& app) {
  auto o = std::make_shared<OverdueOptions>();
  auto* cmd = app.add_subcommand("overdue", "Yellow and red limits of running cases, by department");
  add_db_option(*cmd, o->db);
  cmd->add_flag("--json", o->json, "Print one JSON document");
  cmd->footer(
      "Levels are read for today on each chain's working-day calendar: yellow when the remaining\n"
      "days reach the threshold, red past the deadline (一级督办; 二级督办 further on).\n"
      "Examples:\n  yilian overdue --db cases.db\n  yilian overdue --db cases.db --json");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
