// yilian task list|claim|approve|reject|request-supplement|suspend|resume|retry:
// the work queue people complete (the `manual` adapter), and operators'
// actions on any open task.
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace cmd_task {

struct TaskOptions {
  std::string db;
  bool json = false;
  std::string department;
  std::uint64_t id = 0;
  std::string matter;
  std::uint32_t attempt = 0;
  std::string officer, reason, suspension = "expert-review";
  std::vector<std::string> produce, items;
  int told_days = -1;
  bool force = false;
};

void list(const TaskOptions& o) {
  auto records = open_records(o.db);
  if (!records) return;
  auto items = records->work_queue(o.department);
  if (!items) return report(items.status());
  if (o.json) return print_json(tasks_document(*items));
  // Names for people (ids in --json); the matter's id, which the task
  // commands take, beside its name.
  std::printf("%s %s %s %s %s %s %s\n", pad("Case", 6).c_str(), pad("Matter", 44).c_str(), pad("Department", 20).c_str(),
              pad("Status", 11).c_str(), pad("Try", 3).c_str(), pad("Deadline", 10).c_str(), "Alert · claimed by");
  for (const auto& w : *items) {
    const TaskView& t = w.task;
    std::string tail = std::string(to_string(t.alert));
    if (t.clock_stopped) tail += " (clock stopped)";
    if (!t.claimed_by.empty()) tail += " · " + t.claimed_by;
    if (!t.note.empty()) tail += " · " + t.note;
    const std::string matter = t.name.empty() ? t.matter : fmt::format("{} ({})", t.name, t.matter);
    std::printf("%s %s %s %s %s %s %s\n", pad(std::to_string(w.case_id), 6).c_str(), pad(matter, 44).c_str(),
                pad(t.department_name.empty() ? t.department : t.department_name, 20).c_str(),
                pad(to_string(t.status), 11).c_str(), pad(std::to_string(t.attempt), 3).c_str(),
                pad(t.deadline ? t.deadline->to_string() : "", 10).c_str(), printable(tail).c_str());
  }
  std::printf("%s\n", plural(static_cast<long long>(items->size()), "open task").c_str());
}

void change(const TaskOptions& o, Request request, const std::string& what) {
  auto client = open_client(o.db);
  if (!client) return;
  actor_of(request) = cli_actor(o.officer);
  auto r = client->apply(request);
  if (!r) return report(r.status());
  print_receipt(*r, what, o.json);
}

/// The options every task action takes: --db, CASE, MATTER, --attempt, --json.
CLI::App* action(CLI::App& cmd, const std::shared_ptr<TaskOptions>& o, const char* name, const char* help,
                 const char* example) {
  auto* sub = cmd.add_subcommand(name, help);
  add_db_option(*sub, o->db);
  add_officer_option(*sub, o->officer);
  sub->add_option("case", o->id, "Case id")->required();
  sub->add_option("matter", o->matter, "Matter id of the task")->required();
  sub->add_option("--attempt", o->attempt,
                  "The attempt the action answers (default: the current one); an answer to an older attempt is "
                  "recorded and ignored");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->footer(std::string("Example:\n  ") + example);
  return sub;
}

}  // namespace cmd_task

