// JSON forms of values, outcomes, requests, actors and receipts (log
// entries: entry_json.cpp).
#include "runtime/json_codec.h"

#include <fmt/format.h>

#include <openssl/evp.h>

#include <cmath>
#include <limits>
#include <utility>

namespace yilian::detail {

using nlohmann::json;

namespace {

// A file's bytes in a request's JSON (the inbox carries requests as JSON).
std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as bytes.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) --size;
  out.resize(size);
  return out;
}

std::optional<DeliveryMethod> parse_delivery(std::string_view s) {
  for (auto m : {DeliveryMethod::in_person, DeliveryMethod::express, DeliveryMethod::electronic})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

std::string_view code_name(Status::Code c) {
  switch (c) {
    case Status::Code::ok: return "ok";
    case Status::Code::invalid_input: return "invalid_input";
    case Status::Code::not_found: return "not_found";
    case Status::Code::io_error: return "io_error";
    case Status::Code::conflict: return "conflict";
    case Status::Code::unavailable: return "unavailable";
    case Status::Code::internal: return "internal";
    case Status::Code::mismatch: return "mismatch";
  }
  return "internal";
}
Status::Code parse_code(std::string_view s) {
  for (auto c : {Status::Code::invalid_input, Status::Code::not_found, Status::Code::io_error, Status::Code::conflict,
                 Status::Code::unavailable, Status::Code::mismatch})
    if (code_name(c) == s) return c;
  return Status::Code::internal;
}

/// Typed member access that reports what is wrong instead of throwing.
struct Fields {
  const json& j;
  std::string what;
  std::string error;

  bool has(const char* k) const { return j.contains(k) && !j.at(k).is_null(); }
  std::string text(const char* k, bool required = false) {
    if (!has(k)) {
      if (required) fail(fmt::format("`{}` is missing", k));
      return {};
    }
    if (!j.at(k).is_string()) {
      fail(fmt::format("`{}` must be text", k));
      return {};
    }
    return j.at(k).get<std::string>();
  }
  /// An integer that fits T (a case id, an attempt, a number of days): one
  /// that does not is refused, never cut to T's width.
  template <class T>
  T whole(const char* k, bool required = false) {
    if (!has(k)) {
      if (required) fail(fmt::format("`{}` is missing", k));
      return T{};
    }
    const json& x = j.at(k);
    if (!x.is_number_integer()) {
      fail(fmt::format("`{}` must be an integer", k));
      return T{};
    }
    if (x.is_number_unsigned() ? !std::in_range<T>(x.get<std::uint64_t>()) : !std::in_range<T>(x.get<std::int64_t>())) {
      fail(fmt::format("`{}` {} is out of range ({} to {})", k, x.dump(), std::numeric_limits<T>::min(),
                       std::numeric_limits<T>::max()));
      return T{};
    }
    return x.get<T>();
  }
  std::vector<std::string> strings(const char* k) {
    std::vector<std::string> out;
    if (!has(k)) return out;
    if (!j.at(k).is_array()) {
      fail(fmt::format("`{}` must be a list of text", k));
      return out;
    }
    for (const auto& x : j.at(k)) {
      if (!x.is_string()) {
        fail(fmt::format("`{}` must be a list of text", k));
        return {};
      }
      out.push_back(x.get<std::string>());
    }
    return out;
  }
  bool flag(const char* k) {
    if (!has(k)) return false;
    if (!j.at(k).is_boolean()) {
      fail(fmt::format("`{}` must be true or false", k));
      return false;
    }
    return j.at(k).get<bool>();
  }
  FieldValues values(const char* k) {
    if (!has(k)) return {};
    auto r = values_from_json(j.at(k), k);
    if (!r) {
      fail(r.status().message());
      return {};
    }
    return std::move(*r);
  }
  void fail(std::string m) {
    if (error.empty()) error = what.empty() ? std::move(m) : fmt::format("{}: {}", what, m);
  }
};

}  // namespace

json agent_json(const Agent& a) {
  json j{{"name", a.name}, {"id_number", a.id_number}};
  if (!a.phone.empty()) j["phone"] = a.phone;
  return j;
}

json to_json(const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* s = std::get_if<ValueSet>(&v)) return *s;
  return nullptr;
}

