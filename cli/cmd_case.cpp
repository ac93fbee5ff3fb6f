// yilian case submit|status|list|supplement|withdraw|deliver|extend|urge|
// rate|follow-up (attach and files: cmd_case_files.cpp): the
// cases of a durable store. Changes go through the flow and the store's
// transaction (a Client: this process's own recording engine, or the
// running engine's inbox); reads go to the store directly.
#include <fmt/format.h>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/flow.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace cmd_case {

struct CaseOptions {
  std::string db;
  bool json = false;
  std::string chain, application;
  bool online = false;
  bool reuse = false;
  std::uint64_t id = 0;
  std::string state;
  bool overdue = false;
  std::string chain_filter;
  std::size_t limit = 0;
  std::vector<std::string> set, materials;
  bool in_person = false;
  std::string reason, method = "in-person", tracking, matter, basis = "department-head", approver;
  std::string officer;
  int days = 0;
  int grade = 0;
  std::uint32_t rating = 0;
  std::string step;
  std::string agent;
};

/// 一次收齐: what the case took from the holder registry, and from which case.
void print_reused(const CaseView& v) {
  std::printf("一次收齐: the applicant consented to reuse; %zu item%s taken from the holder registry\n", v.reused.size(),
              v.reused.size() == 1 ? "" : "s");
  for (const ReusedView& r : v.reused)
    std::printf("  - %s %s (%s)%s, from case %llu\n", r.licence ? "licence" : "field  ", printable(r.label).c_str(),
                r.key.c_str(), r.number.empty() ? "" : (" No. " + printable(r.number)).c_str(),
                static_cast<unsigned long long>(r.from_case));
}

