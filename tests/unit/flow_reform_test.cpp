// The reform's case rules in the flow core: 容缺受理 (deferred materials)
// and 好差评 (ratings and the follow-up of bad ones), transition by
// transition, and their state through the store codec.
#include <doctest/doctest.h>

#include <string>

#include "engine_fixture.h"
#include "flow_fixture.h"
#include "runtime/codec.h"
#include "runtime/json_codec.h"
#include "yilian/check.h"
#include "yilian/form_export.h"

using namespace yilian;
using namespace yilian::test;

namespace flow_reform_test {

namespace {

// The flow fixture's chain with a deferrable material on matter a, the
// deferral limit and the rating limits written out.
const std::string kReformChain = [] {
  // Built before any test runs: a text that does not match leaves the
  // chain as it is, and the tests below then fail on what they read.
  std::string s = kFlowChain;
  auto replace = [&](const std::string& from, const std::string& to) {
    if (const auto at = s.find(from); at != std::string::npos) s.replace(at, from.size(), to);
  };
  replace("promised_days: 15\n",
          "promised_days: 15\ndefer_within: \"5 working days\"\n"
          "ratings: { within: \"5 working days\", call_back: \"1 working day\", rectify: \"15 working days\" }\n");
  replace("  lease: { name: 租赁合同 }\n", "  lease: { name: 租赁合同 }\n  photos: { name: 场地照片, deferrable: true }\n");
  replace("    materials: [lease]\n", "    materials: [lease, photos]\n");
  replace("after: [a], materials: [licence] }",
          "after: [a], materials: [licence], commitment: optional, verify_within: \"10 working days\" }");
  return s;
}();

struct Reform : Driver {
  Reform() : Driver({}, kReformChain.c_str()) {}
  /// A complete application but for the deferrable photos.
  void submit_without_photos(const char* when) {
    auto r = apply(when, event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {"lease"}, Channel::window});
    REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  }
  /// Approves every matter that applies (a small, so b then d).
  void approve_all(const char* when) {
    approve(when, "a", {{"a.kind", std::string("small")}});
    approve(when, "b");
    approve(when, "d");
  }
  StepOutcome rate(const char* when, int grade, const char* matter = nullptr) {
    return apply(when, event::Rated{grade, matter ? m(matter) : -1, "意见"});
  }
  StepOutcome follow(const char* when, std::uint32_t rating, FollowUpStep step, std::string note = "记录") {
    return apply(when, event::FollowedUp{rating, step, std::move(note)});
  }
};

}  // namespace

TEST_CASE("flow.defer.missing_deferrable_materials_do_not_stop_acceptance") {
  Reform d;
  d.submit_without_photos("2025-03-03T09:00");  // a Monday
  CHECK(d.s.stage == CaseStage::running);
  CHECK(d.s.accepted_on == D("2025-03-03"));
  CHECK(d.s.deferred == std::vector<std::string>{"photos"});
  // Five working days from the acceptance date, the start day not counted.
  CHECK(d.s.deferred_due == D("2025-03-10"));
  auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].kind == command::SendNotice::Kind::deferred);
  REQUIRE(notices[0].missing.size() == 1);
  CHECK(notices[0].missing[0].key == "photos");
  CHECK(notices[0].due == D("2025-03-10"));
  CHECK(d.s.notices == 1);
  CHECK(d.dispatched() == std::vector<std::string>{"a"});
}

