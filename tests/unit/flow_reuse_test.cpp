// 一次收齐、后续反复使用 in the flow core: what an approval registers for its
// holder (command::Register), and what a submission with the applicant's
// consent takes from the holder's record (event::Submitted::reuse).
#include <doctest/doctest.h>

#include <string>

#include "flow_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace flow_reuse_test {

namespace {

const char* kIssuer = R"(id: issuer
version: 1
name: 发证链
lead: x
promised_days: 10
holder: applicant.id
departments:
  x: { name: 甲局 }
fields:
  applicant.name: { label: 申请人, type: string }
  applicant.id: { label: 身份证号码, type: id-card }
materials:
  form: { name: 申请表 }
  permit: { name: 许可证, licence: { kind: p-permit, number: permit.no, valid_for: "12 months" } }
matters:
  - id: a
    name: 发证
    department: x
    statutory_days: 10
    promised_days: 5
    fields: [applicant.name, applicant.id]
    materials: [form]
    results: [permit]
    produces:
      permit.no: { label: 许可证编号, type: string }
)";

const char* kUser = R"(id: user
version: 1
name: 用证链
lead: x
promised_days: 10
holder: applicant.id
departments:
  x: { name: 甲局 }
fields:
  applicant.name: { label: 申请人, type: string }
  applicant.id: { label: 身份证号码, type: id-card }
materials:
  old-permit: { name: 原许可证, source: issued, licence: { kind: p-permit } }
  plan: { name: 方案 }
matters:
  - id: b
    name: 变更
    department: x
    statutory_days: 10
    promised_days: 5
    fields: [applicant.name, applicant.id]
    materials: [old-permit, plan]
)";

const std::string kId = "11010519491231002X";

/// What chain `issuer` registers when its matter is approved on `day`.
HolderRecord issued(const char* day) {
  Driver d({}, kIssuer);
  auto r = d.apply("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("张三")}, {"applicant.id", kId}},
                                                        {"form"}, Channel::window});
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  d.approve(day, "a", {{"permit.no", std::string("P-001")}});
  auto regs = d.commands<command::Register>();
  REQUIRE(regs.size() == 1);
  return regs[0].record;
}

StepOutcome submit_user(Driver& d, const char* when, FieldValues fields, std::vector<std::string> materials,
                        std::optional<HolderRecord> reuse) {
  event::Submitted e{std::move(fields), std::move(materials), Channel::window};
  e.reuse = std::move(reuse);
  return d.apply(when, std::move(e));
}

}  // namespace

TEST_CASE("flow.reuse.an_approval_registers_what_its_matter_verified_and_issued") {
  const HolderRecord r = issued("2025-03-05T10:00");
  CHECK(r.holder == kId);
  REQUIRE(r.values.size() == 3);  // asked for: name, ID; produced: the permit's number
  CHECK(r.values[0].key == "applicant.name");
  CHECK(r.values[0].value == Value(std::string("张三")));
  CHECK(r.values[0].from_case == 1);
  CHECK(r.values[2].key == "permit.no");
  REQUIRE(r.licences.size() == 1);
  const HolderRecord::Licence& l = r.licences[0];
  CHECK(l.kind == "p-permit");
  CHECK(l.number == "P-001");
  CHECK(l.issuer == "甲局");
  CHECK(l.issued_on == D("2025-03-05"));
  CHECK(l.valid_until == D("2026-03-05"));  // 12 months: the corresponding day
  CHECK(l.from_case == 1);
}

TEST_CASE("flow.reuse.a_chain_without_a_holder_registers_nothing") {
  Driver d;  // the flow fixture's chain names no holder
  d.submit("2025-03-03T09:00", false);
  d.approve("2025-03-04T09:00", "a", {{"a.kind", std::string("small")}});
  CHECK(d.commands<command::Register>().empty());
}