void submit(const CaseOptions& o) {
  auto chain_loaded = load_chain_or_report(o.chain, o.json);
  if (!chain_loaded) return;
  const ValidChain& chain = *chain_loaded;
  Loaded<Application> loaded = load_application(o.application);
  print_diagnostics(loaded.diagnostics);
  if (!loaded.ok()) {
    const bool io = std::any_of(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                                [](const Diagnostic& d) { return d.code == "io"; });
    set_exit_code(io ? exit_usage : exit_invalid);
    return;
  }
  const Application* app = &loaded.value();
  if (app->chain != chain->id) {
    std::fprintf(stderr, "yilian: error: %s: the application is for chain `%s`, not `%s`\n", o.application.c_str(),
                 app->chain.c_str(), chain->id.c_str());
    set_exit_code(exit_invalid);
    return;
  }
  if (app->version && *app->version != chain->version) {
    std::fprintf(stderr, "yilian: error: %s: the application names version %d; %s is version %d\n",
                 o.application.c_str(), *app->version, o.chain.c_str(), chain->version);
    set_exit_code(exit_invalid);
    return;
  }
  // Invalid values are named here with their file:line:column; the engine
  // refuses them too (without locations) whoever submits.
  const CheckResult checked = check_application(*chain, *app);
  if (!checked.invalid.empty()) {
    for (const InvalidItem& i : checked.invalid)
      std::fprintf(stderr, "%serror: %s: %s%s [%s]\n", i.where.known() ? (i.where.to_string() + ": ").c_str() : "",
                   i.key.c_str(), i.reason.c_str(), i.hint.empty() ? "" : (" (" + i.hint + ")").c_str(), i.code.c_str());
    std::fprintf(stderr, "yilian: error: %s: %zu invalid items; correct them before the case is submitted (see `yilian check`)\n",
                 o.application.c_str(), checked.invalid.size());
    set_exit_code(exit_invalid);
    return;
  }
  auto client = open_client(o.db);
  if (!client) return;
  auto info = client->load_chain_file(resolve_chain(o.chain));
  if (!info) return report(info.status());
  request::Submit submit{info->id, info->version, app->fields, app->materials,
                         o.online ? Channel::online : Channel::window, cli_actor(o.officer)};
  submit.agent = app->agent;
  submit.commitments = app->commitments;
  submit.reuse_consent = app->reuse_consent || o.reuse;
  auto r = client->apply(submit);
  if (!r) return report(r.status());
  // What the 一次告知 lists, when the application is incomplete.
  // 容缺受理: what the accepted case still awaits, and by when; 一次收齐:
  // what it took from the holder registry.
  std::optional<CaseView> view;
  if (r->stage == CaseStage::running || r->stage == CaseStage::ready || submit.reuse_consent)
    if (auto records = open_records(o.db)) {
      if (auto v = records->case_view(r->case_id)) view = std::move(*v);
    }
  // What the 一次告知 lists, when the application is incomplete: what it
  // lacks once the registry's items are in (their presence is what counts).
  std::vector<FlowChain::Missing> missing;
  if (r->stage == CaseStage::incomplete) {
    auto fc = FlowChain::compile(chain, Calendar());
    FieldValues fields = app->fields;
    std::vector<std::string> held = app->materials;
    if (view)
      for (const ReusedView& x : view->reused) {
        if (x.licence) held.push_back(x.key);
        else fields.emplace(x.key, std::string("(reused)"));
      }
    std::sort(held.begin(), held.end());
    missing = fc->missing(fields, held, fc->check_date(today()));
  }
  const std::vector<DeferredView> none;
  const auto& deferred = view ? view->deferred : none;
  const std::optional<Date> due = view ? view->deferred_due : std::nullopt;
  if (o.json) {
    nlohmann::json doc = submit_document(*r, info->id, info->version, missing, deferred, due);
    if (view && view->reuse_consent) doc["reuse"] = to_json(*view)["reuse"];
    return print_json(doc);
  }
  std::printf("case %llu submitted on %s v%d: %s\n", static_cast<unsigned long long>(r->case_id), info->id.c_str(),
              info->version, std::string(to_string(r->stage)).c_str());
  if (app->agent)
    std::printf("代办帮办: handed in by %s (ID %s) with the applicant's authorisation\n", app->agent->name.c_str(),
                app->agent->id_number.c_str());
  if (view && view->reuse_consent) print_reused(*view);
  if (!deferred.empty()) {
    std::printf("容缺受理: accepted with %zu material%s to bring by %s (results are held until they arrive):\n",
                deferred.size(), deferred.size() == 1 ? "" : "s", due ? due->to_string().c_str() : "?");
    for (const auto& d : deferred) std::printf("  - material %s (%s)\n", d.label.c_str(), d.key.c_str());
  }
  if (!missing.empty()) {
    std::printf("一次告知: the application lacks %zu items; the clock starts once they arrive:\n", missing.size());
    for (const auto& x : missing) {
      std::string label = x.key;
      if (x.kind == FlowChain::Missing::Kind::field) {
        if (const Field* f = chain->find_field(x.key)) label = fmt::format("{} ({})", f->label, x.key);
      } else if (const Material* mat = chain->find_material(x.key)) {
        label = fmt::format("{} ({})", mat->name, x.key);
      }
      std::printf("  - %s %s\n", x.kind == FlowChain::Missing::Kind::field ? "field   " : "material", label.c_str());
    }
  }
}