TEST_CASE("flow.defer.a_missing_required_material_still_makes_the_application_incomplete") {
  Reform d;
  REQUIRE(d.apply("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {}, Channel::window})
              .result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::incomplete);
  auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  std::vector<std::string> keys;
  for (const auto& x : notices[0].missing) keys.push_back(x.key);
  CHECK(keys == std::vector<std::string>{"lease"});  // the photos may come later
  // The lease arrives: accepted that day, the photos deferred from then.
  REQUIRE(d.apply("2025-03-05T10:00", event::Supplemented{{}, {"lease"}, true}).result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::running);
  CHECK(d.s.deferred_due == D("2025-03-12"));
  REQUIRE(d.commands<command::SendNotice>().size() == 1);
  CHECK(d.commands<command::SendNotice>()[0].kind == command::SendNotice::Kind::deferred);
}

TEST_CASE("flow.defer.results_are_held_until_the_deferred_materials_arrive") {
  Reform d;
  d.submit_without_photos("2025-03-03T09:00");
  d.approve_all("2025-03-04T09:00");
  CHECK(d.s.stage == CaseStage::ready);
  CHECK(d.commands<command::ReadyForDelivery>().empty());
  auto r = d.apply("2025-03-05T09:00", event::Delivered{});
  CHECK(r.result == StepResult::invalid);
  CHECK(r.reason.find("photos") != std::string::npos);
  CHECK(r.reason.find("2025-03-10") != std::string::npos);
  CHECK(d.s.stage == CaseStage::ready);
  // A supplement without the photos leaves them outstanding.
  REQUIRE(d.apply("2025-03-06T09:00", event::Supplemented{{}, {"lease"}, false}).result == StepResult::applied);
  CHECK(d.commands<command::ReadyForDelivery>().empty());
  // The photos arrive: results can be handed out.
  REQUIRE(d.apply("2025-03-07T09:00", event::Supplemented{{}, {"photos"}, true}).result == StepResult::applied);
  CHECK(d.s.deferred.empty());
  CHECK(d.commands<command::ReadyForDelivery>().size() == 1);
  CHECK(d.apply("2025-03-07T10:00", event::Delivered{}).result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::delivered);
  // Nothing more is taken once delivered.
  CHECK(d.apply("2025-03-08T10:00", event::Supplemented{{}, {"photos"}, true}).result == StepResult::invalid);
}

TEST_CASE("flow.defer.late_deferred_materials_turn_the_case_red_and_arriving_clears_it") {
  Reform d;
  d.submit_without_photos("2025-03-03T09:00");
  auto timers = d.commands<command::ArmTimer>();
  REQUIRE_FALSE(timers.empty());
  // Yellow on the due day's threshold, red the day after the due day.
  REQUIRE(d.apply("2025-03-11T09:00", event::TimerFired{}).result == StepResult::applied);
  CHECK(d.s.deferred_alert == AlertLevel::red);
  bool red = false;
  for (const auto& a : d.commands<command::Alert>())
    if (a.deferred && a.level == AlertLevel::red && a.deadline == D("2025-03-10")) red = true;
  CHECK(red);
  // The limit of the case itself is not touched by the deferral.
  CHECK(d.s.alert == AlertLevel::green);
  REQUIRE(d.apply("2025-03-12T09:00", event::Supplemented{{}, {"photos"}, true}).result == StepResult::applied);
  CHECK(d.s.deferred_alert == AlertLevel::green);
  bool cleared = false;
  for (const auto& a : d.commands<command::Alert>())
    if (a.deferred && a.level == AlertLevel::green) cleared = true;
  CHECK(cleared);
}

TEST_CASE("flow.ratings.who_may_rate_what_and_when") {
  struct Row {
    const char* what;
    const char* when;
    int grade;
    const char* matter;
    StepResult want;
  };
  // The case is delivered on 2025-03-07 (a Friday); five working days
  // after it end on 2025-03-14.
  const Row rows[] = {
      {"a grade below 1", "2025-03-07T11:00", 0, nullptr, StepResult::invalid},
      {"a grade above 5", "2025-03-07T11:00", 6, nullptr, StepResult::invalid},
      {"a matter that never applied", "2025-03-07T11:00", 4, "c", StepResult::invalid},
      {"the case, on the last day", "2025-03-14T16:00", 4, nullptr, StepResult::applied},
      {"the case, a day late", "2025-03-17T09:00", 4, nullptr, StepResult::invalid},
      {"a handled matter", "2025-03-10T09:00", 5, "a", StepResult::applied},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    Reform d;
    d.submit("2025-03-03T09:00", false);
    REQUIRE(d.apply("2025-03-04T09:00", event::Supplemented{{}, {"photos"}, false}).result == StepResult::applied);
    d.approve_all("2025-03-05T09:00");
    REQUIRE(d.apply("2025-03-07T10:00", event::Delivered{}).result == StepResult::applied);
    CHECK(d.s.closed_on == D("2025-03-07"));
    const auto before = d.s.ratings.size();
    const StepOutcome r = d.rate(row.when, row.grade, row.matter);
    CHECK(r.result == row.want);
    CHECK(d.s.ratings.size() == before + (row.want == StepResult::applied ? 1 : 0));
  }
}

TEST_CASE("flow.ratings.each_is_rated_once_and_not_before_submission") {
  Reform d;
  CHECK(d.rate("2025-03-03T08:00", 5).result == StepResult::invalid);
  d.submit("2025-03-03T09:00", false);
  // During handling (一次一评 at the window) a rating is taken.
  CHECK(d.rate("2025-03-03T09:30", 5).result == StepResult::applied);
  auto again = d.rate("2025-03-03T09:40", 1);
  CHECK(again.result == StepResult::invalid);
  CHECK(again.reason.find("rated already") != std::string::npos);
  CHECK(d.rate("2025-03-03T09:50", 3, "b").result == StepResult::invalid);  // b waits for a
  CHECK(d.s.ratings.size() == 1);
  CHECK_FALSE(d.s.ratings[0].follow_up.has_value());
}

TEST_CASE("flow.ratings.a_bad_rating_is_called_back_rectified_and_may_be_appealed") {
  Reform d;
  d.submit("2025-03-03T09:00", false);
  REQUIRE(d.rate("2025-03-04T10:00", 2, "a").result == StepResult::applied);  // a Tuesday
  REQUIRE(d.s.ratings[0].follow_up.has_value());
  const FollowUp& f = *d.s.ratings[0].follow_up;
  CHECK(f.call_back_due == D("2025-03-05"));
  CHECK(f.rectify_due == D("2025-03-25"));
  using S = FollowUpStep;
  CHECK(d.follow("2025-03-04T11:00", 1, S::called_back).result == StepResult::invalid);  // no rating 2
  CHECK(d.follow("2025-03-04T11:00", 0, S::rectified).result == StepResult::invalid);    // call back first
  CHECK(d.follow("2025-03-04T11:00", 0, S::appeal_upheld).result == StepResult::invalid);  // nothing to review
  CHECK(d.follow("2025-03-04T11:00", 0, S::appealed, "").result == StepResult::invalid);    // an appeal says why
  REQUIRE(d.follow("2025-03-05T09:00", 0, S::called_back).result == StepResult::applied);
  CHECK(d.follow("2025-03-05T10:00", 0, S::called_back).result == StepResult::invalid);     // once
  REQUIRE(d.follow("2025-03-05T11:00", 0, S::appealed, "申请人对法定要求有误解").result == StepResult::applied);
  CHECK(d.follow("2025-03-06T09:00", 0, S::rectified).result == StepResult::invalid);       // under review
  CHECK(d.follow("2025-03-06T09:00", 0, S::appealed, "再次").result == StepResult::invalid);
  REQUIRE(d.follow("2025-03-10T09:00", 0, S::appeal_rejected, "复核维持差评").result == StepResult::applied);
  REQUIRE(d.follow("2025-03-20T09:00", 0, S::rectified, "已整改并反馈").result == StepResult::applied);
  CHECK(d.s.ratings[0].follow_up->rectified == D("2025-03-20"));
  CHECK(d.s.ratings[0].follow_up->closed());
  CHECK(d.follow("2025-03-21T09:00", 0, S::called_back).result == StepResult::invalid);  // closed

  // An upheld appeal sets the rating aside and closes the follow-up.
  Reform e;
  e.submit("2025-03-03T09:00", false);
  REQUIRE(e.rate("2025-03-04T10:00", 1).result == StepResult::applied);
  REQUIRE(e.follow("2025-03-04T11:00", 0, S::appealed, "恶意差评").result == StepResult::applied);
  REQUIRE(e.follow("2025-03-05T11:00", 0, S::appeal_upheld, "复核属实").result == StepResult::applied);
  CHECK(e.s.ratings[0].follow_up->appeal == FollowUp::Appeal::upheld);
  CHECK(e.s.ratings[0].follow_up->closed());
  CHECK(e.follow("2025-03-06T11:00", 0, S::rectified).result == StepResult::invalid);
  // A good rating has no follow-up.
  REQUIRE(e.rate("2025-03-04T10:00", 4, "a").result == StepResult::applied);
  CHECK(e.follow("2025-03-06T11:00", 1, S::called_back).result == StepResult::invalid);
}

TEST_CASE("flow.reform.state_round_trips_through_the_store_codec") {
  Reform d;
  d.submit_without_photos("2025-03-03T09:00");
  REQUIRE(d.apply("2025-03-11T09:00", event::TimerFired{}).result == StepResult::applied);
  REQUIRE(d.rate("2025-03-11T10:00", 2).result == StepResult::applied);
  REQUIRE(d.follow("2025-03-12T10:00", 0, FollowUpStep::called_back, "已回访").result == StepResult::applied);
  const std::string bytes = detail::encode_state(d.s);
  CaseState back;
  REQUIRE(detail::decode_state(bytes, back));
  CHECK(back.deferred == d.s.deferred);
  CHECK(back.deferred_due == d.s.deferred_due);
  CHECK(back.deferred_alert == AlertLevel::red);
  REQUIRE(back.ratings.size() == 1);
  CHECK(back.ratings[0].grade == 2);
  CHECK(back.ratings[0].at == d.s.ratings[0].at);
  CHECK(back.ratings[0].comment == "意见");
  REQUIRE(back.ratings[0].follow_up.has_value());
  CHECK(back.ratings[0].follow_up->called_back == D("2025-03-12"));
  CHECK(back.ratings[0].follow_up->note == "已回访");
  CHECK(detail::encode_state(back) == bytes);
}

TEST_CASE("flow.reform.chain_limits_are_read_and_bad_ones_located") {
  auto fc = flow_chain({}, kReformChain.c_str());
  CHECK(fc->chain().defer_within == Limit{5});
  CHECK(fc->chain().ratings.call_back == Limit{1});
  // Defaults when not written.
  auto plain = flow_chain();
  CHECK(plain->chain().defer_within == Limit{10});
  CHECK(plain->chain().ratings.within == Limit{5});
  CHECK(plain->chain().ratings.rectify == Limit{15});
  std::string bad = kFlowChain;
  bad.insert(bad.find("departments:"), "ratings: { within: soon, later: \"3 days\" }\ndefer_within: 10\n");
  Loaded<ValidChain> r = load_chain_text(bad, "bad.yaml");
  CHECK_FALSE(r.ok());
  std::vector<std::string> codes;
  for (const auto& x : r.diagnostics) codes.push_back(x.code + " " + std::to_string(x.where.line));
  CHECK(codes == std::vector<std::string>{"limit 6", "unknown-key 6", "type 7"});
}

TEST_CASE("flow.agent.acts_with_the_applicants_authorisation_and_is_on_the_record") {
  const Agent agent{"王帮办", "11010519491231002X", ""};
  const FieldValues fields{{"applicant.name", std::string("张三")}, {"x.flag", false}};
  struct Row {
    const char* what;
    std::vector<std::string> materials;
    Agent who;
    StepResult want;
  };
  const Row rows[] = {
      {"without the authorisation", {"lease", "photos"}, agent, StepResult::invalid},
      {"an agent without an ID number", {"agent-authorisation", "lease", "photos"}, Agent{"王帮办", "", ""},
       StepResult::invalid},
      {"with the authorisation", {"agent-authorisation", "lease", "photos"}, agent, StepResult::applied},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    Reform d;
    const auto r = d.apply("2025-03-03T09:00", event::Submitted{fields, row.materials, Channel::window, row.who});
    CHECK(r.result == row.want);
    if (row.want != StepResult::applied) {
      CHECK(d.s.stage == CaseStage::created);
      CHECK(r.reason.find("agent") != std::string::npos);
      continue;
    }
    // Accepted: the authorisation is a material every chain knows, the
    // agent is on the record, and the visit is the agent's, not the applicant's.
    CHECK(d.s.stage == CaseStage::running);
    REQUIRE(d.s.agent.has_value());
    CHECK(d.s.agent->name == "王帮办");
    CHECK(d.s.visits == 0);
  }
  // Without an agent the window visit is the applicant's.
  Reform own;
  own.submit("2025-03-03T09:00", false);
  CHECK(own.s.visits == 1);
  CHECK_FALSE(own.s.agent.has_value());
}

TEST_CASE("flow.agent.the_check_asks_for_the_authorisation_and_the_loader_checks_the_agent") {
  auto fc = flow_chain({}, kReformChain.c_str());
  Loaded<Application> a = parse_application_text(
      "chain: flowtest\nfields: { applicant.name: 张三, x.flag: false }\nmaterials: [lease, photos]\n"
      "agent: { name: 王帮办, id_number: \"11010519491231002X\" }\n",
      "app.yaml");
  REQUIRE(a.ok());
  REQUIRE(a->agent);
  CheckResult r = fc->checker().check(a.value());
  CHECK_FALSE(r.complete);
  REQUIRE(r.missing.size() == 1);
  CHECK(r.missing[0].key == "agent-authorisation");
  CHECK(r.missing[0].label == "授权委托书（委托代办）");
  a->materials.push_back("agent-authorisation");
  CHECK(fc->checker().check(a.value()).complete);
  // Without an agent the authorisation is ignored, never an error.
  a->agent.reset();
  r = fc->checker().check(a.value());
  CHECK(r.complete);
  REQUIRE(r.ignored.size() == 1);
  CHECK(r.ignored[0].key == "agent-authorisation");
  // A wrong check character and a missing name are located errors.
  Loaded<Application> bad = parse_application_text(
      "chain: flowtest\nagent: { id_number: \"110105194912310021\", phone: \"12\" }\n", "bad.yaml");
  CHECK_FALSE(bad.ok());
  std::vector<std::string> codes;
  for (const auto& d : bad.diagnostics) codes.push_back(d.code + " " + std::to_string(d.where.line) + ":" + std::to_string(d.where.column));
  CHECK(codes == std::vector<std::string>{"missing-key 2:8", "id-card 2:21", "phone 2:50"});
}

namespace {
/// A case committed to matter b: submitted, a approved (small), so b is
/// approved on the commitment and d goes out at once.
Reform committed_case() {
  Reform d;
  auto r = d.apply("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}},
                                                       {"lease", "photos"}, Channel::window, std::nullopt, {1}});
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("small")}});
  return d;
}
}  // namespace

