#include "engine_support.h"

#include <fmt/format.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "yilian/text.h"

namespace yilian::cli {

void add_db_option(CLI::App& cmd, std::string& db) {
  if (const char* env = std::getenv("YILIAN_DB"); env && *env) db = env;
  auto* opt = cmd.add_option("--db", db, "The case store: an SQLite file, or postgresql://USER@HOST:PORT/DB (default $YILIAN_DB)")
                  ->type_name("FILE|URI");
  if (db.empty()) opt->required();
}

void add_officer_option(CLI::App& cmd, std::string& officer) {
  cmd.add_option("--officer", officer,
                 "Who does it, written into the case's log (default $YILIAN_OFFICER, else your login name)")
      ->type_name("NAME");
}

Actor cli_actor(const std::string& officer) {
  std::string name = officer;
  if (name.empty())
    if (const char* env = std::getenv("YILIAN_OFFICER"); env && *env) name = env;
  if (name.empty())
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) name = pw->pw_name;
  if (name.empty()) name = fmt::format("uid {}", geteuid());
  return Actor{name, Role::admin, {}, ActorChannel::cli};
}

sigset_t block_stop_signals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

std::function<Instant()> engine_clock() {
  if (const char* env = std::getenv("YILIAN_NOW"); env && *env)
    if (auto fixed = Instant::parse(env)) return [at = *fixed] { return at; };
  return [] { return china_standard_time_now(); };
}

void report(const Status& s) {
  // A message may quote a department's answer: printed harmless (text.h).
  std::fprintf(stderr, "yilian: error: %s\n", printable(s.to_string(), true).c_str());
  switch (s.code()) {
    case Status::Code::invalid_input:
    case Status::Code::not_found:
    case Status::Code::conflict:
    case Status::Code::mismatch: set_exit_code(exit_invalid); break;
    default: set_exit_code(exit_usage);
  }
}

std::unique_ptr<Records> open_records(const std::string& db) {
  std::error_code ec;
  if (!is_postgres_uri(db) && !std::filesystem::exists(db, ec)) {
    usage_error(fmt::format("{}: no such store", db));
    return nullptr;
  }
  RecordsOptions o;
  o.calendar_dirs = calendar_dirs("");
  o.clock = engine_clock();
  auto r = Records::open(db, o);
  if (!r) {
    set_exit_code(exit_usage);
    std::fprintf(stderr, "yilian: error: %s\n", r.status().to_string().c_str());
    return nullptr;
  }
  return std::move(*r);
}

std::unique_ptr<Engine> open_active(const std::string& db, EngineOptions options, const std::function<bool()>& pause,
                                    const std::function<void(const std::string&)>& say, bool& stopped,
                                    bool standing_by) {
  stopped = false;
  bool said = standing_by;
  std::string last_failure;
  // Standing by is said at once; a command holding the store for a moment
  // only delays the first try by a second.
  if (is_postgres_uri(db)) options.lock_wait = std::chrono::milliseconds(0);
  for (;;) {
    auto opened = Engine::open(db, options);
    if (opened) {
      if (said) say(fmt::format("taking over {}", db));
      return std::move(*opened);
    }
    const Status::Code code = opened.status().code();
    // A standby that meets a connection failure (the database itself failing
    // over, a session cut while taking over) keeps trying; at the first
    // start it is reported, since the URI may simply be wrong.
    const bool retry = is_postgres_uri(db) && (code == Status::Code::unavailable || (said && code == Status::Code::io_error));
    if (!retry) {
      report(opened.status());
      return nullptr;
    }
    if (code == Status::Code::io_error) {
      if (opened.status().message() != last_failure)  // once, not every second
        say(fmt::format("{}; trying again every second", opened.status().message()));
      last_failure = opened.status().message();
    } else if (!said) {
      say(fmt::format("standby on {}: another engine is active; taking over when it ends", db));
      said = true;
    }
    if (!pause()) {
      stopped = true;
      return nullptr;
    }
    options.lock_wait = std::chrono::milliseconds(0);
  }
}

std::unique_ptr<Client> open_client(const std::string& db) {
  Client::Options o;
  o.calendar_dirs = calendar_dirs("");
  o.clock = engine_clock();
  auto c = Client::open(db, o);
  if (!c) {
    set_exit_code(exit_usage);
    std::fprintf(stderr, "yilian: error: %s\n", c.status().to_string().c_str());
    return nullptr;
  }
  return std::move(*c);
}

