// The flow accepts an application exactly when the form's checker (the
// rules of `yilian check`) finds it complete, refuses it when the checker
// finds an invalid value, and its notice lists what the checker lists: one
// rule, checked on random applications to three chains.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "flow_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace flow_missing_test {

namespace {

void compare_on_random_applications(const FlowChain& fc, std::uint64_t seed, CheckMemo* memo) {
  const Chain& c = fc.chain();
  std::mt19937_64 rng(seed);
  std::vector<std::string> keys = c.field_keys();
  keys.emplace_back("zz.not_in_chain");
  keys.emplace_back("a.before_everything");
  std::vector<std::string> mats;
  for (const auto& m : c.materials) mats.push_back(m.id);
  mats.emplace_back("unknown-material");
  for (int round = 0; round < 300; ++round) {
    FieldValues values;
    std::vector<std::string> given;
    const double p = std::uniform_real_distribution<>(0, 1)(rng);
    for (const auto& k : keys) {
      const double u = std::uniform_real_distribution<>(0, 1)(rng);
      if (u < p) {
        const Field* f = c.find_field(k);
        // Numbers on both sides of the kindergarten's 1000 m² threshold,
        // both booleans, and now and then an explicit "no value".
        if (u < p * 0.1) values[k] = std::monostate{};
        else if (f && f->type == FieldType::boolean) values[k] = (rng() & 1) == 1;
        else if (f && (f->type == FieldType::area || f->type == FieldType::number)) values[k] = (rng() & 1) ? 1200.0 : 600.0;
        else if (f && f->type == FieldType::enumeration && !f->values.empty()) values[k] = f->values[rng() % f->values.size()];
        else values[k] = std::string("值");
      }
    }
    for (const auto& m : mats)
      if (std::uniform_real_distribution<>(0, 1)(rng) < p) given.push_back(m);
    std::sort(given.begin(), given.end());
    // Checked as for a case accepted on the submission's day (2025-03-03,
    // a Monday, before closing): a chain with versions of a matter
    // (valid_from / valid_until) asks what is in force then.
    const CheckResult checked = fc.check(values, given, fc.check_date(*Date::parse("2025-03-03")));
    // Two applicants hand in one shared application: with a memo the
    // second is answered from it, and must be answered alike.
    const Event submitted{at("2025-03-03T09:00"), event::Submitted{values, given, Channel::online}};
    CaseState state = new_case(fc, 1);
    std::vector<Command> out;
    bool refused = false;
    for (int applicant = 0; applicant < 2; ++applicant) {
      state = new_case(fc, 1);
      out.clear();
      const StepOutcome r = step(fc, state, submitted, out, memo);
      refused = r.result == StepResult::invalid;
      // Invalid values are corrected before an application is taken: the
      // submission is refused, naming each, and changes nothing.
      CHECK(refused == !checked.invalid.empty());
      if (refused) {
        CHECK(state == new_case(fc, 1));
        CHECK(out.empty());
        for (const InvalidItem& i : checked.invalid) CHECK(r.reason.find(i.key) != std::string::npos);
      }
    }
    if (refused) continue;
    CHECK((state.stage == CaseStage::incomplete) == !checked.complete);
    const command::SendNotice* notice = nullptr;
    for (const auto& cmd : out)
      if (const auto* n = std::get_if<command::SendNotice>(&cmd)) notice = n;
    CHECK((notice != nullptr) == !checked.complete);
    if (!notice) continue;
    REQUIRE(notice->missing.size() == checked.missing.size());
    for (std::size_t i = 0; i < notice->missing.size(); ++i) {
      CHECK(notice->missing[i].key == checked.missing[i].key);
      CHECK(notice->missing[i].needed_by.size() == checked.missing[i].needed_by.size());
    }
    REQUIRE(notice->invalid.size() == checked.invalid.size());
    for (std::size_t i = 0; i < notice->invalid.size(); ++i) CHECK(notice->invalid[i].key == checked.invalid[i].key);
  }
}

}  // namespace

