// What a simulation assumes: arrivals, staff, office hours, service times,
// the applicant's behaviour and the branches of the form. A Scenario is a
// plain value (build it in code, or load it from YAML with
// load_scenario_file(); the format is schemas/scenario.schema.json and
// docs/simulation.md). Durations are in working days of the calendar the
// simulation runs on (days on the continuous calendar).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/chain.h"
#include "yilian/date.h"
#include "yilian/flow.h"
#include "yilian/load.h"  // LoadOptions
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

/// A distribution of durations (working days). A value type.
struct Distribution {
  enum class Kind { fixed, exponential, lognormal, triangular, empirical };
  Kind kind = Kind::fixed;
  /// fixed: a = the duration; exponential: a = mean; lognormal: a = mean,
  /// b = standard deviation (of the duration, not of its logarithm);
  /// triangular: a = min, b = mode, c = max.
  double a = 0, b = 0, c = 0;
  std::vector<double> samples;  ///< empirical: the observed durations, drawn with equal weight
  std::string source;           ///< empirical: the CSV file they came from

  static Distribution fixed(double d) { return {Kind::fixed, d, 0, 0, {}, {}}; }
  static Distribution exponential(double mean) { return {Kind::exponential, mean, 0, 0, {}, {}}; }
  static Distribution lognormal(double mean, double sd) { return {Kind::lognormal, mean, sd, 0, {}, {}}; }
  static Distribution triangular(double lo, double mode, double hi) { return {Kind::triangular, lo, mode, hi, {}, {}}; }
  /// The mean of the distribution.
  [[nodiscard]] double mean() const;
  /// The option syntax: "fixed:2", "exp:3", "lognormal:6,3", "triangular:1,2,5", "empirical:FILE".
  [[nodiscard]] std::string to_string() const;
};

/// Parses "fixed:D", "exp:MEAN", "lognormal:MEAN,SD", "triangular:MIN,MODE,MAX"
/// or "empirical:FILE.csv" (one duration per line, first column; a header
/// line is skipped; a relative FILE is looked up in `base_dir`). Durations
/// must be finite and >= 0, means > 0 where the form needs one.
[[nodiscard]] Result<Distribution> parse_distribution(std::string_view text, const std::string& base_dir = "");

/// Reads durations from a CSV file (see parse_distribution).
[[nodiscard]] Result<std::vector<double>> read_durations_csv(const std::string& path);

/// One arrival of a trace: an absolute instant, or working days after the start.
struct TraceArrival {
  std::optional<Instant> at;
  double offset_days = 0;
};

/// Reads an arrival trace: one arrival per line, first column an ISO instant
/// ("2025-03-03T09:15", "2025-03-03") or a number of working days after the
/// start; a header line is skipped. Sorted on return.
[[nodiscard]] Result<std::vector<TraceArrival>> read_arrival_trace(const std::string& path);

/// Staff and office hours of one department.
struct DepartmentScenario {
  int officers = 1;                 ///< officers working the department's queue in parallel
  std::optional<TimeOfDay> opens;   ///< unset: Scenario::opens
  std::optional<TimeOfDay> closes;  ///< unset: Scenario::closes
};

/// How one matter behaves in its department.
struct MatterScenario {
  /// The officer's working time on one attempt. Unset: triangular between a
  /// quarter and all of the matter's promised days, mode half (0.05 days for
  /// an on-the-spot matter).
  std::optional<Distribution> service;
  double supplement = 0;  ///< probability that an attempt ends asking the applicant for supplements
  double reject = 0;      ///< probability that an attempt ends in a refusal (the case ends)
  /// Time of the Art. 45 activity (expert review …) after the officer's work,
  /// with the clock stopped. Unset: fixed at the matter's uncounted phase days,
  /// none when it has none.
  std::optional<Distribution> suspension;
};

/// Most values of one `set` field a scenario may list in `branches` (the
/// simulator draws among the 2^n combinations).
inline constexpr std::size_t kMaxSetBranchValues = 12;

/// One value of a form field and the share of applicants who give it (for
/// a set field: who include it among their values).
struct BranchShare {
  Value value;
  double share = 0;
};

/// How results are handed out: shares of the methods (they sum to 1).
struct DeliveryShares {
  double in_person = 1, express = 0, electronic = 0;
};

/// 好差评: how applicants rate their case once its results are out. A late
/// case (past the chain's promise) is rated badly more often.
struct RatingScenario {
  double share = 0;     ///< share of delivered cases that are rated
  double bad = 0;       ///< chance of a bad rating (grade 1–2) of a case on time
  double bad_late = 0;  ///< the same for a case past its promised deadline
};