void add_task(CLI::App& app) {
  using namespace cmd_task;  // this command's options and helpers
  auto o = std::make_shared<TaskOptions>();
  auto* cmd = app.add_subcommand("task", "The work queue of a department: list, claim and complete tasks");
  cmd->require_subcommand(1);

  auto* ls = cmd->add_subcommand("list", "Open tasks of a department (all departments without --department)");
  add_db_option(*ls, o->db);
  ls->add_option("--department", o->department, "Department id");
  ls->add_flag("--json", o->json, "Print one JSON document");
  ls->footer("Examples:\n  yilian task list --db cases.db --department education\n  yilian task list --db cases.db --json");
  ls->callback([o] { list(*o); });

  auto* claim = action(*cmd, o, "claim", "Take a task from the queue (recorded in the case's log)",
                       "yilian task claim --db cases.db 7 school-permit --officer 王五");
  claim->add_flag("--force", o->force,
                  "Take the task over from the officer who holds it (recorded as a release, then the claim)");
  claim->footer("A task another officer holds is refused (exit 1, naming the holder) unless --force.\n"
                "Example:\n  yilian task claim --db cases.db 7 school-permit --officer 王五");
  claim->callback([o] {
    const Actor who = cli_actor(o->officer);
    change(*o, request::Claim{o->id, o->matter, o->attempt, who.account, o->force}, "task claimed by " + who.account);
  });

  auto* release = action(*cmd, o, "release", "Give a claimed task back to the queue",
                         "yilian task release --db cases.db 7 school-permit --officer 王五");
  release->callback([o] { change(*o, request::Release{o->id, o->matter}, o->matter + " released"); });

  auto* approve = action(*cmd, o, "approve", "The department approves the task",
                         "yilian task approve --db cases.db 7 school-permit --produce school.permit_no=教民140101");
  approve->add_option("--produce", o->produce, "A value the matter produces, KEY=VALUE (repeat); every key the matter declares under `produces` must be given, valid for its field ('yilian form' lists them)")->type_name("KEY=VALUE");
  approve->callback([o] {
    auto produced = parse_assignments(o->produce, "--produce");
    if (!produced) return;
    change(*o, request::Report{o->id, o->matter, o->attempt, Outcome::approved(*produced)}, o->matter + " approved");
  });

  auto* reject = action(*cmd, o, "reject", "The department refuses the task: the case ends rejected (a verification of a commitment that fails revokes the matter's result, 告知承诺)",
                        "yilian task reject --db cases.db 7 fire-acceptance --reason 疏散通道不符合要求");
  reject->add_option("--reason", o->reason, "Why (told to the applicant)")->required();
  reject->callback([o] { change(*o, request::Report{o->id, o->matter, o->attempt, Outcome::rejected(o->reason)}, o->matter + " rejected"); });

  auto* supplement = action(*cmd, o, "request-supplement",
                            "Ask the applicant for more; the task's clock stops until it arrives",
                            "yilian task request-supplement --db cases.db 7 school-permit --item 消防验收意见书 --reason 缺件");
  supplement->add_option("--item", o->items, "What the applicant must supply (repeat)")->required();
  supplement->add_option("--reason", o->reason, "Why");
  supplement->callback([o] {
    change(*o, request::Report{o->id, o->matter, o->attempt, Outcome::supplement(o->items, o->reason)},
           "supplements requested");
  });

  auto* suspend = action(*cmd, o, "suspend", "An Art. 45 activity (expert review, inspection, …) stops the clock",
                         "yilian task suspend --db cases.db 7 school-permit --for expert-review --told-days 10");
  suspend->add_option("--for", o->suspension, "hearing, tendering, auction, inspection, testing, quarantine, appraisal, expert-review or other")
      ->capture_default_str();
  suspend->add_option("--told-days", o->told_days, "Working days the applicant was told in writing");
  suspend->add_option("--reason", o->reason, "A note");
  suspend->callback([o] {
    auto why = parse_suspension_reason(o->suspension);
    if (!why || *why == SuspensionReason::supplement)
      return usage_error(fmt::format("--for {}: not an Art. 45 activity", o->suspension));
    std::optional<int> told;
    if (o->told_days >= 0) told = o->told_days;
    change(*o, request::Report{o->id, o->matter, o->attempt, Outcome::suspended(*why, told, o->reason)}, o->matter + " suspended");
  });

  auto* resume = action(*cmd, o, "resume", "The Art. 45 activity is over: the clock runs again",
                        "yilian task resume --db cases.db 7 school-permit");
  resume->callback([o] { change(*o, request::Report{o->id, o->matter, o->attempt, Outcome::resumed()}, o->matter + " resumed"); });

  auto* retry = action(*cmd, o, "retry", "Send a task in incident to its department again (a new attempt)",
                       "yilian task retry --db cases.db 7 food-permit");
  retry->callback([o] { change(*o, request::Retry{o->id, o->matter}, o->matter + " sent again"); });
}

}  // namespace yilian::cli