void print_status(const CaseView& v) {
  std::printf("Case %llu · %s (%s v%d) · %s\n", static_cast<unsigned long long>(v.id), v.chain_name.c_str(),
              v.chain.c_str(), v.version, std::string(to_string(v.stage)).c_str());
  std::printf("Submitted %s (%s)", format_instant(v.submitted_at).c_str(), std::string(to_string(v.channel)).c_str());
  if (v.accepted_on) std::printf("; accepted %s", v.accepted_on->to_string().c_str());
  if (v.deadline)
    std::printf("; deadline %s%s", v.deadline->to_string().c_str(), v.deadline_provisional ? " (provisional)" : "");
  std::printf("\n");
  if (v.stage == CaseStage::running)
    std::printf("Alert %s%s · %s left%s\n", std::string(to_string(v.alert)).c_str(),
                v.supervision == Supervision::none ? "" : fmt::format(" ({})", to_string(v.supervision)).c_str(),
                plural(v.remaining_days, "working day").c_str(),
                v.overdue_days ? fmt::format(", {} overdue", v.overdue_days).c_str() : "");
  if (v.agent)
    std::printf("Agent (代办人) %s · ID %s%s\n", printable(v.agent->name).c_str(), v.agent->id_number.c_str(),
                v.agent->phone.empty() ? "" : (" · " + v.agent->phone).c_str());
  if (v.reuse_consent) print_reused(v);
  std::printf("Visits %d · notices %d", v.visits, v.notices);
  if (v.delivery) std::printf(" · delivered %s%s", std::string(to_string(*v.delivery)).c_str(),
                              v.tracking.empty() ? "" : (" " + v.tracking).c_str());
  if (!v.reason.empty()) std::printf(" · %s", printable(v.reason).c_str());
  std::printf("\n");
  if (!v.deferred.empty()) {
    std::printf("容缺受理: due %s (%s):", v.deferred_due ? v.deferred_due->to_string().c_str() : "?",
                std::string(to_string(v.deferred_alert)).c_str());
    for (const auto& d : v.deferred) std::printf(" %s (%s)", d.label.c_str(), d.key.c_str());
    std::printf("; results are held until they arrive\n");
  }
  std::printf("\nTasks\n");
  std::printf("  %s %s %s %s %s %s %s\n", pad("Matter", 24).c_str(), pad("Department", 20).c_str(),
              pad("Status", 11).c_str(), pad("Try", 3).c_str(), pad("Started", 10).c_str(), pad("Deadline", 10).c_str(),
              "Alert");
  for (const auto& t : v.tasks) {
    std::string alert = is_open(t.status) ? std::string(to_string(t.alert)) : "";
    if (t.clock_stopped) alert += " (clock stopped)";
    if (!t.claimed_by.empty()) alert += " · " + t.claimed_by;
    if (!t.note.empty()) alert += " · " + t.note;
    std::printf("  %s %s %s %s %s %s %s\n", pad(t.matter, 24).c_str(),
                pad(t.department_name.empty() ? t.department : t.department_name, 20).c_str(),
                pad(to_string(t.status), 11).c_str(), pad(t.attempt ? std::to_string(t.attempt) : "", 3).c_str(),
                pad(t.started ? t.started->to_string() : "", 10).c_str(),
                pad(t.deadline ? t.deadline->to_string() : "", 10).c_str(), printable(alert).c_str());
  }
  if (!v.ratings.empty()) {
    std::printf("\nRatings (好差评)\n");
    for (const auto& r : v.ratings) {
      std::printf("  %u. %s %d %s%s%s\n", r.number, pad(r.matter.empty() ? "(the case)" : r.matter, 24).c_str(), r.grade,
                  std::string(grade_label(r.grade)).c_str(), r.comment.empty() ? "" : " · ",
                  printable(r.comment).c_str());
      if (!r.follow_up) continue;
      const FollowUp& f = *r.follow_up;
      std::printf("     follow-up: call-back due %s%s, rectification due %s%s%s\n", f.call_back_due.to_string().c_str(),
                  f.called_back ? fmt::format(" (done {}{})", f.called_back->to_string(), r.call_back_late ? ", late" : "").c_str()
                                : (r.call_back_late ? " (overdue)" : ""),
                  f.rectify_due.to_string().c_str(),
                  f.rectified ? fmt::format(" (done {}{})", f.rectified->to_string(), r.rectify_late ? ", late" : "").c_str()
                              : (r.rectify_late ? " (overdue)" : ""),
                  f.appeal == FollowUp::Appeal::none ? "" : fmt::format(" · appeal {}", to_string(f.appeal)).c_str());
    }
  }
  std::printf("\nTimeline\n");
  for (const auto& l : v.log)
    std::printf("  #%-3llu %s  %s%s  · %s\n", static_cast<unsigned long long>(l.seq), format_instant(l.at).c_str(),
                printable(l.summary).c_str(), l.result == "ignored" ? "  [ignored: repeated or late]" : "",
                l.actor ? printable(describe(*l.actor)).c_str() : "yilian");
}