TEST_CASE("flow.commitment.approved_at_once_then_verified_after_delivery") {
  Reform d = committed_case();
  CHECK(d.status("b") == TaskStatus::verifying);
  CHECK(d.s.tasks[static_cast<std::size_t>(d.m("b"))].finished == D("2025-03-04"));
  // The verification goes to the department; d does not wait for it.
  CHECK(d.dispatched() == std::vector<std::string>{"b", "d"});
  d.approve("2025-03-05T09:00", "d");
  CHECK(d.s.stage == CaseStage::ready);
  CHECK(d.commands<command::ReadyForDelivery>().size() == 1);
  REQUIRE(d.apply("2025-03-05T10:00", event::Delivered{}).result == StepResult::applied);
  CHECK(d.s.stage == CaseStage::verifying);  // results out, the verification goes on
  CHECK_FALSE(d.s.closed_on.has_value());
  CHECK(d.apply("2025-03-05T11:00", event::Withdrawn{"x"}).result == StepResult::invalid);
  // Its limit runs from the approval: 10 working days, red after 2025-03-18.
  REQUIRE(d.apply("2025-03-19T09:00", event::TimerFired{}).result == StepResult::applied);
  CHECK(d.s.tasks[static_cast<std::size_t>(d.m("b"))].alert == AlertLevel::red);
  d.approve("2025-03-20T09:00", "b");  // the verification passed
  CHECK(d.status("b") == TaskStatus::approved);
  CHECK(d.s.stage == CaseStage::delivered);
  CHECK(d.s.closed_on == D("2025-03-20"));
}

