// Harness: a calendar file, as `yilian calendar --calendar FILE` and
// `yilian deadline` read it (load_calendar_text; `extends` finds the
// repository's calendars), then the working-day arithmetic the deadline
// command does, with its documented identities checked.
#include "fuzz_support.h"
#include "yilian/calendar.h"
#include "yilian/calendar_load.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  const std::string_view text = fuzz::text_of(data, size);
  Loaded<Calendar> r = load_calendar_text(text, "fuzz.yaml", {fuzz::source_path("chains/calendars")});
  fuzz::print_all(r.diagnostics);
  if (r.diagnostics.has_errors() != !r.has_value()) fuzz::violated("a calendar comes back exactly when there is no error");
  if (!r.ok()) return 0;
  const Calendar& cal = r.value();

  // A day and a count drawn from the input, near the years the file has.
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  const int year = cal.years().empty() ? 2025 : cal.years()[h % cal.years().size()];
  const Date from = Date::from_ymd(year, 1, 1).value_or(Date::from_days(0)) + static_cast<std::int64_t>(h % 400);
  const std::int64_t n = static_cast<std::int64_t>((h >> 16) % 300);

  for (std::size_t i = 0; i < cal.years().size() && i < 3; ++i) (void)cal.entries(cal.years()[i]);
  (void)describe_years(cal.missing_years(from, from + 800));
  const WorkingDayResult end = cal.add_working_days(from, n);
  if (n > 0 && end.date != Date::max()) {
    if (!(from < end.date)) fuzz::violated("add_working_days(n > 0) does not move forward");
    if (!cal.is_working_day(end.date)) fuzz::violated("add_working_days lands on a rest day");
    if (cal.working_days_between(from, end.date).days != n) fuzz::violated("working_days_between undoes add_working_days");
    if (cal.date_of_ordinal(cal.ordinal(end.date)) != end.date) fuzz::violated("date_of_ordinal undoes ordinal");
  }
  (void)cal.add_working_days(from, -n);
  (void)acceptance_date(cal, from, TimeOfDay::at(16, 30));
  return 0;
}
