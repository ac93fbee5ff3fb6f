// The stored bytes of every log entry kind and of a case's state, pinned:
// stores written today must read the same tomorrow, and the hash chain
// covers these bytes. An edit that reorders a variant's alternatives or an
// enum's values (the codec writes their positions) changes them and fails
// here; a deliberate change of the format needs a version bump, a reader of
// the old bytes, and then YILIAN_WRITE_GOLDEN=1 to rewrite
// tests/unit/fixtures/codec-golden.txt.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "flow_fixture.h"
#include "runtime/codec.h"
#include "runtime/store.h"

using namespace yilian;
using namespace yilian::test;
using namespace yilian::detail;

namespace codec_golden_test {

namespace {

std::string hex(std::string_view bytes) { return to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()); }

/// One of every entry kind, with content in every field.
std::vector<std::pair<std::string, EntryBody>> entries() {
  const Date day = *Date::parse("2025-03-04");
  Extension ext;
  ext.basis = ExtensionBasis::department_head;
  ext.days = 10;
  ext.approver = "局长";
  ext.approved_on = day;
  ext.reason = "情况复杂";
  return {
      {"submitted", EventBody{event::Submitted{FieldValues{{"a", true}, {"b", std::int64_t{-7}}, {"c", 2.5},
                                                           {"d", std::string("张三")}, {"e", ValueSet{"x", "y"}},
                                                           {"f", std::monostate{}}},
                                               std::vector<std::string>{"lease"}, Channel::online,
                                               Agent{"王帮办", "11010519491231002X", "13800000000"}, {1}}}},
      {"submitted-reuse",
       EventBody{event::Submitted{FieldValues{{"applicant.uscc", std::string("91371302MA3C4L7Q5H")}}, std::vector<std::string>{},
                                  Channel::window, std::nullopt, {},
                                  HolderRecord{"91371302MA3C4L7Q5H",
                                               {{"applicant.name", std::string("沂蒙优选"), 3}},
                                               {{"business-licence", "91371302MA3C4L7Q5H", "区市场监督管理局", day,
                                                 day + 1825, 3}}}}}},
      {"supplemented", EventBody{event::Supplemented{{{"g", std::int64_t{3}}}, {"photos"}, true}}},
      {"task-approved", EventBody{event::TaskApproved{2, 3, {{"a.kind", std::string("small")}}}}},
      {"task-rejected", EventBody{event::TaskRejected{1, 2, "不符合条件"}}},
      {"supplement-requested", EventBody{event::SupplementRequested{1, 1, {"lease", "applicant.name"}, "看不清"}}},
      {"task-suspended", EventBody{event::TaskSuspended{1, 1, SuspensionReason::expert_review, 15, "专家评审"}}},
      {"task-resumed", EventBody{event::TaskResumed{1, 1}}},
      {"task-incident", EventBody{event::TaskIncident{0, 4, "timeout"}}},
      {"task-retried", EventBody{event::TaskRetried{0}}},
      {"timer-fired", EventBody{event::TimerFired{}}},
      {"extended", EventBody{event::Extended{1, ext}}},
      {"withdrawn", EventBody{event::Withdrawn{"不办了"}}},
      {"delivered", EventBody{event::Delivered{DeliveryMethod::express, "SF123"}}},
      {"rated", EventBody{event::Rated{2, 1, "慢"}}},
      {"followed-up", EventBody{event::FollowedUp{1, FollowUpStep::appeal_upheld, "误评"}}},
      {"file-attached", EventBody{event::FileAttached{"lease", "租赁合同.pdf", "application/pdf", 12345,
                                                      std::string(64, 'a')}}},
      {"note-claimed", Note{note::Claimed{1, 2, "甲"}}},
      {"note-delivery-failed", Note{note::DeliveryFailed{1, 2, 3, "refused", 1741000000000}}},
      {"note-released", Note{note::Released{1, 2, "甲"}}},
      {"note-urged", Note{note::Urged{-1, "请加快"}}},
  };
}

/// A case's state with every part set.
CaseState state() {
  Driver d;
  CaseState s = d.s;
  const Date day = *Date::parse("2025-03-04");
  s.id = 7;
  s.stage = CaseStage::verifying;
  s.submitted_at = Instant::at(day, TimeOfDay::at(9, 30));
  s.channel = Channel::online;
  s.accepted_on = day;
  s.finished_on = day + 3;
  s.values = FieldValues{{"applicant.name", std::string("张三")}};
  s.produced = {{"a.kind", std::string("small")}};
  s.materials = std::vector<std::string>{"lease"};
  s.deferred = {"photos"};
  s.deferred_due = day + 14;
  s.deferred_alert = AlertLevel::yellow;
  s.tasks[0].status = TaskStatus::approved;
  s.tasks[0].attempt = 1;
  s.tasks[0].started = day;
  s.tasks[0].finished = day + 1;
  s.tasks[1].status = TaskStatus::verifying;
  s.tasks[1].committed = true;
  s.tasks[1].attempt = 2;
  s.tasks[1].note = "核查中";
  s.tasks[1].alert = AlertLevel::red;
  s.tasks[1].supervision = Supervision::first_level;
  s.tasks[2].status = TaskStatus::revoked;
  s.tasks[3].status = TaskStatus::suspended;
  s.tasks[3].stopped_since = day + 2;
  s.tasks[3].told_days = 20;
  s.alert = AlertLevel::yellow;
  s.timer = Instant::at(day + 5, TimeOfDay::at(0, 0));
  s.visits = 1;
  s.notices = 2;
  s.events = 9;
  s.reason = "";
  s.delivery = DeliveryMethod::electronic;
  s.closed_on = day + 4;
  Rating r;
  r.grade = 2;
  r.matter = 1;
  r.at = Instant::at(day + 4, TimeOfDay::at(10, 0));
  r.comment = "慢";
  r.follow_up = FollowUp{day + 5, day + 20, day + 5, std::nullopt, FollowUp::Appeal::pending, "回访"};
  s.ratings = {r};
  s.agent = Agent{"王帮办", "11010519491231002X", ""};
  s.reuse_consent = true;
  s.reused = {{Reused::Kind::field, "applicant.name", 3, ""}, {Reused::Kind::licence, "licence", 3, "L-001"}};
  return s;
}

std::map<std::string, std::string> read_golden(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  for (std::string name, bytes; in >> name >> bytes;) out[name] = bytes;
  return out;
}

}  // namespace