TEST_CASE("flow.commitment.a_failed_verification_revokes_and_names_what_came_after") {
  SUBCASE("after delivery: the record keeps the revocation, the case closes") {
    Reform d = committed_case();
    d.approve("2025-03-05T09:00", "d");
    REQUIRE(d.apply("2025-03-05T10:00", event::Delivered{}).result == StepResult::applied);
    REQUIRE(d.apply("2025-03-10T09:00", event::TaskRejected{d.m("b"), d.attempt("b"), "现场与承诺不符"}).result ==
            StepResult::applied);
    CHECK(d.status("b") == TaskStatus::revoked);
    CHECK(d.s.tasks[static_cast<std::size_t>(d.m("b"))].note == "现场与承诺不符");
    CHECK(d.s.tasks[static_cast<std::size_t>(d.m("b"))].finished == D("2025-03-10"));  // the day it was revoked
    CHECK(revoked_dependents(*d.fc, d.s, d.m("b")) == std::vector<int>{d.m("d")});
    auto revoked = d.commands<command::NotifyRevoked>();
    REQUIRE(revoked.size() == 1);
    CHECK(revoked[0].matter == d.m("b"));
    CHECK(revoked[0].dependents == std::vector<int>{d.m("d")});
    CHECK(d.s.stage == CaseStage::delivered);
  }
  SUBCASE("while the case runs: it ends rejected and what came after is cancelled") {
    Reform d = committed_case();
    REQUIRE(d.apply("2025-03-05T09:00", event::TaskRejected{d.m("b"), d.attempt("b"), "承诺不实"}).result ==
            StepResult::applied);
    CHECK(d.status("b") == TaskStatus::revoked);
    CHECK(d.status("d") == TaskStatus::cancelled);
    CHECK(d.s.stage == CaseStage::rejected);
    CHECK(d.s.reason.find("核查未通过") != std::string::npos);
    REQUIRE(d.commands<command::NotifyRevoked>().size() == 1);
    CHECK(d.commands<command::NotifyRevoked>()[0].dependents == std::vector<int>{d.m("d")});
  }
}