void status(const CaseOptions& o) {
  auto records = open_records(o.db);
  if (!records) return;
  auto v = records->case_view(o.id);
  if (!v) return report(v.status());
  if (o.json) return print_json(to_json(*v));
  print_status(*v);
}

void list(const CaseOptions& o) {
  CaseFilter f;
  if (!o.state.empty()) {
    f.stage = parse_case_stage(o.state);
    if (!f.stage)
      return usage_error(fmt::format("--state {}: expected created, incomplete, running, ready, delivered, rejected or withdrawn", o.state));
  }
  f.overdue = o.overdue;
  f.chain = o.chain_filter;
  f.limit = o.limit;
  f.agent = o.agent;
  auto records = open_records(o.db);
  if (!records) return;
  auto cases = records->list(f);
  if (!cases) return report(cases.status());
  if (o.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : *cases) arr.push_back(to_json(c));
    return print_json({{"cases", arr}});
  }
  std::printf("%s %s %s %s %s %s\n", pad("Case", 6).c_str(), pad("Chain", 24).c_str(), pad("Stage", 10).c_str(),
              pad("Submitted", 16).c_str(), pad("Deadline", 10).c_str(), "Alert");
  for (const auto& c : *cases)
    std::printf("%s %s %s %s %s %s\n", pad(std::to_string(c.id), 6).c_str(),
                pad(fmt::format("{} v{}", c.chain, c.version), 24).c_str(), pad(to_string(c.stage), 10).c_str(),
                pad(format_instant(c.submitted_at), 16).c_str(), pad(c.deadline ? c.deadline->to_string() : "", 10).c_str(),
                c.stage == CaseStage::running ? std::string(to_string(c.alert)).c_str() : "");
  std::printf("%s\n", plural(static_cast<long long>(cases->size()), "case").c_str());
}

/// Applies one request through a client and prints the receipt.
void change(const CaseOptions& o, Request request, const std::string& what) {
  auto client = open_client(o.db);
  if (!client) return;
  actor_of(request) = cli_actor(o.officer);
  auto r = client->apply(request);
  if (!r) return report(r.status());
  print_receipt(*r, what, o.json);
}

std::optional<DeliveryMethod> parse_method(const std::string& s) {
  for (auto m : {DeliveryMethod::in_person, DeliveryMethod::express, DeliveryMethod::electronic})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

}  // namespace cmd_case