Value parse_value(const std::string& s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {  // a set: [a, b]
    ValueSet set;
    std::string item;
    auto flush = [&] {
      const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
      if (b != std::string::npos) set.push_back(item.substr(b, e - b + 1));
      item.clear();
    };
    for (char c : s.substr(1, s.size() - 2)) {
      if (c == ',') flush();
      else item += c;
    }
    flush();
    return set;
  }
  if (s == "true") return true;
  if (s == "false") return false;
  try {
    std::size_t pos = 0;
    const long long i = std::stoll(s, &pos);
    if (pos == s.size()) return static_cast<std::int64_t>(i);
    const double d = std::stod(s, &pos);
    if (pos == s.size()) return d;
  } catch (...) {
  }
  return s;
}

std::optional<FieldValues> parse_assignments(const std::vector<std::string>& pairs, const char* option) {
  FieldValues out;
  for (const auto& kv : pairs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      usage_error(fmt::format("{} {}: expected KEY=VALUE", option, kv));
      return std::nullopt;
    }
    out[kv.substr(0, eq)] = parse_value(kv.substr(eq + 1));
  }
  return out;
}

std::string format_instant(Instant i) {
  const TimeOfDay t = i.time();
  return fmt::format("{} {:02}:{:02}", i.date().to_string(), t.minutes / 60, t.minutes % 60);
}

nlohmann::json receipt_json(const Receipt& r) {
  return {{"case", r.case_id}, {"seq", r.seq}, {"result", to_string(r.result)}, {"reason", r.reason},
          {"stage", to_string(r.stage)}};
}

namespace {
nlohmann::json deferred_json(const std::vector<DeferredView>& deferred, const std::optional<Date>& due) {
  nlohmann::json d = nlohmann::json::array();
  for (const auto& x : deferred)
    d.push_back({{"key", x.key}, {"label", x.label}, {"due", due ? due->to_string() : std::string()}});
  return d;
}
}  // namespace

nlohmann::json submit_document(const Receipt& r, const std::string& chain, int version,
                               const std::vector<FlowChain::Missing>& missing, const std::vector<DeferredView>& deferred,
                               const std::optional<Date>& due) {
  nlohmann::json m = nlohmann::json::array();
  for (const auto& x : missing)
    m.push_back({{"kind", x.kind == FlowChain::Missing::Kind::field ? "field" : "material"}, {"key", x.key}});
  return {{"case", r.case_id}, {"chain", chain}, {"version", version}, {"stage", to_string(r.stage)}, {"missing", m},
          {"deferred", deferred_json(deferred, due)}};
}

nlohmann::json overdue_document(const std::vector<OverdueEntry>& late, const std::vector<Revocation>& revoked,
                                Date since, Date today) {
  nlohmann::json by = nlohmann::json::object();
  for (const auto& e : late)
    by[e.department].push_back({{"case", e.case_id},
                                {"kind", e.kind},
                                {"chain", e.chain},
                                {"chain_name", e.chain_name},
                                {"matter", e.matter.empty() ? nlohmann::json() : nlohmann::json(e.matter)},
                                {"matter_name", e.matter.empty() ? nlohmann::json() : nlohmann::json(e.matter_name)},
                                {"department_name", e.department_name},
                                {"alert", to_string(e.alert)},
                                {"supervision", to_string(e.supervision)},
                                {"deadline", e.deadline.to_string()},
                                {"remaining_days", e.remaining_days},
                                {"overdue_days", e.overdue_days}});
  nlohmann::json rv = nlohmann::json::array();
  for (const auto& r : revoked)
    rv.push_back({{"case", r.case_id},
                  {"chain", r.chain},
                  {"chain_name", r.chain_name},
                  {"matter", r.matter},
                  {"matter_name", r.matter_name},
                  {"department", r.department},
                  {"department_name", r.department_name},
                  {"on", r.on.to_string()},
                  {"reason", r.reason},
                  {"dependents", r.dependents},
                  {"stage", to_string(r.stage)}});
  return {{"today", today.to_string()}, {"departments", by}, {"revoked_since", since.to_string()}, {"revoked", rv}};
}