TEST_CASE("flow.commitment.only_matters_that_allow_it_and_the_state_keeps_it") {
  Reform d;
  auto r = d.apply("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}},
                                                       {"lease", "photos"}, Channel::window, std::nullopt, {d.m("a")}});
  CHECK(r.result == StepResult::invalid);
  CHECK(r.reason.find("not approved on a commitment") != std::string::npos);
  // Without a commitment the matter goes the normal way.
  Reform plain;
  plain.submit("2025-03-03T09:00", false);
  plain.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("small")}});
  CHECK(plain.status("b") == TaskStatus::dispatched);
  // The codec keeps which tasks were committed.
  Reform c = committed_case();
  CaseState back;
  REQUIRE(detail::decode_state(detail::encode_state(c.s), back));
  CHECK(back.tasks[static_cast<std::size_t>(c.m("b"))].committed);
  CHECK_FALSE(back.tasks[static_cast<std::size_t>(c.m("a"))].committed);
  CHECK(back.tasks[static_cast<std::size_t>(c.m("b"))].status == TaskStatus::verifying);
  // The loader wants the verification's limit, and a limit needs a commitment.
  std::string bad = kFlowChain;
  bad.replace(bad.find("after: [b, c] }"), std::string("after: [b, c] }").size(), "after: [b, c], commitment: maybe }");
  bad.replace(bad.find("when: \"x.flag == true\" }"), std::string("when: \"x.flag == true\" }").size(),
              "when: \"x.flag == true\", verify_within: \"5 days\" }");
  Loaded<ValidChain> lr = load_chain_text(bad, "bad.yaml");
  CHECK_FALSE(lr.ok());
  std::vector<std::string> codes;
  for (const auto& x : lr.diagnostics) codes.push_back(x.code);
  std::sort(codes.begin(), codes.end());
  CHECK(codes == std::vector<std::string>{"commitment", "missing-key", "verify-without-commitment"});
}