void add_case(CLI::App& app) {
  using namespace cmd_case;  // this command's options and helpers
  auto o = std::make_shared<CaseOptions>();
  auto* cmd = app.add_subcommand("case", "Submit, inspect and change the cases of a store");
  cmd->require_subcommand(1);
  cmd->footer(
      "Changes go through the flow and one transaction of the store: applied by this command\n"
      "when no `yilian run` works on the store, else handed to it through the store's inbox.");

  auto* sub = cmd->add_subcommand("submit", "Submit an application (一表申请) as a new case");
  add_db_option(*sub, o->db);
  add_officer_option(*sub, o->officer);
  sub->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  sub->add_option("application", o->application, "Application file (YAML or JSON): {chain, fields, materials}")
      ->required()
      ->type_name("APPLICATION");
  sub->add_flag("--online", o->online, "Submitted online (no visit counted), not at the window");
  sub->add_flag("--reuse-consent", o->reuse,
                "一次收齐: the applicant consents to the reuse of what the holder registry holds for them (as "
                "`reuse_consent: true` in the application); recorded on the case");
  sub->add_flag("--json", o->json, "Print one JSON document");
  sub->footer(
      "Examples:\n"
      "  yilian case submit --db cases.db kindergarten-setup examples/applications/kindergarten.yaml\n"
      "  yilian case submit --db cases.db chains/kindergarten-setup.yaml app.json --json");
  sub->callback([o] { submit(*o); });

  auto* st = cmd->add_subcommand("status", "A case's timeline: events, tasks, deadlines, alert level");
  add_db_option(*st, o->db);
  st->add_option("id", o->id, "Case id")->required();
  st->add_flag("--json", o->json, "Print one JSON document");
  st->footer("Examples:\n  yilian case status --db cases.db 7\n  yilian case status --db cases.db 7 --json");
  st->callback([o] { status(*o); });

  auto* ls = cmd->add_subcommand("list", "List cases, newest first");
  add_db_option(*ls, o->db);
  ls->add_option("--state", o->state, "Only cases in this stage (created, incomplete, running, ready, delivered, rejected, withdrawn)");
  ls->add_flag("--overdue", o->overdue, "Only running cases with a yellow or red limit");
  ls->add_option("--chain", o->chain_filter, "Only cases of this chain id");
  ls->add_option("--limit", o->limit, "At most this many");
  ls->add_option("--agent", o->agent, "代办帮办: only the cases this agent (name or ID number) handed in");
  ls->add_flag("--json", o->json, "Print one JSON document");
  ls->footer("Examples:\n  yilian case list --db cases.db --state running\n  yilian case list --db cases.db --overdue --json");
  ls->callback([o] { list(*o); });

  auto* sp = cmd->add_subcommand(
      "supplement", "The applicant supplies fields or materials (at least one: --set or --material)");
  add_db_option(*sp, o->db);
  add_officer_option(*sp, o->officer);
  sp->add_option("id", o->id, "Case id")->required();
  sp->add_option("--set", o->set, "A field value, KEY=VALUE (repeat)")->type_name("KEY=VALUE");
  sp->add_option("--material", o->materials, "A material id handed in (repeat)")->type_name("ID");
  sp->add_flag("--in-person", o->in_person, "Handed in at the window (counts a visit)");
  sp->add_flag("--json", o->json, "Print one JSON document");
  sp->footer("Example:\n  yilian case supplement --db cases.db 7 --material floor-plan --set site.area=820");
  sp->callback([o] {
    auto fields = parse_assignments(o->set, "--set");
    if (!fields) return;
    change(*o, request::Supplement{o->id, *fields, o->materials, o->in_person}, "supplements recorded");
  });
  add_case_files(*cmd);

  auto* wd = cmd->add_subcommand("withdraw", "The applicant withdraws the case");
  add_db_option(*wd, o->db);
  add_officer_option(*wd, o->officer);
  wd->add_option("id", o->id, "Case id")->required();
  wd->add_option("--reason", o->reason, "Why, in the applicant's words");
  wd->add_flag("--json", o->json, "Print one JSON document");
  wd->footer("Example:\n  yilian case withdraw --db cases.db 7 --reason 不再办理");
  wd->callback([o] { change(*o, request::Withdraw{o->id, o->reason}, "withdrawn"); });

  auto* dl = cmd->add_subcommand("deliver", "Results handed out at one window (统一出件) or sent");
  add_db_option(*dl, o->db);
  add_officer_option(*dl, o->officer);
  dl->add_option("id", o->id, "Case id")->required();
  dl->add_option("--method", o->method, "in-person, express or electronic")->capture_default_str();
  dl->add_option("--tracking", o->tracking, "Express tracking number");
  dl->add_flag("--json", o->json, "Print one JSON document");
  dl->footer("Example:\n  yilian case deliver --db cases.db 7 --method express --tracking SF1234567890");
  dl->callback([o] {
    auto m = parse_method(o->method);
    if (!m) return usage_error(fmt::format("--method {}: expected in-person, express or electronic", o->method));
    change(*o, request::Deliver{o->id, *m, o->tracking}, "results delivered");
  });

  auto* ex = cmd->add_subcommand("extend", "Record an extension of a task's or the chain's limit");
  add_db_option(*ex, o->db);
  add_officer_option(*ex, o->officer);
  ex->add_option("id", o->id, "Case id")->required();
  ex->add_option("--matter", o->matter, "The task's matter id (omit for the whole chain)");
  ex->add_option("--days", o->days, "Working days added")->required();
  ex->add_option("--basis", o->basis, "department-head (Art. 42: +10), government-head (+15) or other")->capture_default_str();
  ex->add_option("--approver", o->approver, "Who approved it")->required();
  ex->add_option("--reason", o->reason, "Why");
  ex->add_flag("--json", o->json, "Print one JSON document");
  ex->footer("Example:\n  yilian case extend --db cases.db 7 --matter school-permit --days 10 --approver 局长 --reason 情况复杂");
  ex->callback([o] {
    auto basis = parse_extension_basis(o->basis);
    if (!basis) return usage_error(fmt::format("--basis {}: expected department-head, government-head or other", o->basis));
    change(*o, request::Extend{o->id, o->matter, Extension{*basis, o->days, o->approver, {}, o->reason}}, "extension recorded");
  });

  auto* ur = cmd->add_subcommand("urge", "督办: urge a case or one of its open tasks on (a note on its record)");
  add_db_option(*ur, o->db);
  add_officer_option(*ur, o->officer);
  ur->add_option("id", o->id, "Case id")->required();
  ur->add_option("--matter", o->matter, "The task's matter id (omit for the whole case)");
  ur->add_option("--note", o->reason, "What is asked, in the supervisor's words");
  ur->add_flag("--json", o->json, "Print one JSON document");
  ur->footer("Example:\n  yilian case urge --db cases.db 7 --matter school-permit --note 已超期，请于明日办结 --officer 督办员");
  ur->callback([o] { change(*o, request::Urge{o->id, o->matter, o->reason}, "urged on"); });

  auto* rt = cmd->add_subcommand("rate", "好差评: the applicant rates the case or one of its matters (grade 1–5)");
  add_db_option(*rt, o->db);
  add_officer_option(*rt, o->officer);
  rt->add_option("id", o->id, "Case id")->required();
  rt->add_option("--grade", o->grade, "1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意")->required()->check(CLI::Range(1, 5));
  rt->add_option("--matter", o->matter, "The matter rated (omit for the whole case)");
  rt->add_option("--comment", o->reason, "What the applicant says");
  rt->add_flag("--json", o->json, "Print one JSON document");
  rt->footer(
      "Each of the case and its handled matters is rated once, from submission until the chain's\n"
      "ratings.within (default 5 working days) after the case ended. A grade of 1 or 2 opens a\n"
      "follow-up: a call-back and a rectification within the chain's limits (`yilian case follow-up`).\n"
      "Example:\n  yilian case rate --db cases.db 7 --grade 2 --matter food-permit --comment 现场核查等了两次");
  rt->callback([o] { change(*o, request::Rate{o->id, o->matter, o->grade, o->reason}, "rating recorded"); });

  auto* fu = cmd->add_subcommand("follow-up", "A step of a bad rating's follow-up: call-back, rectification, appeal");
  add_db_option(*fu, o->db);
  add_officer_option(*fu, o->officer);
  fu->add_option("id", o->id, "Case id")->required();
  fu->add_option("--rating", o->rating, "The rating's number (1 for the first, as `case status` lists them)")->required();
  fu->add_option("--step", o->step,
                 "called-back (回访), rectified (整改), appealed (申诉, needs --note), appeal-upheld or appeal-rejected (复核)")
      ->required();
  fu->add_option("--note", o->reason, "What was done or found");
  fu->add_flag("--json", o->json, "Print one JSON document");
  fu->footer(
      "The call-back comes first, then the rectification; an appeal under review holds the\n"
      "rectification until it is decided; an upheld appeal sets the rating aside.\n"
      "Example:\n  yilian case follow-up --db cases.db 7 --rating 1 --step called-back --note 已电话回访，申请人认可");
  fu->callback([o] {
    auto step = parse_follow_up_step(o->step);
    if (!step)
      return usage_error(fmt::format(
          "--step {}: expected called-back, rectified, appealed, appeal-upheld or appeal-rejected", o->step));
    change(*o, request::FollowUp{o->id, o->rating, *step, o->reason}, "follow-up recorded");
  });
}

}  // namespace yilian::cli
