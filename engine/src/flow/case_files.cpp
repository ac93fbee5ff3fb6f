// The material files of step(): a file handed in for one of the case's
// materials (event::FileAttached). The bytes are the store's; the flow
// decides whether the case takes the file and what it counts as.
#include <fmt/format.h>

#include <algorithm>

#include "flow/step_context.h"
#include "yilian/application.h"

namespace yilian::flow_step {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

bool is_hex_sha256(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

/// Whether the case asks for `material` now: the 一次告知 of an incomplete
/// case lists it, it is deferred (容缺受理), or an open supplement request
/// names it.
bool asked_for(Ctx& c, const std::string& material) {
  if (contains(c.s.deferred, material)) return true;
  if (std::any_of(c.s.tasks.begin(), c.s.tasks.end(), [&](const TaskState& t) {
        return t.status == TaskStatus::supplement && contains(t.requested, material);
      }))
    return true;
  if (c.s.stage != CaseStage::incomplete) return false;
  for (const FlowChain::Missing& m : c.fc.missing(*c.s.values, *c.s.materials, c.fc.check_date(c.start_date())))
    if (m.kind == FlowChain::Missing::Kind::material && m.key == material) return true;
  return false;
}

}  // namespace

StepOutcome on(Ctx& c, const event::FileAttached& e) {
  if (c.s.stage == CaseStage::created) return invalid("the case was not submitted; it takes no files yet");
  if (is_final(c.s.stage)) return invalid(fmt::format("the case is {}; it takes no files", to_string(c.s.stage)));
  const bool agent_paper = e.material == kAgentAuthorisation && c.s.agent;
  if (!agent_paper && !c.fc.chain().find_material(e.material))
    return invalid(fmt::format("`{}` is not a material of chain `{}`", e.material, c.fc.chain().id));
  if (e.media_type != "application/pdf" && e.media_type != "image/jpeg" && e.media_type != "image/png")
    return invalid(fmt::format("a material file is a PDF, JPEG or PNG, not `{}`", e.media_type));
  if (e.bytes == 0 || !is_hex_sha256(e.sha256)) return invalid("a material file has bytes and their SHA-256 (hex)");
  const bool held = contains(*c.s.materials, e.material);
  // A file of a material the case asks for counts as handing it in, as a
  // supplement of it does: it completes an application, answers a request,
  // ends a deferral.
  if (asked_for(c, e.material)) return on(c, event::Supplemented{{}, {e.material}, false});
  if (held || agent_paper) return applied();  // the file of a material handed in on paper: recorded
  return invalid(fmt::format("the case does not need material `{}`: no matter of it asks for it", e.material));
}

}  // namespace yilian::flow_step
