// The small value functions of adapter.h, request.h, engine_options.h and
// engine.h, and the Completion handle.
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cmath>

#include "runtime/clock.h"
#include "runtime/completion.h"
#include "runtime/json_codec.h"
#include "yilian/engine.h"
#include "yilian/text.h"

namespace yilian {

namespace {
constexpr std::array<std::string_view, 5> kOutcomeKinds{"approved", "rejected", "supplement", "suspended", "resumed"};
}

Outcome Outcome::approved(FieldValues produced) {
  Outcome o;
  o.produced = std::move(produced);
  return o;
}
Outcome Outcome::rejected(std::string reason) {
  Outcome o;
  o.kind = Kind::rejected;
  o.reason = std::move(reason);
  return o;
}
Outcome Outcome::supplement(std::vector<std::string> items, std::string reason) {
  Outcome o;
  o.kind = Kind::supplement;
  o.items = std::move(items);
  o.reason = std::move(reason);
  return o;
}
Outcome Outcome::suspended(SuspensionReason reason, std::optional<int> told_days, std::string note) {
  Outcome o;
  o.kind = Kind::suspended;
  o.suspension = reason;
  o.told_days = told_days;
  o.reason = std::move(note);
  return o;
}
Outcome Outcome::resumed() {
  Outcome o;
  o.kind = Kind::resumed;
  return o;
}

std::string_view to_string(Outcome::Kind k) {
  const auto i = static_cast<std::size_t>(k);
  return i < kOutcomeKinds.size() ? kOutcomeKinds[i] : "?";
}

std::optional<Outcome::Kind> parse_outcome_kind(std::string_view s) {
  for (std::size_t i = 0; i < kOutcomeKinds.size(); ++i)
    if (kOutcomeKinds[i] == s) return static_cast<Outcome::Kind>(i);
  return std::nullopt;
}

void Completion::accepted() const {
  if (!state_) return;
  std::shared_lock lock(state_->hub->mu);
  if (state_->hub->sink) state_->hub->sink->on_accepted(*state_);
}

void Completion::report(Outcome outcome) const {
  if (!state_) return;
  std::shared_lock lock(state_->hub->mu);
  if (state_->hub->sink) state_->hub->sink->on_report(*state_, std::move(outcome));
}

void Completion::failed(std::string error) const {
  if (!state_) return;
  std::shared_lock lock(state_->hub->mu);
  if (state_->hub->sink) state_->hub->sink->on_failed(*state_, std::move(error));
}

const std::string& Completion::key() const {
  static const std::string none;
  return state_ ? state_->key : none;
}

std::string task_to_json(const Task& t) {
  nlohmann::json j{{"key", t.key},
                   {"case", t.case_id},
                   {"chain", t.chain},
                   {"version", t.version},
                   {"matter", t.matter},
                   {"matter_name", t.matter_name},
                   {"department", t.department},
                   {"attempt", t.attempt},
                   {"delivery", t.delivery},
                   {"fields", detail::to_json(t.fields)},
                   {"materials", t.materials},
                   {"started", t.started.to_string()},
                   {"deadline", t.deadline.to_string()}};
  return j.dump();
}

Result<std::optional<Outcome>> parse_outcome_json(std::string_view json) {
  if (!json_depth_within(json, kMaxJsonDepth))
    return Status::invalid(fmt::format("the answer nests arrays and objects deeper than {} levels", kMaxJsonDepth));
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded()) {
    std::string head = valid_utf8(json, 80);
    for (char& c : head)
      if (c == '\n' || c == '\r') c = ' ';
    return Status::invalid(fmt::format("the answer is not JSON: `{}`", head));
  }
  return detail::outcome_from_json(j);
}

std::string_view request_name(const Request& r) {
  static constexpr std::array<std::string_view, 13> names{"submit", "supplement", "report", "withdraw", "deliver",
                                                          "extend", "retry",      "claim",  "release",  "urge",
                                                          "rate",   "follow-up",  "attach"};
  static_assert(std::variant_size_v<Request> == names.size());
  return names[r.index()];
}

const Actor& actor_of(const Request& r) {
  return std::visit([](const auto& q) -> const Actor& { return q.actor; }, r);
}
Actor& actor_of(Request& r) {
  return std::visit([](auto& q) -> Actor& { return q.actor; }, r);
}

std::chrono::milliseconds RetryPolicy::delay(int next, double unit) const {
  double ms = static_cast<double>(first_delay.count());
  for (int i = 2; i < next && ms < static_cast<double>(max_delay.count()); ++i) ms *= multiplier;
  ms = std::min(ms, static_cast<double>(max_delay.count()));
  const double j = std::clamp(jitter, 0.0, 1.0);
  ms *= 1.0 - j + 2.0 * j * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, std::round(ms))));
}

Instant china_standard_time_now() { return Instant{detail::wall_clock_ms() / 1000 + 8 * 3600}; }

std::string_view to_string(Notification::Kind k) {
  static constexpr std::array<std::string_view, 6> names{"notice", "alert", "ready", "ended", "delivered", "incident"};
  return names[static_cast<std::size_t>(k)];
}

std::string_view to_string(AdapterConfig::Kind k) {
  return k == AdapterConfig::Kind::manual ? "manual" : k == AdapterConfig::Kind::command ? "command" : "http";
}

}  // namespace yilian