// What the applicant reads and signs: the check names the deferred materials
// and the matters decided on a commitment, the notice says on what terms,
// and one commitment letter per committed matter (告知承诺书).
TEST_CASE("reform.documents.check_notice_and_letters_name_deferrals_and_commitments") {
  const Reform d;
  const Chain& chain = d.fc->chain();
  Application app;
  app.chain = "flowtest";
  app.fields = {{"applicant.name", std::string("张三")}, {"x.flag", false}};
  app.materials = {"lease", "agent-authorisation"};
  app.agent = Agent{"王帮办", "11010519491231002X", ""};
  SUBCASE("committed and deferred") {
    app.commitments = {"b"};
    const FormChecker checker(chain);
    const CheckResult r = checker.check(app);
    CHECK(r.complete);
    CHECK(r.committed_matters == std::vector<std::string>{"b"});
    REQUIRE(r.deferred.size() == 1);
    CHECK(r.deferred[0].key == "photos");
    const std::string json = check_to_json(r);
    CHECK(json.find("\"committed_matters\": [\n    \"b\"") != std::string::npos);
    CHECK(json.find("\"key\": \"photos\"") != std::string::npos);
    const std::string notice = notice_to_markdown(checker.form(), r);
    CHECK(notice.find("容缺受理：需要后补的材料（1 份）") != std::string::npos);
    CHECK(notice.find("请自受理之日起5个工作日内补交") != std::string::npos);
    CHECK(notice.find("| 1 | 场地照片 |") != std::string::npos);
    CHECK(notice.find("以告知承诺方式办理的事项（1 项）") != std::string::npos);
    CHECK(notice.find("| 1 | 事项乙 | 10个工作日 |") != std::string::npos);
    const std::string letters = commitment_letters_to_markdown(chain, r, &app);
    CHECK(letters.rfind("# 告知承诺书", 0) == 0);
    CHECK(letters.find("- 事项名称：事项乙") != std::string::npos);
    CHECK(letters.find("- 实施部门：乙局") != std::string::npos);
    CHECK(letters.find("设定依据：未载明") != std::string::npos);  // the chain names none; never guessed
    CHECK(letters.find("| 1 | 许可证 |") != std::string::npos);
    CHECK(letters.find("自作出决定之日起10个工作日内") != std::string::npos);
    CHECK(letters.find("代办人：王帮办") != std::string::npos);
    CHECK(letters.find("乙局（盖章）") != std::string::npos);
  }
  SUBCASE("nothing committed: no letter, no commitment section") {
    app.materials.push_back("photos");
    const FormChecker checker(chain);
    const CheckResult r = checker.check(app);
    CHECK(r.complete);
    CHECK(r.committed_matters.empty());
    CHECK(r.deferred.empty());
    CHECK(commitment_letters_to_markdown(chain, r, &app).empty());
    const std::string notice = notice_to_markdown(checker.form(), r);
    CHECK(notice.find("告知承诺") == std::string::npos);
    CHECK(notice.find("容缺") == std::string::npos);
  }
  SUBCASE("a commitment to a matter that does not apply is no letter") {
    std::string text = kReformChain;
    text.replace(text.find("after: [a], materials: [licence], commitment: optional"),
                 std::string("after: [a], materials: [licence], commitment: optional").size(),
                 "after: [a], materials: [licence], when: \"x.flag == true\", commitment: required");
    Loaded<ValidChain> lr = load_chain_text(text, "required.yaml");
    REQUIRE(lr.ok());
    const FormChecker checker(*lr.value());
    CHECK(checker.check(app).committed_matters.empty());  // x.flag is false: b does not apply
    app.fields["x.flag"] = true;
    CHECK(checker.check(app).committed_matters == std::vector<std::string>{"b"});  // required: no need to list it
  }
}

