// The simulation report: one self-contained HTML page with SVG charts, and
// the chain's flow chart as SVG. Pure functions; thread-safe.
#pragma once

#include <string>

#include "yilian/chain.h"
#include "yilian/scenario.h"
#include "yilian/simulate.h"

namespace yilian {

/// One HTML file (inline CSS and SVG, no script, nothing fetched) with the
/// results of `result`: lead-time histogram with the promised limit marked,
/// utilisation by department, queue length over time, a Gantt chart of the
/// critical path (analyse()), the chain against separate applications, the
/// flow chart, and the tables. Chinese labels use Noto Sans CJK SC when the
/// viewer has it. `scenario_source` names the scenario file ("" if none).
[[nodiscard]] std::string simulation_report_html(const Chain& chain, const Scenario& scenario,
                                                 const SimulationResult& result,
                                                 const std::string& scenario_source = "");

/// The chain's flow chart as an <svg> element: acceptance at the lead
/// department, one box per matter laid out in columns by topological stage,
/// arrows for `after`, conditional matters dashed, the one delivery.
[[nodiscard]] std::string flowchart_svg(const Chain& chain);

}  // namespace yilian
