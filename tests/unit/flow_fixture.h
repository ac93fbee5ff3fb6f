// A small chain for the flow tests, with a produced value that switches a
// conditional matter on, an applicant condition, a material issued inside
// the chain, and a join.
//
//   a (produces a.kind, issues licence) ─┬─ b (needs licence) ─┬─ d
//                                        └─ c (when a.kind == 'big') ─┘
//   e (when x.flag == true), no dependencies
#pragma once

#include <doctest/doctest.h>

#include "calendar_fixture.h"
#include "yilian/flow.h"
#include "yilian/load.h"

namespace yilian::test {

inline const char* kFlowChain = R"(id: flowtest
version: 1
name: 流程测试
lead: x
promised_days: 15
departments:
  x: { name: 甲局 }
  y: { name: 乙局 }
fields:
  applicant.name: { label: 申请人, type: string }
  x.flag: { label: 开关, type: boolean }
materials:
  lease: { name: 租赁合同 }
  licence: { name: 许可证 }
matters:
  - id: a
    name: 事项甲
    department: x
    statutory_days: 20
    promised_days: 5
    fields: [applicant.name]
    materials: [lease]
    results: [licence]
    produces:
      a.kind: { label: 类别, type: enum, values: [big, small] }
  - { id: b, name: 事项乙, department: y, statutory_days: 10, promised_days: 3, after: [a], materials: [licence] }
  - { id: c, name: 事项丙, department: y, statutory_days: 10, promised_days: 4, after: [a], when: "a.kind == 'big'" }
  - { id: d, name: 事项丁, department: x, statutory_days: 10, promised_days: 2, after: [b, c] }
  - { id: e, name: 事项戊, department: y, statutory_days: 10, promised_days: 1, when: "x.flag == true" }
)";

inline std::shared_ptr<const FlowChain> flow_chain(FlowOptions options = {}, const char* text = kFlowChain) {
  Loaded<ValidChain> r = load_chain_text(text, "flowtest.yaml");
  for (const auto& d : r.diagnostics) MESSAGE(d.to_string());
  REQUIRE(r.ok());
  return FlowChain::compile(r.value(), cn_mainland(), options);
}

inline Instant at(const char* iso) {
  auto i = Instant::parse(iso);
  REQUIRE_MESSAGE(i.has_value(), iso);
  return *i;
}

/// Drives one case and keeps every command it produced.
struct Driver {
  std::shared_ptr<const FlowChain> fc;
  CaseState s;
  std::vector<Command> out;
  CheckMemo* memo = nullptr;  ///< given to step() when set

  explicit Driver(FlowOptions o = {}, const char* chain = kFlowChain) : fc(flow_chain(o, chain)), s(new_case(*fc, 1)) {}
  int m(const char* id) const { return fc->matter_index(id); }
  TaskStatus status(const char* id) const { return s.tasks[static_cast<std::size_t>(m(id))].status; }
  std::uint32_t attempt(const char* id) const { return s.tasks[static_cast<std::size_t>(m(id))].attempt; }

  StepOutcome apply(const char* when, EventBody body) {
    out.clear();
    return step(*fc, s, Event{at(when), std::move(body)}, out, memo);
  }
  template <class C>
  std::vector<C> commands() const {
    std::vector<C> v;
    for (const auto& c : out)
      if (auto* p = std::get_if<C>(&c)) v.push_back(*p);
    return v;
  }
  std::vector<std::string> dispatched() const {
    std::vector<std::string> ids;
    for (const auto& d : commands<command::Dispatch>()) ids.push_back(fc->matter_id(d.matter));
    return ids;
  }
  /// Submits a complete application (flag as given) at `when`.
  void submit(const char* when, bool flag) {
    auto r = apply(when, event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", flag}}, {"lease"}, Channel::window});
    REQUIRE(r.result == StepResult::applied);
  }
  void approve(const char* when, const char* id, FieldValues produced = {}) {
    auto r = apply(when, event::TaskApproved{m(id), attempt(id), std::move(produced)});
    REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  }
};

}  // namespace yilian::test
