// JSON forms of log entries, and their one-line summaries for people (the
// rest of the JSON forms: json_codec.cpp).
#include "runtime/json_codec.h"

#include <fmt/format.h>

namespace yilian::detail {

using nlohmann::json;

namespace {

std::string matter_name(const FlowChain* fc, int m) {
  if (fc && m >= 0 && static_cast<std::size_t>(m) < fc->matter_count()) return fc->matter_id(m);
  return m < 0 ? std::string("chain") : fmt::format("#{}", m);
}

json extension_json(const Extension& e) {
  return {{"basis", to_string(e.basis)}, {"days", e.days}, {"approver", e.approver},
          {"approved_on", e.approved_on.to_string()}, {"reason", e.reason}};
}

struct EntryJson {
  const FlowChain* fc;
  json operator()(const event::Submitted& e) const {
    json j{{"fields", to_json(*e.fields)}, {"materials", *e.materials}, {"channel", to_string(e.channel)}};
    if (e.agent) j["agent"] = agent_json(*e.agent);
    if (!e.commitments.empty()) {
      json ids = json::array();
      for (int m : e.commitments) ids.push_back(matter_name(fc, m));
      j["commitments"] = ids;
    }
    if (e.reuse) j["reuse_consent"] = true;
    return j;
  }
  json operator()(const event::Supplemented& e) const {
    return {{"fields", to_json(e.fields)}, {"materials", e.materials}, {"in_person", e.in_person}};
  }
  json operator()(const event::TaskApproved& e) const {
    return {{"matter", matter_name(fc, e.matter)}, {"attempt", e.attempt}, {"produced", to_json(e.produced)}};
  }
  json operator()(const event::TaskRejected& e) const {
    return {{"matter", matter_name(fc, e.matter)}, {"attempt", e.attempt}, {"reason", e.reason}};
  }
  json operator()(const event::SupplementRequested& e) const {
    return {{"matter", matter_name(fc, e.matter)}, {"attempt", e.attempt}, {"items", e.items}, {"reason", e.reason}};
  }
  json operator()(const event::TaskSuspended& e) const {
    json j{{"matter", matter_name(fc, e.matter)}, {"attempt", e.attempt}, {"suspension", to_string(e.reason)},
           {"note", e.note}};
    if (e.told_days) j["told_days"] = *e.told_days;
    return j;
  }
  json operator()(const event::TaskResumed& e) const {
    return {{"matter", matter_name(fc, e.matter)}, {"attempt", e.attempt}};
  }
  json operator()(const event::TaskIncident& e) const {
    return {{"matter", matter_name(fc, e.matter)}, {"attempt", e.attempt}, {"error", e.error}};
  }
  json operator()(const event::TaskRetried& e) const { return {{"matter", matter_name(fc, e.matter)}}; }
  json operator()(const event::TimerFired&) const { return json::object(); }
  json operator()(const event::Extended& e) const {
    return {{"matter", e.matter < 0 ? std::string() : matter_name(fc, e.matter)}, {"extension", extension_json(e.extension)}};
  }
  json operator()(const event::Withdrawn& e) const { return {{"reason", e.reason}}; }
  json operator()(const event::Delivered& e) const {
    return {{"method", to_string(e.method)}, {"tracking", e.tracking}};
  }
  json operator()(const event::Rated& e) const {
    return {{"grade", e.grade}, {"label", grade_label(e.grade)},
            {"matter", e.matter < 0 ? json() : json(matter_name(fc, e.matter))}, {"comment", e.comment}};
  }
  json operator()(const event::FollowedUp& e) const {
    return {{"rating", e.rating + 1}, {"step", to_string(e.step)}, {"note", e.note}};
  }
  json operator()(const event::FileAttached& e) const {
    return {{"material", e.material}, {"name", e.name}, {"media_type", e.media_type}, {"bytes", e.bytes}, {"sha256", e.sha256}};
  }
  json operator()(const note::Released& n) const {
    return {{"matter", matter_name(fc, n.matter)}, {"attempt", n.attempt}, {"officer", n.officer}};
  }
  json operator()(const note::Urged& n) const {
    return {{"matter", n.matter < 0 ? json() : json(matter_name(fc, n.matter))}, {"note", n.note}};
  }
  json operator()(const note::Claimed& n) const {
    return {{"matter", matter_name(fc, n.matter)}, {"attempt", n.attempt}, {"officer", n.officer}};
  }
  json operator()(const note::DeliveryFailed& n) const {
    json j{{"matter", matter_name(fc, n.matter)}, {"attempt", n.attempt}, {"delivery", n.delivery}, {"error", n.error}};
    if (n.retry_at_ms > 0) j["retry_at_ms"] = n.retry_at_ms;
    return j;
  }
};

struct EntrySummary {
  const FlowChain* fc;
  std::string operator()(const event::Submitted& e) const {
    return fmt::format("application submitted ({}, {} fields, {} materials)", to_string(e.channel), e.fields->size(),
                       e.materials->size());
  }
  std::string operator()(const event::Supplemented& e) const {
    return fmt::format("applicant supplied {} fields, {} materials{}", e.fields.size(), e.materials.size(),
                       e.in_person ? " in person" : "");
  }
  std::string operator()(const event::TaskApproved& e) const {
    return fmt::format("{} approved (attempt {})", matter_name(fc, e.matter), e.attempt);
  }
  std::string operator()(const event::TaskRejected& e) const {
    return fmt::format("{} rejected (attempt {}): {}", matter_name(fc, e.matter), e.attempt, e.reason);
  }
  std::string operator()(const event::SupplementRequested& e) const {
    return fmt::format("{} asks for supplements: {}", matter_name(fc, e.matter), fmt::join(e.items, ", "));
  }
  std::string operator()(const event::TaskSuspended& e) const {
    return fmt::format("{} suspended for {}", matter_name(fc, e.matter), to_string(e.reason));
  }
  std::string operator()(const event::TaskResumed& e) const {
    return fmt::format("{} resumed", matter_name(fc, e.matter));
  }
  std::string operator()(const event::TaskIncident& e) const {
    return fmt::format("{} in incident (attempt {}): {}", matter_name(fc, e.matter), e.attempt, e.error);
  }
  std::string operator()(const event::TaskRetried& e) const {
    return fmt::format("{} sent to its department again", matter_name(fc, e.matter));
  }
  std::string operator()(const event::TimerFired&) const { return "alert levels re-read"; }
  std::string operator()(const event::Extended& e) const {
    return fmt::format("{} extended by {} working days ({}, {})", e.matter < 0 ? "the chain's limit" : matter_name(fc, e.matter),
                       e.extension.days, to_string(e.extension.basis), e.extension.approver);
  }
  std::string operator()(const event::Withdrawn& e) const {
    return e.reason.empty() ? "withdrawn by the applicant" : fmt::format("withdrawn by the applicant: {}", e.reason);
  }
  std::string operator()(const event::Delivered& e) const {
    return e.tracking.empty() ? fmt::format("results delivered ({})", to_string(e.method))
                              : fmt::format("results delivered ({}, {})", to_string(e.method), e.tracking);
  }
  std::string operator()(const event::Rated& e) const {
    return fmt::format("好差评: {} rated {} ({}){}", e.matter < 0 ? std::string("the case") : matter_name(fc, e.matter),
                       e.grade, grade_label(e.grade), e.comment.empty() ? "" : ": " + e.comment);
  }
  std::string operator()(const event::FollowedUp& e) const {
    return fmt::format("rating {} follow-up: {}{}", e.rating + 1, to_string(e.step), e.note.empty() ? "" : ": " + e.note);
  }
  std::string operator()(const event::FileAttached& e) const {
    return fmt::format("file of {} handed in: {} ({}, {} bytes, SHA-256 {}…)", e.material, e.name, e.media_type, e.bytes,
                       e.sha256.substr(0, 12));
  }
  std::string operator()(const note::Released& n) const {
    return fmt::format("{} released (held by {})", matter_name(fc, n.matter), n.officer);
  }
  std::string operator()(const note::Urged& n) const {
    const std::string what = n.matter < 0 ? std::string("the case") : matter_name(fc, n.matter);
    return n.note.empty() ? fmt::format("督办: {} urged on", what) : fmt::format("督办: {} urged on: {}", what, n.note);
  }
  std::string operator()(const note::Claimed& n) const {
    return fmt::format("{} claimed by {}", matter_name(fc, n.matter), n.officer);
  }
  std::string operator()(const note::DeliveryFailed& n) const {
    return fmt::format("delivery {} of {} (attempt {}) failed: {}{}", n.delivery, matter_name(fc, n.matter), n.attempt,
                       n.error, n.retry_at_ms > 0 ? "; will retry" : "");
  }
};

}  // namespace

json entry_to_json(const EntryBody& body, const FlowChain* chain) {
  EntryJson v{chain};
  if (const auto* e = std::get_if<EventBody>(&body)) return std::visit(v, *e);
  return std::visit(v, std::get<Note>(body));
}

std::string entry_summary(const EntryBody& body, const FlowChain* chain) {
  EntrySummary v{chain};
  if (const auto* e = std::get_if<EventBody>(&body)) return std::visit(v, *e);
  return std::visit(v, std::get<Note>(body));
}

}  // namespace yilian::detail