std::optional<Value> value_from_json(const json& j) {
  if (j.is_null()) return Value{};
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_number_integer()) return Value{j.get<std::int64_t>()};
  if (j.is_number()) {
    const double d = j.get<double>();
    if (!std::isfinite(d)) return std::nullopt;
    return Value{d};
  }
  if (j.is_string()) return Value{j.get<std::string>()};
  if (j.is_array()) {  // a set field's values: text items only
    ValueSet set;
    for (const auto& x : j) {
      if (!x.is_string()) return std::nullopt;
      set.push_back(x.get<std::string>());
    }
    return Value{std::move(set)};
  }
  return std::nullopt;
}

namespace {
template <class Values>
json values_to_json(const Values& values) {
  json o = json::object();
  for (const auto& [k, v] : values) o[k] = to_json(v);
  return o;
}
}  // namespace

json to_json(const FieldValues& values) { return values_to_json(values); }
json to_json(const FieldView& values) { return values_to_json(values); }

Result<FieldValues> values_from_json(const json& j, std::string_view what) {
  if (!j.is_object()) return Status::invalid(fmt::format("`{}` must be an object of field values", what));
  FieldValues out;
  for (const auto& [k, v] : j.items()) {
    auto value = value_from_json(v);
    if (!value) return Status::invalid(fmt::format("`{}.{}`: a value must be text, a number, true/false, null, or a list of text (a set)", what, k));
    out.emplace(k, std::move(*value));
  }
  return out;
}

json to_json(const Outcome& o) {
  json j{{"outcome", to_string(o.kind)}};
  switch (o.kind) {
    case Outcome::Kind::approved: j["produced"] = to_json(o.produced); break;
    case Outcome::Kind::rejected: j["reason"] = o.reason; break;
    case Outcome::Kind::supplement:
      j["items"] = o.items;
      j["reason"] = o.reason;
      break;
    case Outcome::Kind::suspended:
      j["suspension"] = to_string(o.suspension);
      if (o.told_days) j["told_days"] = *o.told_days;
      j["reason"] = o.reason;
      break;
    case Outcome::Kind::resumed: break;
  }
  return j;
}

Result<std::optional<Outcome>> outcome_from_json(const json& j) {
  if (!j.is_object()) return Status::invalid("the outcome must be a JSON object with an `outcome` key");
  Fields f{j, "outcome", {}};
  const std::string kind = f.text("outcome", true);
  if (!f.error.empty()) return Status::invalid(f.error);
  if (kind == "accepted") return std::optional<Outcome>{};
  auto k = parse_outcome_kind(kind);
  if (!k)
    return Status::invalid(fmt::format(
        "outcome `{}` is not one of approved, rejected, supplement, suspended, resumed, accepted", kind));
  Outcome o;
  o.kind = *k;
  o.produced = f.values("produced");
  o.reason = f.text("reason");
  o.items = f.strings("items");
  if (o.kind == Outcome::Kind::rejected && o.reason.empty()) f.fail("a rejection needs a `reason`");
  if (o.kind == Outcome::Kind::supplement && o.items.empty()) f.fail("a supplement request needs `items`");
  if (o.kind == Outcome::Kind::suspended) {
    const std::string s = f.text("suspension");
    if (!s.empty()) {
      if (auto r = parse_suspension_reason(s); r && *r != SuspensionReason::supplement) o.suspension = *r;
      else f.fail(fmt::format("`suspension` `{}` is not an Art. 45 activity (expert-review, inspection, …)", s));
    }
    // Not cut to 32 bits: a value an int cannot hold is refused (the flow
    // refuses negative ones).
    if (f.has("told_days")) o.told_days = f.whole<int>("told_days");
  }
  if (!f.error.empty()) return Status::invalid(f.error);
  return std::optional<Outcome>{std::move(o)};
}

