// FlowChain::missing() walks sorted key lists once per call (the
// simulator's hot path). This checks it against the plain definition — a
// lookup per key — on random applications to two chains.
#include <doctest/doctest.h>

#include <random>
#include <set>

#include "flow_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace {

using Missing = FlowChain::Missing;

/// The definition: condition fields first, then per matter (index order)
/// its asked fields and materials, each key once with every matter needing it.
std::vector<Missing> reference_missing(const FlowChain& fc, const FieldValues& values,
                                       const std::vector<std::string>& materials) {
  const Chain& c = fc.chain();
  std::vector<Missing> out;
  auto add = [&](Missing::Kind kind, const std::string& key, int matter) {
    for (auto& m : out)
      if (m.kind == kind && m.key == key) {
        if (matter >= 0) m.needed_by.push_back(matter);
        return;
      }
    out.push_back(Missing{kind, key, matter >= 0 ? std::vector<int>{matter} : std::vector<int>{}});
  };
  auto has = [&](const std::string& k) {
    auto it = values.find(k);
    return it != values.end() && !std::holds_alternative<std::monostate>(it->second);
  };
  auto asked = [&](const std::string& key) {
    if (!c.producer_of(key)) return true;
    const Field* f = c.find_field(key);
    return f && f->produced_by.empty() && f->prefer == Prefer::applicant;
  };
  std::set<std::string> cond;
  for (const auto& m : c.matters)
    for (const auto& k : m.when.fields())
      if (asked(k)) cond.insert(k);
  for (const auto& k : cond)
    if (!has(k)) add(Missing::Kind::field, k, -1);
  for (std::size_t i = 0; i < c.matters.size(); ++i) {
    const Matter& m = c.matters[i];
    if (m.when.evaluate(values) == Truth::no) continue;
    for (const auto& r : m.fields) {
      const Field* f = c.find_field(r.id);
      if (f && f->required && asked(r.id) && !has(r.id)) add(Missing::Kind::field, r.id, static_cast<int>(i));
    }
    for (const auto& r : m.materials)
      if (!c.issuer_of(r.id) && !std::binary_search(materials.begin(), materials.end(), r.id))
        add(Missing::Kind::material, r.id, static_cast<int>(i));
  }
  return out;
}

void compare_on_random_applications(const FlowChain& fc, std::uint64_t seed) {
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
    const auto fast = fc.missing(values, given);
    const auto ref = reference_missing(fc, values, given);
    REQUIRE(fast.size() == ref.size());
    for (std::size_t i = 0; i < fast.size(); ++i) {
      CHECK(fast[i].kind == ref[i].kind);
      CHECK(fast[i].key == ref[i].key);
      CHECK(fast[i].needed_by == ref[i].needed_by);
    }
  }
}

}  // namespace

TEST_CASE("flow.missing.matches_the_definition") {
  compare_on_random_applications(*flow_chain(), 1);
  LoadResult k = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml");
  REQUIRE(k.chain);
  compare_on_random_applications(*FlowChain::compile(k.chain, cn_mainland()), 2);
  LoadResult h = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/hotel-restaurant.yaml");
  REQUIRE(h.chain);
  compare_on_random_applications(*FlowChain::compile(h.chain, cn_mainland()), 3);
}

TEST_CASE("flow.submit.merges_into_earlier_values") {
  // Supplements after an incomplete submission merge, keeping earlier values
  // and the sorted, duplicate-free material list.
  Driver d;
  REQUIRE(d.apply("2025-03-03T09:00", event::Submitted{{{"x.flag", false}}, {"lease", "lease"}, Channel::window}).result ==
          StepResult::applied);
  CHECK(d.s.materials == std::vector<std::string>{"lease"});
  REQUIRE(d.apply("2025-03-04T09:00", event::Supplemented{{{"applicant.name", std::string("李四")}}, {"b-extra", "a-extra"}, false})
              .result == StepResult::applied);
  CHECK(d.s.values.size() == 2);
  CHECK(std::get<bool>(d.s.values.at("x.flag")) == false);
  CHECK(d.s.materials == std::vector<std::string>{"a-extra", "b-extra", "lease"});
  CHECK(d.s.stage == CaseStage::running);
}

TEST_CASE("flow.submit.moving_the_event_gives_the_same_case") {
  // step(Event&&) takes a first application's lists instead of copying
  // them: the same state and commands as step(const Event&), for complete,
  // incomplete and unsorted applications, and for a case already submitted.
  const std::vector<std::pair<FieldValues, std::vector<std::string>>> applications = {
      {{{"applicant.name", std::string("张三")}, {"x.flag", true}}, {"lease"}},
      {{{"x.flag", false}}, {}},
      {{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {"lease", "extra", "lease"}},
  };
  for (const auto& [fields, materials] : applications) {
    Driver a, b;
    const Event ev{at("2025-03-03T09:00"), event::Submitted{fields, materials, Channel::window}};
    const StepOutcome ra = step(*a.fc, a.s, ev, a.out);
    Event moved = ev;
    const StepOutcome rb = step(*b.fc, b.s, std::move(moved), b.out);
    CHECK(ra.result == rb.result);
    CHECK(a.s.values == b.s.values);
    CHECK(a.s.materials == b.s.materials);
    CHECK(a.s.stage == b.s.stage);
    CHECK(a.s.accepted_on == b.s.accepted_on);
    CHECK(a.s.visits == b.s.visits);
    CHECK(a.out.size() == b.out.size());
    CHECK(a.dispatched() == b.dispatched());
    // A second submission is invalid either way and changes nothing.
    const CaseState before = b.s;
    Event again = ev;
    CHECK(step(*b.fc, b.s, std::move(again), b.out).result == StepResult::invalid);
    CHECK(b.s.values == before.values);
    CHECK(b.s.materials == before.materials);
  }
}