TEST_CASE("flow.submit.accepts_what_the_checker_accepts") {
  for (bool reuse : {false, true}) {
    CAPTURE(reuse);
    CheckMemo memo;
    CheckMemo* m = reuse ? &memo : nullptr;
    compare_on_random_applications(*flow_chain(), 1, m);
    Loaded<ValidChain> k = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml");
    REQUIRE(k.ok());
    compare_on_random_applications(*FlowChain::compile(k.value(), cn_mainland()), 2, m);
    Loaded<ValidChain> h = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/hotel-restaurant.yaml");
    REQUIRE(h.ok());
    compare_on_random_applications(*FlowChain::compile(h.value(), cn_mainland()), 3, m);
  }
}

TEST_CASE("flow.submit.remembered_verdicts_never_answer_for_changed_lists") {
  // With a memo, an incomplete application is remembered; a case that
  // supplements it has changed lists (its own copy: were they edited in
  // place, the remembered verdict would answer "incomplete"), so it is
  // checked again and accepted; the event's lists stay unchanged.
  CheckMemo memo;
  Driver first;
  first.memo = &memo;
  std::optional<Event> incomplete{Event{at("2025-03-03T09:00"), event::Submitted{{{"x.flag", false}}, {"lease"}, Channel::window}}};
  REQUIRE(step(*first.fc, first.s, *incomplete, first.out, &memo).result == StepResult::applied);
  REQUIRE(first.s.stage == CaseStage::incomplete);
  incomplete.reset();  // only the case and the remembered verdict hold the lists now
  REQUIRE(first.apply("2025-03-04T09:00", event::Supplemented{{{"applicant.name", std::string("李四")}}, {}, false}).result ==
          StepResult::applied);
  CHECK(first.s.stage == CaseStage::running);
  CHECK(first.s.values->size() == 2);
  // The same application again (lists sent by one event to two cases).
  const Event shared{at("2025-03-05T09:00"), event::Submitted{{{"x.flag", false}}, {"lease"}, Channel::window}};
  for (CaseId id : {2, 3}) {
    CaseState next = new_case(*first.fc, id);
    std::vector<Command> out;
    REQUIRE(step(*first.fc, next, shared, out, &memo).result == StepResult::applied);
    CHECK(next.stage == CaseStage::incomplete);
    CHECK(next.notices == 1);
  }
}

TEST_CASE("flow.submit.merges_into_earlier_values") {
  // Supplements after an incomplete submission merge, keeping earlier values
  // and the sorted, duplicate-free material list.
  Driver d;
  REQUIRE(d.apply("2025-03-03T09:00", event::Submitted{{{"x.flag", false}}, {"lease", "lease"}, Channel::window}).result ==
          StepResult::applied);
  CHECK(d.s.materials == std::vector<std::string>{"lease"});
  REQUIRE(d.apply("2025-03-04T09:00", event::Supplemented{{{"applicant.name", std::string("李四")}}, {"licence", "lease"}, false})
              .result == StepResult::applied);
  CHECK(d.s.values->size() == 2);
  CHECK(std::get<bool>(d.s.values->at("x.flag")) == false);
  CHECK(d.s.materials == std::vector<std::string>{"lease", "licence"});
  CHECK(d.s.stage == CaseStage::running);
}