/// Everything a simulation assumes. In-class defaults; see docs/simulation.md.
struct Scenario {
  // -- horizon ---------------------------------------------------------------
  /// Working days of arrivals per replication. Unset: 250 (about a year) when
  /// `cases` is set, else required by simulate() unless a trace is given.
  std::optional<int> days;
  /// Total arriving cases over all replications (replications of `days` are
  /// run until this many cases arrived).
  std::optional<std::uint64_t> cases;
  /// Working days at the start of each replication whose arrivals are not
  /// counted (the system fills up); time averages start after it too.
  int warmup_days = 0;
  /// The first day of each replication.
  Date start = Date::from_days(20089);  // 2025-01-01
  /// "" (the chain's calendar, chosen by the caller), "continuous", or a
  /// calendar name; informative for simulate(), which takes the Calendar.
  std::string calendar;

  // -- arrivals --------------------------------------------------------------
  double arrival_rate = 0.1;           ///< Poisson arrivals per working day (office hours)
  std::vector<TraceArrival> trace;     ///< when not empty, replaces the Poisson arrivals
  std::string trace_source;            ///< file the trace came from

  // -- staff ------------------------------------------------------------------
  TimeOfDay opens = TimeOfDay::at(9, 0);    ///< default office hours (applicants, departments)
  std::optional<TimeOfDay> closes;          ///< unset: the chain's office_close
  std::map<std::string, DepartmentScenario, std::less<>> departments;  ///< by department id; absent: 1 officer
  std::map<std::string, MatterScenario, std::less<>> matters;          ///< by matter id

  // -- the applicant -----------------------------------------------------------
  double incomplete = 0;                 ///< share of applications missing an item at the window (一次告知)
  Distribution response = Distribution::exponential(2);  ///< time to answer a notice
  double supplement_in_person = 0;       ///< share of answers brought in person (a visit)
  /// 告知承诺: share of applicants who commit to every matter with
  /// `commitment: optional` (approved at once, verified afterwards).
  double commitment = 0;
  /// 容缺受理: share of applicants who hand in without the deferrable
  /// materials and bring them after acceptance (within defer_within).
  double deferring = 0;
  /// 代办帮办: share of applications handed in by an agent with the
  /// applicant's authorisation; the agent's visits are not the applicant's.
  double assisted = 0;
  /// 一次收齐: share of returning applicants the holder registry knows
  /// (needs a chain with `holder`). They hand in neither the fields of the
  /// holder's section of the form (the keys that share the holder field's
  /// prefix, e.g. applicant.*) nor the licences the chain asks for and does
  /// not issue: the flow takes them from the registry, with consent.
  double returning = 0;
  RatingScenario ratings;                ///< 好差评 (none rated by default)
  DeliveryShares delivery;               ///< how results are handed out
  Distribution pickup = Distribution::fixed(0);  ///< from ready to delivered
  /// Shares of the values of form fields (and of produced values) that
  /// decide which matters apply, by field key. Shares of a key sum to 1; a
  /// boolean with one listed value gets the rest on the other value. For a
  /// `set` field each share is the chance that the value is among those
  /// chosen, drawn independently per value (at most kMaxSetBranchValues of
  /// them) and conditioned on at least one being chosen: a set given is
  /// never empty. Values not listed are never chosen.
  std::map<std::string, std::vector<BranchShare>, std::less<>> branches;

  // -- comparison --------------------------------------------------------------
  bool baseline_separate = false;        ///< also simulate applying for each matter separately
  Distribution baseline_gap = Distribution::fixed(0);  ///< separate: from one result to the next application

  std::uint64_t seed = 1;  ///< the same seed gives the same results, bit for bit
};

/// Checks a scenario against a chain: ids of matters, departments and
/// fields, probabilities in [0, 1], shares, positive officers, office hours.
/// Errors are located where the scenario came from a file.
[[nodiscard]] Diagnostics check_scenario(const Chain& chain, const Scenario& scenario);

/// Loads a scenario YAML file and checks it against `chain` (unknown keys
/// and ids with did-you-mean, every error located file:line:column).
/// Relative CSV paths are read next to the file. The scenario when there is
/// no error, and every diagnostic. `limits` as for every YAML input
/// (load.h). Thread-safe.
[[nodiscard]] Loaded<Scenario> load_scenario_file(const std::string& path, const Chain& chain,
                                                  const LoadOptions& limits = {});
/// The same for text held in memory; `file_name` is used in messages and
/// its folder for relative CSV paths.
[[nodiscard]] Loaded<Scenario> load_scenario_text(std::string_view yaml, const std::string& file_name,
                                                  const Chain& chain, const LoadOptions& limits = {});

/// Parses a value of field `key` from text as the field's type reads it
/// ("true", "1200", "private"); an error names what was expected.
[[nodiscard]] Result<Value> parse_field_value(const Chain& chain, std::string_view key, std::string_view text);

}  // namespace yilian
