// The service guide (办事指南) of a chain: for each matter its name, kind,
// code, legal basis, implementing department, time limits, when it applies,
// the materials (source, original or copy, copies, blank form and sample,
// when asked), fees, visits and results; and the chain's flow chart. What
// the chain file does not say is written as 未载明, never made up.
// Pure functions of a validated chain; thread-safe. docs/guide.md.
#pragma once

#include <string>

#include "yilian/chain.h"

namespace yilian {

struct GuideOptions {
  /// Only this matter (a matter id of the chain); empty: every matter. The
  /// chain's overview and flow chart are always there.
  std::string matter;
};

/// One HTML page, Chinese first: inline CSS and SVG, no script, nothing
/// fetched, printable on A4 (each matter starts a page when printed).
[[nodiscard]] std::string guide_html(const Chain& chain, const GuideOptions& options = {});

/// The same guide in Markdown; the flow chart as a Mermaid block.
[[nodiscard]] std::string guide_markdown(const Chain& chain, const GuideOptions& options = {});

}  // namespace yilian