TEST_CASE("engine.defer.a_submission_receipt_says_what_is_owed_and_by_when") {
  // What `yilian serve` answers a submission with, without reading the
  // case back; the same through the inbox's JSON (a serve without an engine).
  ScratchDir dir("defer-receipt");
  TestClock clock;
  auto e = open_engine(dir.store(), test_options(clock));
  REQUIRE(e->load_chain_text(kReformChain, "flowtest.yaml").is_ok());
  request::Submit sub = flow_application(false);
  sub.idempotency_key = "window-1";
  auto r = e->apply(sub);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->stage == CaseStage::running);
  CHECK(r->deferred == std::vector<std::string>{"photos"});
  const CaseView v = view(*e, r->case_id);
  REQUIRE(v.deferred_due);
  CHECK(r->deferred_due == v.deferred_due);
  Loaded<ValidChain> chain = load_chain_text(kReformChain, "flowtest.yaml");
  REQUIRE(chain.ok());
  const std::vector<DeferredView> named = deferred_views(*chain.value(), r->deferred);
  REQUIRE(named.size() == 1);
  CHECK(named[0].label == "场地照片");
  CHECK(deferred_views(*chain.value(), {"no-such-material"}).at(0).label == "no-such-material");  // named by its id

  auto again = e->apply(sub);  // the same key: the same case, the same debt
  REQUIRE(again.is_ok());
  CHECK(again->result == StepResult::ignored);
  CHECK(again->case_id == r->case_id);
  CHECK(again->deferred == r->deferred);
  CHECK(again->deferred_due == r->deferred_due);

  auto back = detail::receipt_from_json(detail::receipt_to_json(*r));
  REQUIRE(back.is_ok());
  CHECK(back->deferred == r->deferred);
  CHECK(back->deferred_due == r->deferred_due);

  request::Submit whole = flow_application(false);  // the photos handed in: nothing owed
  whole.materials.push_back("photos");
  auto complete = e->apply(whole);
  REQUIRE(complete.is_ok());
  CHECK(complete->deferred.empty());
  CHECK_FALSE(complete->deferred_due);
  CHECK(detail::receipt_to_json(*complete).find("deferred") == std::string::npos);
  auto plain = detail::receipt_from_json(detail::receipt_to_json(*complete));
  REQUIRE(plain.is_ok());
  CHECK(plain->deferred.empty());
  CHECK_FALSE(plain->deferred_due);
  // An answer whose debt is malformed reads as owing nothing, never as a failure.
  auto odd = detail::receipt_from_json(R"({"ok":true,"case":1,"deferred":"photos","deferred_due":"someday"})");
  REQUIRE(odd.is_ok());
  CHECK(odd->deferred.empty());
  CHECK_FALSE(odd->deferred_due);
}

