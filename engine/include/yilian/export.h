// Flow charts of a chain: Mermaid and Graphviz DOT (BPMN 2.0 in bpmn.h).
// Pure functions of a validated chain; thread-safe.
#pragma once

#include <string>

#include "yilian/chain.h"

namespace yilian {

/// A Mermaid `flowchart LR`: acceptance at the lead department, one box per
/// matter grouped in a subgraph per department, dependencies as arrows,
/// conditional matters dashed with their condition, and the one delivery.
[[nodiscard]] std::string to_mermaid(const Chain& chain);

/// The same chart as a Graphviz digraph (clusters per department).
[[nodiscard]] std::string to_dot(const Chain& chain);

}  // namespace yilian