std::string request_to_json(const Request& r) {
  json j;
  std::visit(
      [&](const auto& q) {
        using T = std::decay_t<decltype(q)>;
        j["type"] = request_name(r);
        if constexpr (std::is_same_v<T, request::Submit>) {
          j["chain"] = q.chain;
          if (q.version) j["version"] = *q.version;
          j["fields"] = to_json(q.fields);
          j["materials"] = q.materials;
          j["channel"] = to_string(q.channel);
          if (!q.idempotency_key.empty()) j["idempotency_key"] = q.idempotency_key;
          if (q.agent) j["agent"] = agent_json(*q.agent);
          if (!q.commitments.empty()) j["commitments"] = q.commitments;
          if (q.reuse_consent) j["reuse_consent"] = true;
        } else {
          j["case"] = q.case_id;
          if constexpr (std::is_same_v<T, request::Supplement>) {
            j["fields"] = to_json(q.fields);
            j["materials"] = q.materials;
            j["in_person"] = q.in_person;
          } else if constexpr (std::is_same_v<T, request::Report>) {
            j["matter"] = q.matter;
            j["attempt"] = q.attempt;
            j["outcome"] = to_json(q.outcome);
          } else if constexpr (std::is_same_v<T, request::Withdraw>) {
            j["reason"] = q.reason;
          } else if constexpr (std::is_same_v<T, request::Deliver>) {
            j["method"] = to_string(q.method);
            j["tracking"] = q.tracking;
          } else if constexpr (std::is_same_v<T, request::Extend>) {
            j["matter"] = q.matter;
            j["basis"] = to_string(q.extension.basis);
            j["days"] = q.extension.days;
            j["approver"] = q.extension.approver;
            j["approved_on"] = q.extension.approved_on.to_string();
            j["reason"] = q.extension.reason;
          } else if constexpr (std::is_same_v<T, request::Retry>) {
            j["matter"] = q.matter;
          } else if constexpr (std::is_same_v<T, request::Claim>) {
            j["matter"] = q.matter;
            j["attempt"] = q.attempt;
            j["officer"] = q.officer;
            j["force"] = q.force;
          } else if constexpr (std::is_same_v<T, request::Release>) {
            j["matter"] = q.matter;
          } else if constexpr (std::is_same_v<T, request::Urge>) {
            j["matter"] = q.matter;
            j["note"] = q.note;
          } else if constexpr (std::is_same_v<T, request::Rate>) {
            j["matter"] = q.matter;
            j["grade"] = q.grade;
            j["comment"] = q.comment;
          } else if constexpr (std::is_same_v<T, request::FollowUp>) {
            j["rating"] = q.rating;
            j["step"] = to_string(q.step);
            j["note"] = q.note;
          } else if constexpr (std::is_same_v<T, request::Attach>) {
            j["material"] = q.material;
            j["name"] = q.name;
            j["content"] = base64_encode(q.content);
          }
        }
        if (!q.actor.account.empty()) j["actor"] = to_json(q.actor);
      },
      r);
  return j.dump();
}

nlohmann::json to_json(const Actor& a) {
  json j{{"account", a.account}, {"role", to_string(a.role)}, {"channel", to_string(a.channel)}};
  if (!a.department.empty()) j["department"] = a.department;
  return j;
}

Result<Actor> actor_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return Status::invalid("`actor` must be an object");
  Actor a;
  const auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  a.account = text("account");
  const auto role = parse_role(text("role"));
  const auto channel = parse_actor_channel(text("channel"));
  if (a.account.empty() || !role || !channel)
    return Status::invalid("`actor` needs an account, a role (admin, window, department, supervisor, portal, system) "
                           "and a channel (window, online, hotline, department, system, cli)");
  a.role = *role;
  a.channel = *channel;
  a.department = text("department");
  return a;
}