TEST_CASE("codec.golden.stored_bytes_of_every_entry_and_of_a_state_stay_the_same") {
  const std::string path = std::string(YILIAN_SOURCE_DIR) + "/tests/unit/fixtures/codec-golden.txt";
  const Actor actor{"窗口甲", Role::window, "", ActorChannel::window};
  std::vector<std::pair<std::string, std::string>> now;
  for (const auto& [name, body] : entries()) {
    now.emplace_back(name, hex(encode_entry(body)));
    now.emplace_back(name + "+actor", hex(encode_entry(body, &actor)));
    // What is read back is written again byte for byte.
    std::optional<Actor> back_actor;
    const auto back = decode_entry(encode_entry(body, &actor), &back_actor);
    REQUIRE_MESSAGE(back.has_value(), name);
    CHECK_MESSAGE(encode_entry(*back, back_actor ? &*back_actor : nullptr) == encode_entry(body, &actor), name);
  }
  const std::string st = encode_state(state());
  now.emplace_back("state", hex(st));
  CaseState back;
  REQUIRE(decode_state(st, back));
  CHECK(encode_state(back) == st);

  if (const char* w = std::getenv("YILIAN_WRITE_GOLDEN"); w && std::string(w) == "1") {
    std::ofstream out(path);
    for (const auto& [name, bytes] : now) out << name << ' ' << bytes << '\n';
    MESSAGE("rewrote " << path);
    return;
  }
  const auto golden = read_golden(path);
  REQUIRE_MESSAGE(golden.size() == now.size(), path << " lists " << golden.size() << " entries, the codec writes " << now.size());
  for (const auto& [name, bytes] : now) {
    CAPTURE(name);
    const auto it = golden.find(name);
    REQUIRE(it != golden.end());
    CHECK(it->second == bytes);
  }
}

}  // namespace codec_golden_test
