// The SVG charts of the simulation report. Each returns one <svg> element
// with an id, a viewBox and classes the report test counts (bar, series,
// gantt-bar, node, edge).
#pragma once

#include <string>

#include "yilian/analysis.h"
#include "yilian/chain.h"
#include "yilian/simulate.h"

namespace yilian::detail {

/// Lead-time histogram (share of delivered cases per bin) with the promised
/// and statutory limits and the median and p90 marked.
std::string lead_time_chart(const RegimeResult& r, const Limit& promised, const Limit& statutory);

/// Utilisation by department, the bottleneck highlighted.
std::string utilisation_chart(const Chain& chain, const RegimeResult& r, const std::string& bottleneck);

/// Mean tasks waiting per department over a replication's arrival window.
std::string queue_chart(const Chain& chain, const RegimeResult& r);

/// Gantt chart of the matters (earliest start and finish by promised days,
/// uncounted Art. 45 phases hatched), the critical path highlighted.
std::string gantt_chart(const Chain& chain, const Analysis& a);

/// The chain against separate applications: lead time, visits, materials,
/// form fields, side by side.
std::string comparison_chart(const RegimeResult& chain, const RegimeResult& separate);

}  // namespace yilian::detail
