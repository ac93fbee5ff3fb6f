// Dates for a plan: the analysis' working-day offsets laid on a calendar
// from an acceptance date. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "yilian/analysis.h"
#include "yilian/calendar.h"
#include "yilian/date.h"

namespace yilian {

struct MatterDates {
  std::string matter;
  Date start;              ///< the working day its predecessors finish (acceptance for the first)
  Date finish;             ///< start + promised days + uncounted (Art. 45) days, in working days
                           ///< (a promise in days or months by nominal_working_days())
  Limit promised;
  int uncounted_days = 0;  ///< working days of phases whose time is not counted
  bool critical = false;
};

struct Schedule {
  Date accepted;
  Date finish;             ///< when the last matter finishes, uncounted phases included
  Date promised_deadline;  ///< the chain's promise from acceptance, its clock stopped during uncounted phases
  std::vector<MatterDates> matters;  ///< in the analysis' order
  bool provisional = false;          ///< some date falls in a year without holiday data
  std::vector<int> provisional_years;
};

/// Lays `analysis` (of `chain`) on `calendar`: a matter starting `s` working
/// days after acceptance starts on the s-th working day after `accepted`
/// (the acceptance day itself for s = 0) and takes its promised plus its
/// uncounted days. Every matter starts as early as its dependencies allow.
/// The chain's clock stops while any matter's uncounted phases run (taken
/// to be at the end of the matter).
[[nodiscard]] Schedule schedule(const Chain& chain, const Analysis& analysis, const Calendar& calendar, Date accepted);

}  // namespace yilian