TEST_CASE("flow.reuse.with_consent_the_values_lacking_and_a_valid_licence_are_taken") {
  Driver d({}, kUser);
  auto r = submit_user(d, "2025-06-02T09:00", {{"applicant.id", kId}}, {"plan"}, issued("2025-03-05T10:00"));
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.s.stage == CaseStage::running);
  CHECK(d.s.reuse_consent);
  REQUIRE(d.s.reused.size() == 2);
  CHECK(d.s.reused[0] == Reused{Reused::Kind::field, "applicant.name", 1, ""});
  CHECK(d.s.reused[1] == Reused{Reused::Kind::licence, "old-permit", 1, "P-001"});
  CHECK(*d.s.materials == std::vector<std::string>{"old-permit", "plan"});
  REQUIRE(d.s.value("applicant.name") != nullptr);
  CHECK(*d.s.value("applicant.name") == Value(std::string("张三")));
}

TEST_CASE("flow.reuse.a_value_this_chain_would_refuse_is_not_taken") {
  Driver d({}, kUser);
  HolderRecord record = issued("2025-03-05T10:00");
  for (auto& i : record.values)
    if (i.key == "applicant.name") i.value = std::int64_t{42};  // a number where this chain wants text
  auto r = submit_user(d, "2025-06-02T09:00", {{"applicant.id", kId}}, {"plan"}, record);
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.s.stage == CaseStage::incomplete);  // asked for, not refused
  REQUIRE(d.s.reused.size() == 1);
  CHECK(d.s.reused[0].key == "old-permit");
}

TEST_CASE("flow.reuse.what_the_application_gives_is_never_replaced") {
  Driver d({}, kUser);
  auto r = submit_user(d, "2025-06-02T09:00", {{"applicant.id", kId}, {"applicant.name", std::string("张三丰")}},
                       {"old-permit", "plan"}, issued("2025-03-05T10:00"));
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.s.reused.empty());
  CHECK(d.s.reuse_consent);
  CHECK(*d.s.value("applicant.name") == Value(std::string("张三丰")));
}

TEST_CASE("flow.reuse.without_consent_nothing_is_taken") {
  Driver d({}, kUser);
  auto r = submit_user(d, "2025-06-02T09:00", {{"applicant.id", kId}}, {"plan"}, std::nullopt);
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.s.stage == CaseStage::incomplete);
  CHECK_FALSE(d.s.reuse_consent);
  CHECK(d.s.reused.empty());
  const auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].missing.size() == 2);  // the name and the old permit
}

TEST_CASE("flow.reuse.an_expired_licence_is_asked_for_again") {
  Driver d({}, kUser);
  // Issued 2025-03-05, valid until 2026-03-05; the case would be accepted on 2026-03-06.
  auto r = submit_user(d, "2026-03-06T09:00", {{"applicant.id", kId}}, {"plan"}, issued("2025-03-05T10:00"));
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.s.stage == CaseStage::incomplete);
  REQUIRE(d.s.reused.size() == 1);
  CHECK(d.s.reused[0].key == "applicant.name");  // values do not expire
  const auto notices = d.commands<command::SendNotice>();
  REQUIRE(notices.size() == 1);
  REQUIRE(notices[0].missing.size() == 1);
  CHECK(notices[0].missing[0].key == "old-permit");
  // On its last valid day it is still taken.
  Driver on_time({}, kUser);
  r = submit_user(on_time, "2026-03-05T09:00", {{"applicant.id", kId}}, {"plan"}, issued("2025-03-05T10:00"));
  REQUIRE(r.result == StepResult::applied);
  CHECK(on_time.s.stage == CaseStage::running);
}

TEST_CASE("flow.reuse.a_holder_field_that_is_not_an_id_is_an_error") {
  std::string text = kUser;
  text.replace(text.find("holder: applicant.id"), 20, "holder: applicant.name");
  Loaded<ValidChain> r = load_chain_text(text, "user.yaml");
  REQUIRE_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.diagnostics) found = found || d.code == "holder-type";
  CHECK(found);
}

}  // namespace flow_reuse_test
