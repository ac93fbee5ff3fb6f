// Validation and analysis of a chain as a dependency graph: references,
// cycles, stages that run in parallel, critical paths, compression.
// Pure functions of the chain; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "yilian/chain.h"
#include "yilian/date.h"
#include "yilian/status.h"
#include "yilian/valid_chain.h"
#include "yilian/value.h"

namespace yilian {

/// Every check that needs more than one key: unknown departments, fields,
/// materials or matters referenced; cycles in `after` (each cycle named in
/// order); conditions typed against the catalogue; a matter that needs a
/// field or material nothing before it supplies; conflicting definitions of
/// one field; produced data colliding with applicant fields; catalogue
/// entries never used (warnings); the chain's promise against its critical
/// path and the legal ceiling for joint handling (warnings).
[[nodiscard]] Diagnostics validate(const Chain& chain);

/// The legal ceiling for unified or joint handling (行政许可法 Art. 42).
inline constexpr int kJointHandlingCeilingDays = 45;

struct CriticalPath {
  std::vector<std::string> matters;  ///< in order, first to last
  int promised_days = 0;             ///< sum of promised limits along `matters` (working days; limits
                                     ///< in days or months by nominal_working_days())
  int statutory_days = 0;            ///< sum of statutory limits along `matters`, likewise
};

/// Working-day offsets of one matter from the chain's acceptance, with every
/// matter starting as soon as its dependencies are done.
struct MatterTiming {
  std::string matter;
  int stage = 0;            ///< 0-based topological stage
  int start = 0;            ///< earliest start, counted days (promised limits)
  int finish = 0;           ///< earliest finish = start + promised_days
  int slack = 0;            ///< days the matter may slip without delaying the chain
  int elapsed_start = 0;    ///< as start, adding the uncounted (Art. 45) phases
  int elapsed_finish = 0;   ///< as finish, adding the uncounted phases
  bool critical = false;    ///< on the promised critical path
};

struct Analysis {
  std::string chain;
  int version = 0;
  /// worst_case: every conditional matter is assumed to apply (adding a
  /// matter never shortens a path, so this bounds every branch from above);
  /// scenario: conditions were evaluated on the given values.
  enum class Mode { worst_case, scenario } mode = Mode::worst_case;
  std::vector<std::string> applicable;    ///< matters that apply, topological order
  std::vector<std::string> skipped;       ///< conditions false in the scenario
  std::vector<std::string> undetermined;  ///< scenario lacks the values; counted as applying
  /// With a date: the day the chain is shown as it was (a case accepted
  /// then), and the matters not in force that day (valid_from /
  /// valid_until), which do not apply.
  std::optional<Date> on;
  std::vector<std::string> not_in_force;
  std::vector<std::vector<std::string>> stages;  ///< matters that can run in parallel, ids sorted
  CriticalPath critical_path;             ///< longest path by promised days
  CriticalPath critical_path_statutory;   ///< longest path by statutory days
  int serial_promised_days = 0;           ///< sum over applicable matters (one after another)
  int serial_statutory_days = 0;
  double compression = 0;                 ///< 1 - critical/serial, promised days
  double compression_statutory = 0;       ///< the same by statutory days
  int elapsed_days = 0;                   ///< critical path adding uncounted phases
  std::vector<MatterTiming> timings;      ///< per applicable matter, topological order
};

/// The chain as a case accepted on `day` sees it: only the matters in
/// force that day (valid_from / valid_until), each `after` passed on
/// through the matters left out to what they came after (as for a matter
/// that does not apply). For exports that cannot hold dates (flow charts,
/// BPMN).
[[nodiscard]] Chain chain_as_on(const ValidChain& chain, Date day);

/// Analyses a validated chain. Without `scenario`, the worst case;
/// with it, conditions are evaluated on its values (produced values count as
/// present), and a matter whose condition cannot be decided counts as
/// applying and is listed in `undetermined`. Dependencies through a matter
/// that does not apply pass on to that matter's own dependencies. With
/// `on`, a matter not in force that day does not apply (listed in
/// `not_in_force`); without it, every version counts.
[[nodiscard]] Analysis analyse(const ValidChain& chain, const FieldValues* scenario = nullptr,
                               std::optional<Date> on = std::nullopt);

}  // namespace yilian
