// BPMN 2.0 export: one executable process per chain, with Camunda 8 / Zeebe
// extensions (job types, FEEL conditions, variable mappings) and a diagram
// (BPMNDI) that modelers show without re-layout. docs/bpmn.md explains the
// mapping. Pure functions of a validated chain; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "yilian/chain.h"
#include "yilian/condition.h"
#include "yilian/value.h"

namespace yilian {

struct BpmnOptions {
  /// Form values of one case. When set, each condition they decide is
  /// pre-evaluated: a matter whose condition is false is left out (its
  /// dependents wait for its own dependencies instead), one whose condition
  /// is true becomes unconditional, and one the values cannot decide keeps
  /// its gateway. Unset: every matter is exported, conditions as gateways.
  std::optional<FieldValues> scenario;

  /// Calendar days per working day for the ISO 8601 timer durations (BPMN
  /// has no working-day calendar): a promised limit of N working days
  /// becomes P⌈N × this⌉D. 7/5 counts five working days a week; holidays
  /// are not known to the BPMN engine. The working-day figure itself is in
  /// the task's documentation and in a task header.
  double calendar_days_per_working_day = 1.4;

  /// Write the diagram interchange (BPMNDI): a layered left-to-right layout
  /// with a lane per department.
  bool diagram = true;

  /// The Camunda version written as modeler:executionPlatformVersion.
  std::string execution_platform_version = "8.5.0";
};

/// The chain as BPMN 2.0 XML (UTF-8): a collaboration with one participant
/// whose process has a lane per department; a start event (acceptance at the
/// lead department), a service task per matter, parallel gateways for the
/// forks and joins implied by `after`, for each conditional matter an
/// embedded sub-process whose exclusive "applies?" split leads to the task
/// or, by default, straight to its end (so it completes once on either path
/// and no parallel join waits for a skipped branch), a non-interrupting
/// timer per matter's promised limit, the delivery task (统一出件) and an end
/// event; Zeebe extensions and a laid-out diagram. The chain must be valid
/// (validate()). Thread-safe; the result is owned by the caller.
[[nodiscard]] std::string to_bpmn(const Chain& chain, const BpmnOptions& options = {});

/// The condition as a FEEL expression without the leading `=`: field keys
/// become variable paths (feel_path), `==` becomes `=`, `in [...]` becomes
/// `list contains([...], x)`, `not` becomes `not(...)`. Must not be called
/// on an empty condition.
[[nodiscard]] std::string to_feel(const Condition& condition);
/// The same for one node of a condition's syntax tree.
[[nodiscard]] std::string to_feel(const Expr& expr);

/// The FEEL path of a field key: the dotted key read as nested contexts
/// (`applicant.name` is the `name` entry of the variable `applicant`), each
/// segment that is a FEEL keyword or not a plain name written in backticks.
[[nodiscard]] std::string feel_path(std::string_view field_key);

/// The ISO 8601 duration of a timer for a limit in working days, e.g.
/// "P21D" for 15 working days at 1.4 calendar days each; a limit of 0 (on
/// the spot) gets one day, "P1D".
[[nodiscard]] std::string timer_duration(int working_days, double calendar_days_per_working_day = 1.4);
/// A limit as an ISO 8601 duration: working days as above; days and months
/// exactly ("P60D", "P3M"; a rest-day end moved by 民法典 Art. 203 is not
/// expressible in BPMN and is left out).
[[nodiscard]] std::string timer_duration(const Limit& limit, double calendar_days_per_working_day = 1.4);

}  // namespace yilian