TEST_CASE("flow.submit.cases_share_the_application_and_never_change_it") {
  // Cases submitted with one event hold its lists without copying them;
  // a supplement or a produced value changes only that case.
  const Event ev{at("2025-03-03T09:00"),
                 event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {"lease"}, Channel::window}};
  const auto& sent = std::get<event::Submitted>(ev.body);
  Driver a, b;
  REQUIRE(step(*a.fc, a.s, ev, a.out).result == StepResult::applied);
  REQUIRE(step(*b.fc, b.s, ev, b.out).result == StepResult::applied);
  CHECK(a.s.values.same(sent.fields));
  CHECK(b.s.materials.same(sent.materials));
  REQUIRE(a.apply("2025-03-04T09:00", event::Supplemented{{{"applicant.name", std::string("李四")}}, {"licence"}, false})
              .result == StepResult::applied);
  CHECK(!a.s.values.same(sent.fields));
  CHECK(std::get<std::string>(a.s.values->at("applicant.name")) == "李四");
  CHECK(std::get<std::string>(sent.fields->at("applicant.name")) == "张三");
  CHECK(std::get<std::string>(b.s.values->at("applicant.name")) == "张三");
  CHECK(a.s.materials == std::vector<std::string>{"lease", "licence"});
  CHECK(sent.materials == std::vector<std::string>{"lease"});
  CHECK(b.s.materials.same(sent.materials));

  // Materials handed in out of order or twice are kept sorted, each once,
  // in the case's own copy.
  const Event unsorted{at("2025-03-03T09:00"), event::Submitted{{{"x.flag", false}}, {"licence", "lease", "licence"}, Channel::window}};
  Driver c;
  REQUIRE(step(*c.fc, c.s, unsorted, c.out).result == StepResult::applied);
  CHECK(c.s.materials == std::vector<std::string>{"lease", "licence"});
  CHECK(std::get<event::Submitted>(unsorted.body).materials == std::vector<std::string>{"licence", "lease", "licence"});

  // A second submission is invalid and changes nothing.
  const CaseState before = b.s;
  CHECK(step(*b.fc, b.s, ev, b.out).result == StepResult::invalid);
  CHECK(b.s == before);
}

TEST_CASE("flow.supplement.copies_only_what_changes_and_remembers_the_copies") {
  for (bool reuse : {false, true}) {
    CAPTURE(reuse);
    CheckMemo memo;
    CheckMemo* remember = reuse ? &memo : nullptr;
    const auto fc = flow_chain();
    const Shared<FieldValues> values{{"x.flag", false}};
    const Shared<std::vector<std::string>> materials{"lease"};
    // A supplement that repeats what is held changes nothing: no copy.
    Shared<FieldValues> v = values;
    Shared<std::vector<std::string>> m = materials;
    fc->supplement(v, m, {{"x.flag", false}}, {"lease"}, remember);
    CHECK(v.same(values));
    CHECK(m.same(materials));
    // A changed value and a new material: copies, in order, each once;
    // the lists given stay as they were.
    fc->supplement(v, m, {{"x.flag", true}, {"applicant.name", std::string("李四")}}, {"licence", "lease", "a-first"}, remember);
    CHECK_FALSE(v.same(values));
    CHECK_FALSE(m.same(materials));
    CHECK(std::get<bool>(v->at("x.flag")));
    CHECK(v->size() == 2);
    CHECK(*m == std::vector<std::string>{"a-first", "lease", "licence"});
    CHECK(std::get<bool>(values->at("x.flag")) == false);
    CHECK(*materials == std::vector<std::string>{"lease"});
    // A second case given the same supplement on the same lists: with
    // a memo it takes the first case's copies, otherwise its own.
    Shared<FieldValues> v2 = values;
    Shared<std::vector<std::string>> m2 = materials;
    fc->supplement(v2, m2, {{"x.flag", true}, {"applicant.name", std::string("李四")}}, {"licence", "lease", "a-first"}, remember);
    CHECK(v2 == v);
    CHECK(m2 == m);
    CHECK(v2.same(v) == reuse);
    CHECK(m2.same(m) == reuse);
    // A different supplement is never answered by the remembered one.
    Shared<FieldValues> v3 = values;
    Shared<std::vector<std::string>> m3 = materials;
    fc->supplement(v3, m3, {{"x.flag", true}, {"applicant.name", std::string("王五")}}, {"licence", "lease", "a-first"}, remember);
    CHECK(std::get<std::string>(v3->at("applicant.name")) == "王五");
    CHECK_FALSE(v3.same(v));
    CHECK(m3 == m);
  }
}

}  // namespace flow_missing_test