// A task lists the matter's materials the case holds. The engine matches a
// case's list against the chain once and again only when the list changed:
// a material handed in later (容缺受理) reaches the next delivery.
TEST_CASE("engine.defer.a_material_handed_in_later_reaches_the_next_delivery") {
  ScratchDir dir("defer-held");
  TestClock clock;
  auto e = open_engine(dir.store(), test_options(clock));
  REQUIRE(e->load_chain_text(kReformChain, "flowtest.yaml").is_ok());
  // The first attempt of a asks for a supplement; the second is approved.
  auto x = std::make_shared<ScriptedAdapter>([](const Task& t, const Completion& c) {
    if (t.matter != "a") return c.report(Outcome::approved());
    if (t.attempt == 1) return c.report(Outcome::supplement({"photos"}, "场地照片"));
    c.report(Outcome::approved({{"a.kind", std::string("small")}}));
  });
  REQUIRE(e->register_adapter("x", x).is_ok());
  auto r = e->apply(flow_application(false));  // the photos deferred
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  REQUIRE(r->deferred == std::vector<std::string>{"photos"});
  REQUIRE(eventually([&] { return view(*e, r->case_id).tasks.front().status == TaskStatus::supplement; }));
  auto more = e->apply(request::Supplement{r->case_id, {}, {"photos"}, false});
  REQUIRE_MESSAGE(more.is_ok(), more.status().to_string());
  REQUIRE(eventually([&] { return x->count() >= 2; }));
  std::vector<std::vector<std::string>> held;
  for (const Task& t : x->seen())
    if (t.matter == "a") held.push_back(t.materials);
  REQUIRE(held.size() == 2);
  CHECK(held[0] == std::vector<std::string>{"lease"});
  CHECK(held[1] == std::vector<std::string>{"lease", "photos"});
}

}  // namespace flow_reform_test