Result<Request> request_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::invalid("the request is not a JSON object");
  Fields f{j, "request", {}};
  const std::string type = f.text("type", true);
  const auto case_id = f.whole<CaseId>("case");
  std::optional<Request> r;
  if (type == "submit") {
    request::Submit s{f.text("chain", true), std::nullopt, f.values("fields"), f.strings("materials"), Channel::window};
    if (f.has("version")) s.version = f.whole<int>("version");
    if (f.text("channel") == "online") s.channel = Channel::online;
    s.idempotency_key = f.text("idempotency_key");
    s.commitments = f.strings("commitments");
    s.reuse_consent = f.flag("reuse_consent");
    if (f.has("agent")) {
      if (!j["agent"].is_object()) f.fail("`agent` must be an object");
      else {
        Fields a{j["agent"], "agent", {}};
        s.agent = Agent{a.text("name", true), a.text("id_number", true), a.text("phone")};
        if (!a.error.empty()) f.fail(a.error);
      }
    }
    r = std::move(s);
  } else if (type == "supplement") {
    r = request::Supplement{case_id, f.values("fields"), f.strings("materials"), f.flag("in_person")};
  } else if (type == "report") {
    request::Report q{case_id, f.text("matter", true), f.whole<std::uint32_t>("attempt"), {}};
    if (!f.has("outcome")) return Status::invalid("request: `outcome` is missing");
    auto o = outcome_from_json(j["outcome"]);
    if (!o) return o.status();
    if (!*o) return Status::invalid("request: a report needs a decision, not `accepted`");
    q.outcome = std::move(**o);
    r = std::move(q);
  } else if (type == "withdraw") {
    r = request::Withdraw{case_id, f.text("reason")};
  } else if (type == "deliver") {
    auto m = parse_delivery(f.text("method"));
    if (!m) f.fail("`method` must be in-person, express or electronic");
    r = request::Deliver{case_id, m.value_or(DeliveryMethod::in_person), f.text("tracking")};
  } else if (type == "extend") {
    request::Extend q{case_id, f.text("matter"), {}};
    auto basis = parse_extension_basis(f.text("basis"));
    if (!basis) f.fail("`basis` must be department-head, government-head or other");
    q.extension.basis = basis.value_or(ExtensionBasis::other);
    q.extension.days = f.whole<int>("days", true);
    q.extension.approver = f.text("approver");
    q.extension.approved_on = Date::parse(f.text("approved_on")).value_or(Date{});
    q.extension.reason = f.text("reason");
    r = std::move(q);
  } else if (type == "retry") {
    r = request::Retry{case_id, f.text("matter", true)};
  } else if (type == "claim") {
    r = request::Claim{case_id, f.text("matter", true), f.whole<std::uint32_t>("attempt"), f.text("officer"),
                       f.flag("force")};
  } else if (type == "release") {
    r = request::Release{case_id, f.text("matter", true)};
  } else if (type == "urge") {
    r = request::Urge{case_id, f.text("matter"), f.text("note")};
  } else if (type == "rate") {
    r = request::Rate{case_id, f.text("matter"), f.whole<int>("grade", true), f.text("comment")};
  } else if (type == "follow-up") {
    auto step = parse_follow_up_step(f.text("step", true));
    if (!step) f.fail("`step` must be called-back, rectified, appealed, appeal-upheld or appeal-rejected");
    r = request::FollowUp{case_id, f.whole<std::uint32_t>("rating", true),
                          step.value_or(FollowUpStep::called_back), f.text("note")};
  } else if (type == "attach") {
    auto content = base64_decode(f.text("content", true));
    if (!content) f.fail("`content` must be the file's bytes in base64");
    r = request::Attach{case_id, f.text("material", true), f.text("name"), std::move(content).value_or(std::string())};
  } else if (f.error.empty()) {
    f.fail(fmt::format("unknown request type `{}`", type));
  }
  if (!f.error.empty()) return Status::invalid(f.error);
  if (j.contains("actor")) {
    auto a = actor_from_json(j["actor"]);
    if (!a) return a.status();
    actor_of(*r) = std::move(*a);
  }
  return std::move(*r);
}

std::string receipt_to_json(const Result<Receipt>& r) {
  // A message may quote what a request carried: bytes that are not UTF-8
  // are replaced rather than thrown on.
  constexpr auto replace = json::error_handler_t::replace;
  if (!r)
    return json{{"ok", false}, {"code", code_name(r.status().code())}, {"message", r.status().message()}}.dump(
        -1, ' ', false, replace);
  json j{{"ok", true},
         {"case", r->case_id},
         {"seq", r->seq},
         {"result", to_string(r->result)},
         {"reason", r->reason},
         {"stage", to_string(r->stage)}};
  if (!r->deferred.empty()) j["deferred"] = r->deferred;
  if (r->deferred_due) j["deferred_due"] = r->deferred_due->to_string();
  return j.dump(-1, ' ', false, replace);
}

Result<Receipt> receipt_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::error(Status::Code::internal, "the engine's answer is not JSON");
  // Written by an engine, but read back from a store: a member of the wrong
  // type (or a number out of its range) reads as absent, never as an
  // exception; the reader's complaints are not kept. An applied request
  // stays applied whatever else its receipt garbles (only `ok` decides).
  Fields f{j, {}, {}};
  const auto or_else = [](std::string s, const char* fallback) { return s.empty() ? std::string(fallback) : s; };
  if (!f.flag("ok"))
    return Status::error(parse_code(or_else(f.text("code"), "internal")),
                         or_else(f.text("message"), "the engine refused the request"));
  Receipt r;
  r.case_id = f.whole<CaseId>("case");
  r.seq = f.whole<std::uint64_t>("seq");
  r.result = f.text("result") == "ignored" ? StepResult::ignored : StepResult::applied;
  r.reason = f.text("reason");
  r.stage = parse_case_stage(or_else(f.text("stage"), "created")).value_or(CaseStage::created);
  if (const auto d = j.find("deferred"); d != j.end() && d->is_array())
    for (const json& key : *d)
      if (key.is_string()) r.deferred.push_back(key.get<std::string>());
  if (const std::string due = f.text("deferred_due"); !due.empty()) r.deferred_due = Date::parse(due);
  return r;
}

}  // namespace yilian::detail
