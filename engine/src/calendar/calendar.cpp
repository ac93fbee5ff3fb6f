// The working-day index. W(d), the "ordinal" of a date, is the number of
// working days up to and including d from a fixed origin. It is the weekday
// count C(d) (closed form) plus the cumulative adjustment of the notices
// (+1 per adjusted working day, -1 per weekday rest day) over the index.
// Inside the index W is a table; outside it C plus a constant. The inverse
// (ordinal -> date) is a table of the working days inside the index and
// the inverse of C outside. Every query is a few array reads.
#include "yilian/calendar.h"

#include <fmt/format.h>

#include "yilian/calendar_statutory.h"

#include <algorithm>
#include <array>
#include <map>

namespace yilian {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Weekdays from Monday 1969-12-29 up to and including day d (monotone for
// every d, negative before the origin).
std::int64_t weekday_count(std::int64_t d) {
  const std::int64_t m = d + 3;  // days since Monday 1969-12-29
  const std::int64_t weeks = floor_div(m, 7);
  const std::int64_t r = m - 7 * weeks;  // 0 = Monday .. 6 = Sunday
  return 5 * weeks + std::min<std::int64_t>(r + 1, 5);
}

// The weekday whose weekday_count is k.
std::int64_t weekday_of_count(std::int64_t k) {
  const std::int64_t w = floor_div(k - 1, 5);
  const std::int64_t q = (k - 1) - 5 * w;  // 0..4: Monday..Friday
  return 7 * w + q - 3;
}

std::int32_t jan1(int year) { return Date::from_ymd(year, 1, 1)->days(); }
std::int32_t dec31(int year) { return Date::from_ymd(year, 12, 31)->days(); }

}  // namespace

struct Calendar::Index {
  std::string name = "weekends";
  std::string title;
  std::vector<std::string> bases;
  std::vector<int> years;                                   // covered, ascending
  std::vector<std::pair<std::int32_t, std::int32_t>> spans; // covered day spans [first, last]
  std::int32_t begin = 0, end = 0;                          // index days [begin, end)
  std::vector<std::int64_t> ord;     // ord[i] = W(begin + i - 1), size end - begin + 1
  std::int64_t delta_end = 0;        // W(d) - C(d) for d >= end
  std::vector<std::int32_t> dates;   // working days in the index: dates[k - ord[0] - 1]
  std::vector<DayEntry> entries;     // effective rules, by date
  bool every_day = false;            // continuous(): W(d) = d, every year covered
  BeyondData beyond_data = BeyondData::weekends;