nlohmann::json ratings_document(const RatingStats& s) {
  auto rows = [](const std::vector<RatingRow>& in) {
    nlohmann::json arr = nlohmann::json::array();
    for (const RatingRow& r : in) {
      nlohmann::json grades = nlohmann::json::object();
      for (int g = 1; g <= 5; ++g) grades[std::to_string(g)] = r.grades[static_cast<std::size_t>(g - 1)];
      nlohmann::json j{{"name", r.name},
                       {"department", r.department},
                       {"grades", grades},
                       {"total", r.total()},
                       {"bad", r.bad()},
                       {"bad_rate", r.total() ? static_cast<double>(r.bad()) / r.total() : 0.0},
                       {"set_aside", r.set_aside},
                       {"follow_ups", r.follow_ups},
                       {"rectified", r.closed},
                       {"call_backs_on_time", r.call_backs_on_time},
                       {"rectified_on_time", r.rectified_on_time},
                       {"overdue", r.overdue}};
      if (!r.chain.empty()) {
        j["chain"] = r.chain;
        j["matter"] = r.matter.empty() ? nlohmann::json() : nlohmann::json(r.matter);
      }
      arr.push_back(std::move(j));
    }
    return arr;
  };
  return {{"today", s.today.to_string()}, {"matters", rows(s.matters)}, {"departments", rows(s.departments)}};
}

nlohmann::json tasks_document(const std::vector<WorkItem>& items) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& w : items) {
    auto j = to_json(w.task);
    j["case"] = w.case_id;
    j["chain"] = w.chain;
    j["version"] = w.version;
    arr.push_back(std::move(j));
  }
  return {{"tasks", arr}};
}

nlohmann::json audit_document(const AuditReport& r) {
  nlohmann::json j{{"ok", r.ok()}, {"cases", r.cases}, {"entries", r.entries}, {"files", r.files}, {"seal", r.seal}, {"sealed", r.sealed}};
  if (r.first_break)
    j["first_break"] = {{"case", r.first_break->case_id}, {"seq", r.first_break->seq}, {"problem", r.first_break->problem}};
  else
    j["first_break"] = nullptr;
  return j;
}

void print_receipt(const Receipt& r, const std::string& what, bool json) {
  if (json) {
    print_json(receipt_json(r));
    return;
  }
  if (r.result == StepResult::ignored)
    std::printf("case %llu: %s recorded as entry %llu but ignored: %s\n", static_cast<unsigned long long>(r.case_id),
                what.c_str(), static_cast<unsigned long long>(r.seq), printable(r.reason).c_str());
  else
    std::printf("case %llu: %s (entry %llu); the case is %s\n", static_cast<unsigned long long>(r.case_id), what.c_str(),
                static_cast<unsigned long long>(r.seq), std::string(to_string(r.stage)).c_str());
}

namespace {
nlohmann::json opt_date(const std::optional<Date>& d) { return d ? nlohmann::json(d->to_string()) : nlohmann::json(); }
}  // namespace

nlohmann::json file_json(const MaterialFile& f) {
  return {{"case", f.case_id}, {"entry", f.seq},       {"material", f.material}, {"name", f.name},
          {"media_type", f.media_type}, {"bytes", f.bytes}, {"sha256", f.sha256},   {"at", f.at.to_string()}};
}

nlohmann::json files_json(const std::vector<MaterialFile>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const MaterialFile& f : files) list.push_back(file_json(f));
  return {{"files", std::move(list)}};
}

nlohmann::json to_json(const Actor& a) {
  nlohmann::json j{{"account", a.account}, {"role", to_string(a.role)}, {"channel", to_string(a.channel)}};
  if (!a.department.empty()) j["department"] = a.department;
  return j;
}

nlohmann::json to_json(const TaskView& t) {
  return {{"matter", t.matter},
          {"name", t.name},
          {"department", t.department},
          {"department_name", t.department_name},
          {"key", t.key},
          {"status", to_string(t.status)},
          {"attempt", t.attempt},
          {"started", opt_date(t.started)},
          {"finished", opt_date(t.finished)},
          {"deadline", opt_date(t.deadline)},
          {"clock_stopped", t.clock_stopped},
          {"alert", to_string(t.alert)},
          {"supervision", to_string(t.supervision)},
          {"remaining_days", t.remaining_days},
          {"overdue_days", t.overdue_days},
          {"requested", t.requested},
          {"note", t.note},
          {"claimed_by", t.claimed_by}};
}

