#include "yilian/schedule.h"

#include "yilian/time_limit.h"

#include <algorithm>
#include <vector>

namespace yilian {

Schedule schedule(const Chain& chain, const Analysis& analysis, const Calendar& calendar, Date accepted) {
  Schedule s;
  s.accepted = accepted;
  s.finish = accepted;
  auto track = [&](const WorkingDayResult& r) {
    if (r.provisional) {
      s.provisional = true;
      s.provisional_years.insert(s.provisional_years.end(), r.provisional_years.begin(), r.provisional_years.end());
    }
    return r.date;
  };
  for (const auto& t : analysis.timings) {
    const Matter& m = *chain.find_matter(t.matter);
    MatterDates d;
    d.matter = t.matter;
    d.start = track(calendar.add_working_days(accepted, t.elapsed_start));
    d.finish = track(calendar.add_working_days(accepted, t.elapsed_finish));
    d.promised = m.promised();
    d.uncounted_days = m.uncounted_days();
    d.critical = t.critical;
    s.finish = std::max(s.finish, d.finish);
    s.matters.push_back(std::move(d));
  }
  // The chain's clock stops while any matter's does. Place each matter's
  // uncounted days at its end (working-day offsets (finish - u, finish]),
  // and count the promise over the offsets not stopped.
  std::vector<char> stopped(static_cast<std::size_t>(analysis.elapsed_days) + 1, 0);
  for (const auto& t : analysis.timings) {
    const int u = chain.find_matter(t.matter)->uncounted_days();
    for (int k = t.elapsed_finish - u + 1; k <= t.elapsed_finish; ++k) stopped[static_cast<std::size_t>(k)] = 1;
  }
  if (chain.promised().in_working_days()) {
    int offset = 0;
    for (int counted = 0; counted < chain.promised_days;) {
      ++offset;
      if (static_cast<std::size_t>(offset) >= stopped.size() || !stopped[static_cast<std::size_t>(offset)]) ++counted;
    }
    s.promised_deadline = track(calendar.add_working_days(accepted, offset));
  } else {
    // A promise in days or months ends on the calendar (民法典 Arts. 201–203),
    // then moves by the working days its clock stood still.
    const auto stops = std::count(stopped.begin(), stopped.end(), 1);
    s.promised_deadline = track(calendar.add_working_days(track(period_end(calendar, accepted, chain.promised())), stops));
  }
  std::sort(s.provisional_years.begin(), s.provisional_years.end());
  s.provisional_years.erase(std::unique(s.provisional_years.begin(), s.provisional_years.end()), s.provisional_years.end());
  return s;
}

}  // namespace yilian