  [[nodiscard]] std::int64_t ordinal(std::int64_t d) const {
    if (every_day) return d;
    if (d < begin) return weekday_count(d);
    if (d >= end) return weekday_count(d) + delta_end;
    return ord[static_cast<std::size_t>(d - begin + 1)];
  }
  [[nodiscard]] std::int64_t day_of(std::int64_t k) const {
    if (every_day) return k;
    if (ord.empty() || k <= ord.front()) return weekday_of_count(k);
    if (k > ord.back()) return weekday_of_count(k - delta_end);
    return dates[static_cast<std::size_t>(k - ord.front() - 1)];
  }
  // True when every day in [lo, hi] lies in a covered year.
  [[nodiscard]] bool covered(std::int32_t lo, std::int32_t hi) const {
    if (every_day) return true;
    for (const auto& [first, last] : spans)
      if (lo >= first && lo <= last) return hi <= last;
    return false;
  }
};

Calendar::Calendar() : index_(std::make_shared<const Index>()) {}

Calendar Calendar::continuous() {
  auto idx = std::make_shared<Index>();
  idx->name = "continuous";
  idx->title = "every day a working day (simulation)";
  idx->every_day = true;
  Calendar c;
  c.index_ = std::move(idx);
  return c;
}

bool Calendar::is_continuous() const { return index_->every_day; }

Calendar::Calendar(const CalendarData& data) {
  auto idx = std::make_shared<Index>();
  idx->name = data.name;
  idx->title = data.title;
  idx->bases = data.bases;
  for (int y : data.years)
    if (y >= 1 && y <= 9999) idx->years.push_back(y);
  std::sort(idx->years.begin(), idx->years.end());
  idx->years.erase(std::unique(idx->years.begin(), idx->years.end()), idx->years.end());
  for (int y : idx->years) {
    if (!idx->spans.empty() && Date::from_days(idx->spans.back().second + 1).year() == y)
      idx->spans.back().second = dec31(y);
    else
      idx->spans.emplace_back(jan1(y), dec31(y));
  }

  idx->beyond_data = data.beyond_data;
  // The statutory rule first, for the years the data has no notice for, so
  // that any rule of the data (an amendment, an overlay's closure day)
  // overrides it; a year with a notice is never computed.
  std::vector<DayRule> computed;
  if (data.beyond_data == BeyondData::cn_statutory)
    for (int y = kCnStatutoryFirstYear; y <= kCnStatutoryLastYear; ++y)
      if (!std::binary_search(idx->years.begin(), idx->years.end(), y))
        for (DayRule& r : cn_statutory_rest_days(y)) computed.push_back(std::move(r));

  // Effective rules: the last rule for a date wins; remember whom it replaced.
  std::map<std::int32_t, DayEntry> effective;
  for (const std::vector<DayRule>* rules : std::array<const std::vector<DayRule>*, 2>{&computed, &data.rules}) {
    for (const DayRule& r : *rules) {
      DayEntry e{r.date, r.working, r.holiday, r.notice, "", r.where};
      auto it = effective.find(r.date.days());
      if (it != effective.end()) {
        e.overrides_notice = it->second.notice;
        it->second = std::move(e);
      } else {
        effective.emplace(r.date.days(), std::move(e));
      }
    }
  }
  for (auto& [d, e] : effective) idx->entries.push_back(std::move(e));

  // Index range: whole years from the first to the last year with data or rules.
  int first_year = 0, last_year = -1;
  auto widen = [&](int y) {
    if (last_year < first_year) first_year = last_year = y;
    first_year = std::min(first_year, y);
    last_year = std::max(last_year, y);
  };
  for (int y : idx->years) widen(y);
  if (!idx->entries.empty()) {
    widen(idx->entries.front().date.year());
    widen(idx->entries.back().date.year());
  }
  if (last_year >= first_year) {
    idx->begin = jan1(first_year);
    idx->end = dec31(last_year) + 1;
    const auto n = static_cast<std::size_t>(idx->end - idx->begin);
    std::vector<signed char> working(n);
    for (std::size_t i = 0; i < n; ++i)
      working[i] = Date::from_days(idx->begin + static_cast<std::int64_t>(i)).is_weekend() ? 0 : 1;
    for (const DayEntry& e : idx->entries) working[static_cast<std::size_t>(e.date.days() - idx->begin)] = e.working;
    idx->ord.resize(n + 1);
    idx->ord[0] = weekday_count(idx->begin - 1);
    for (std::size_t i = 0; i < n; ++i) {
      idx->ord[i + 1] = idx->ord[i] + working[i];
      if (working[i]) idx->dates.push_back(idx->begin + static_cast<std::int32_t>(i));
    }
    idx->delta_end = idx->ord[n] - weekday_count(idx->end - 1);
  }
  index_ = std::move(idx);
}

const std::string& Calendar::name() const { return index_->name; }
const std::string& Calendar::title() const { return index_->title; }
const std::vector<std::string>& Calendar::bases() const { return index_->bases; }
const std::vector<int>& Calendar::years() const { return index_->years; }

bool Calendar::covers(int year) const {
  if (index_->every_day) return year >= 1 && year <= 9999;
  return std::binary_search(index_->years.begin(), index_->years.end(), year);
}

BeyondData Calendar::beyond_data() const { return index_->beyond_data; }

bool Calendar::computed(int year) const {
  return index_->beyond_data == BeyondData::cn_statutory && year >= kCnStatutoryFirstYear &&
         year <= kCnStatutoryLastYear && !covers(year);
}

std::string Calendar::describe_without_data(int year) const {
  if (computed(year))
    return "weekends and the statutory holidays of 全国年节及纪念日放假办法 with their make-up days (swapped "
           "working days unknown)";
  return "weekends alone";
}

std::vector<int> Calendar::missing_years(Date first, Date last) const {
  std::vector<int> out;
  if (first > last || index_->covered(first.days(), last.days())) return out;
  for (int y = first.year(), end = last.year(); y <= end; ++y)
    if (!covers(y)) out.push_back(y);
  return out;
}

Date Calendar::index_first() const { return Date::from_days(index_->begin); }
Date Calendar::index_last() const { return Date::from_days(index_->end - 1); }

bool Calendar::is_working_day(Date d) const {
  const std::int64_t x = d.days();
  return index_->ordinal(x) != index_->ordinal(x - 1);
}

std::int64_t Calendar::ordinal(Date d) const { return index_->ordinal(d.days()); }

Date Calendar::date_of_ordinal(std::int64_t k) const { return Date::from_days(index_->day_of(k)); }

WorkingDayResult Calendar::add_working_days(Date from, std::int64_t n) const {
  WorkingDayResult r;
  if (n == 0) {
    r.date = from;
    return r;
  }
  // Working days strictly after `from` have ordinals W(from)+1, W(from)+2, ...;
  // those strictly before it W(from-1), W(from-1)-1, ...
  const std::int64_t k = n > 0 ? index_->ordinal(from.days()) + n : index_->ordinal(from.days() - 1) + n + 1;
  r.date = Date::from_days(index_->day_of(k));
  const Date lo = n > 0 ? from + 1 : r.date;
  const Date hi = n > 0 ? r.date : from - 1;
  if (!index_->covered(lo.days(), hi.days())) {
    r.provisional_years = missing_years(lo, hi);
    r.provisional = !r.provisional_years.empty();
  }
  return r;
}

WorkingDayCount Calendar::working_days_between(Date a, Date b) const {
  WorkingDayCount c;
  c.days = index_->ordinal(b.days()) - index_->ordinal(a.days());
  const Date lo = std::min(a, b) + 1, hi = std::max(a, b);
  if (lo <= hi && !index_->covered(lo.days(), hi.days())) {
    c.provisional_years = missing_years(lo, hi);
    c.provisional = !c.provisional_years.empty();
  }
  return c;
}

std::vector<DayEntry> Calendar::entries(int year) const {
  std::vector<DayEntry> out;
  const auto first = Date::from_ymd(year, 1, 1);
  if (!first) return out;
  const auto& all = index_->entries;
  auto it = std::lower_bound(all.begin(), all.end(), *first,
                             [](const DayEntry& e, Date d) { return e.date < d; });
  for (; it != all.end() && it->date.year() == year; ++it) out.push_back(*it);
  return out;
}

const DayEntry* Calendar::entry(Date d) const {
  const auto& all = index_->entries;
  auto it = std::lower_bound(all.begin(), all.end(), d, [](const DayEntry& e, Date x) { return e.date < x; });
  return it != all.end() && it->date == d ? &*it : nullptr;
}

WorkingDayResult acceptance_date(const Calendar& calendar, Date day, TimeOfDay at, const OfficeHours& hours) {
  if (calendar.is_working_day(day) && at < hours.closes) {
    WorkingDayResult r{day, false, {}};
    if (!calendar.covers(day.year())) r.provisional_years = {day.year()};
    r.provisional = !r.provisional_years.empty();
    return r;
  }
  WorkingDayResult r = calendar.next_working_day(day);
  // The receipt day itself was judged too: a rest day in a year without data
  // is only a guess.
  if (!calendar.covers(day.year()) &&
      std::find(r.provisional_years.begin(), r.provisional_years.end(), day.year()) == r.provisional_years.end())
    r.provisional_years.insert(r.provisional_years.begin(), day.year());
  r.provisional = !r.provisional_years.empty();
  return r;
}

std::string describe_years(const std::vector<int>& years) {
  std::string out;
  for (std::size_t i = 0; i < years.size();) {
    std::size_t j = i;
    while (j + 1 < years.size() && years[j + 1] == years[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", years[i]) : fmt::format("{}–{}", years[i], years[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace yilian