nlohmann::json to_json(const RatingView& r) {
  nlohmann::json j{{"number", r.number},
                   {"grade", r.grade},
                   {"label", grade_label(r.grade)},
                   {"matter", r.matter.empty() ? nlohmann::json() : nlohmann::json(r.matter)},
                   {"department", r.department},
                   {"at", r.at.to_string()},
                   {"comment", r.comment},
                   {"follow_up", nullptr}};
  if (const auto& f = r.follow_up)
    j["follow_up"] = {{"call_back_due", f->call_back_due.to_string()}, {"called_back", opt_date(f->called_back)},
                      {"call_back_late", r.call_back_late},        {"rectify_due", f->rectify_due.to_string()},
                      {"rectified", opt_date(f->rectified)},       {"rectify_late", r.rectify_late},
                      {"appeal", to_string(f->appeal)},            {"closed", f->closed()},
                      {"note", f->note}};
  return j;
}

nlohmann::json to_json(const CaseView& v) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& t : v.tasks) tasks.push_back(to_json(t));
  nlohmann::json ratings = nlohmann::json::array();
  for (const auto& r : v.ratings) ratings.push_back(to_json(r));
  nlohmann::json events = nlohmann::json::array();
  for (const auto& l : v.log) {
    nlohmann::json e{{"seq", l.seq},
                     {"at", l.at.to_string()},
                     {"kind", l.kind},
                     {"result", l.result},
                     {"summary", l.summary},
                     {"detail", nlohmann::json::parse(l.detail_json, nullptr, false)}};
    if (l.actor) e["actor"] = to_json(*l.actor);
    events.push_back(std::move(e));
  }
  nlohmann::json j{{"id", v.id},
          {"chain", v.chain},
          {"version", v.version},
          {"chain_name", v.chain_name},
          {"stage", to_string(v.stage)},
          {"channel", to_string(v.channel)},
          {"submitted_at", v.submitted_at.to_string()},
          {"accepted_on", opt_date(v.accepted_on)},
          {"finished_on", opt_date(v.finished_on)},
          {"deadline", opt_date(v.deadline)},
          {"deadline_provisional", v.deadline_provisional},
          {"alert", to_string(v.alert)},
          {"supervision", to_string(v.supervision)},
          {"remaining_days", v.remaining_days},
          {"overdue_days", v.overdue_days},
          {"visits", v.visits},
          {"notices", v.notices},
          {"reason", v.reason},
          {"delivery", v.delivery ? nlohmann::json(to_string(*v.delivery)) : nlohmann::json()},
          {"tracking", v.tracking},
          {"deferred", deferred_json(v.deferred, v.deferred_due)},
          {"deferred_alert", v.deferred.empty() ? nlohmann::json() : nlohmann::json(to_string(v.deferred_alert))},
          {"ratings", ratings},
          {"agent", v.agent ? nlohmann::json{{"name", v.agent->name}, {"id_number", v.agent->id_number}, {"phone", v.agent->phone}}
                            : nlohmann::json()},
          {"tasks", tasks},
          {"events", events}};
  // 一次收齐: only on a case whose applicant consented (absent: no consent).
  if (v.reuse_consent) {
    nlohmann::json reused = nlohmann::json::array();
    for (const ReusedView& r : v.reused)
      reused.push_back({{"kind", r.licence ? "licence" : "field"}, {"key", r.key}, {"label", r.label},
                        {"from_case", r.from_case}, {"number", r.licence ? nlohmann::json(r.number) : nlohmann::json()}});
    j["reuse"] = {{"consent", true}, {"reused", reused}};
  }
  return j;
}

nlohmann::json to_json(const CaseSummary& c) {
  return {{"id", c.id},
          {"chain", c.chain},
          {"version", c.version},
          {"stage", to_string(c.stage)},
          {"submitted_at", c.submitted_at.to_string()},
          {"deadline", opt_date(c.deadline)},
          {"alert", to_string(c.alert)},
          {"supervision", to_string(c.supervision)}};
}

}  // namespace yilian::cli
