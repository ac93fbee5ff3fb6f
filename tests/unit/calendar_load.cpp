// The calendar loader: the project's files load, and every kind of error
// comes back located (line, key path, code) without stopping at the first.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "calendar_fixture.h"

namespace calendar_load_test {

namespace {

using namespace yilian;
using test::D;

// The first diagnostic with `code`, or nullptr.
const Diagnostic* find(const Diagnostics& ds, const std::string& code) {
  for (const Diagnostic& d : ds)
    if (d.code == code) return &d;
  return nullptr;
}

Loaded<Calendar> load_text(const std::string& yaml, const std::vector<std::string>& dirs = {}) {
  return load_calendar_text(yaml, "test.yaml", dirs);
}

// A fresh directory under the system temp directory, removed afterwards.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("yilian-calendar-test-" + name + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& file, const std::string& text) const { std::ofstream(path / file) << text; }
};

}  // namespace

TEST_CASE("calendar.load.project_calendars") {
  const Calendar& cal = test::cn_mainland();
  CHECK(cal.name() == "cn-mainland");
  CHECK(cal.years() == std::vector<int>{2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026});
  // The amendments override the base notices.
  const DayEntry* feb1 = cal.entry(D("2020-02-01"));
  REQUIRE(feb1 != nullptr);
  CHECK_FALSE(feb1->working);
  CHECK(feb1->notice.find("国办发明电〔2020〕1号") != std::string::npos);
  CHECK(feb1->overrides_notice.find("国办发明电〔2019〕16号") != std::string::npos);
  CHECK_FALSE(cal.is_working_day(D("2020-01-31")));
  CHECK(cal.is_working_day(D("2019-05-05")));
  CHECK(cal.entry(D("2019-05-02"))->notice.find("〔2019〕3号") != std::string::npos);
  // Every entry names its notice; 2018-12-31 comes from the 2019 notice.
  for (int y = 2018; y <= 2026; ++y)
    for (const DayEntry& e : cal.entries(y)) CHECK_MESSAGE(!e.notice.empty(), e.date);
  CHECK(cal.entry(D("2018-12-31"))->notice.find("2019年") != std::string::npos);

  const Calendar city = test::load_project_calendar("example-city");
  CHECK(city.bases() == std::vector<std::string>{"cn-mainland"});
  CHECK(city.years() == cal.years());
  CHECK_FALSE(city.is_working_day(D("2025-03-14")));
  CHECK(cal.is_working_day(D("2025-03-14")));
  CHECK_FALSE(city.is_working_day(D("2020-02-05")));
  CHECK_FALSE(city.is_working_day(D("2025-10-01")));  // national days still apply
}

TEST_CASE("calendar.load.by_file_path_and_unknown_name") {
  auto r = load_calendar_file(test::calendars_dir() + "/example-city.yaml");
  REQUIRE(r.ok());
  CHECK(r->bases() == std::vector<std::string>{"cn-mainland"});  // its base, found next to it
  auto missing = load_calendar("cn-mainlnd", {test::calendars_dir()});
  CHECK_FALSE(missing.ok());
  const Diagnostic* d = find(missing.diagnostics, "unknown-calendar");
  REQUIRE(d != nullptr);
  CHECK(d->hint.starts_with("did you mean `cn-mainland`?; looked for cn-mainlnd.yaml in "));
  CHECK(d->hint.find("--calendars DIR or $YILIAN_CALENDARS") != std::string::npos);
}

TEST_CASE("calendar.load.shape_errors") {
  auto r = load_text(R"(name: t
yaers:
  2025: { notice: n, holidays: [] }
amendments:
  - name: x
    off: [2025-01-02]
)");
  CHECK_FALSE(r.ok());
  const Diagnostic* unknown = find(r.diagnostics, "unknown-key");
  REQUIRE(unknown != nullptr);
  CHECK(unknown->where.line == 2);
  CHECK(unknown->where.file == "test.yaml");
  CHECK(unknown->hint == "did you mean `years`?");
  const Diagnostic* missing = find(r.diagnostics, "missing-key");
  REQUIRE(missing != nullptr);  // the amendment has no notice
  CHECK(missing->where.line == 5);
  CHECK(missing->path == "amendments[0]");
}

TEST_CASE("calendar.load.day_errors") {
  auto r = load_text(R"(name: t
years:
  2025:
    notice: n
    holidays:
      - name: a
        off: [2025-01-04]
        work: [2025-01-06]
      - name: b
        off: [2025-02-03, 2025-02-03]
        work: [2025-02-03]
      - name: c
        off: [2024-12-31, 2025-02-30, 2025-03-05..2025-03-03, 2025-03-03..2025-04-30]
)");
  CHECK_FALSE(r.ok());
  struct Expect {
    const char* code;
    int line;
    const char* path;
  };
  for (const Expect& e : {Expect{"off-weekend", 7, "years.2025.holidays[0].off"},
                          Expect{"work-weekday", 8, "years.2025.holidays[0].work"},
                          Expect{"duplicate-date", 10, "years.2025.holidays[1].off"},
                          Expect{"off-and-work", 11, "years.2025.holidays[1].work"},
                          Expect{"wrong-year", 13, "years.2025.holidays[2].off"},
                          Expect{"date", 13, "years.2025.holidays[2].off[1]"},
                          Expect{"range-reversed", 13, "years.2025.holidays[2].off[2]"},
                          Expect{"range-too-long", 13, "years.2025.holidays[2].off[3]"}}) {
    CAPTURE(e.code);
    bool found = false;
    for (const Diagnostic& d : r.diagnostics)
      found = found || (d.code == e.code && d.where.line == e.line && d.path == e.path);
    CHECK(found);
  }
  const Diagnostic* off_weekend = find(r.diagnostics, "off-weekend");
  REQUIRE(off_weekend != nullptr);
  CHECK(off_weekend->message.find("2025-01-04 is a Sat") != std::string::npos);
  CHECK(off_weekend->where.column > 1);
}

TEST_CASE("calendar.load.off_and_work") {
  // In a year (see day_errors) and inside one amendment.
  auto r = load_text(R"(name: t
years:
  2025:
    notice: n
    holidays:
      - { name: a, work: [2025-01-26] }
      - { name: b, work: [2025-02-08] }
amendments:
  - notice: m
    name: x
    off: [2025-01-02]
    work: [2025-01-02]
)");
  const Diagnostic* both = find(r.diagnostics, "off-and-work");
  REQUIRE(both != nullptr);
  CHECK(both->where.line == 12);
  CHECK(both->message.find("also at line 11") != std::string::npos);
}

TEST_CASE("calendar.load.amendment_must_change_something") {
  auto r = load_text(R"(name: t
years:
  2020:
    notice: n
    holidays:
      - { name: 春节, off: [2020-01-24], work: [2020-02-01] }
amendments:
  - notice: m
    name: x
    off: [2020-02-01, 2020-02-02, 2020-01-24]
    work: [2020-01-19, 2020-01-20]
)");
  CHECK_FALSE(r.ok());
  int no_effect = 0;
  for (const Diagnostic& d : r.diagnostics)
    if (d.code == "no-effect") {
      ++no_effect;
      CHECK((d.where.line == 10 || d.where.line == 11));
    }
  // 02-02 (a Sunday) and 01-24 (already off) under off; 01-20 (a Monday) under work.
  CHECK(no_effect == 3);
  bool feb1_flagged = false;
  for (const Diagnostic& d : r.diagnostics) feb1_flagged = feb1_flagged || d.message.find("2020-02-01") != std::string::npos;
  CHECK_FALSE(feb1_flagged);  // 02-01 was a working day: the amendment changes it
}

TEST_CASE("calendar.load.overlay_rules") {
  TempDir dir("overlay");
  dir.write("base.yaml", R"(name: base
years:
  2025:
    notice: n
    holidays: [{ name: 元旦, off: [2025-01-01] }]
)");
  dir.write("city.yaml", R"(name: city
extends: base
years:
  2025: { notice: again, holidays: [] }
  2027:
    notice: local 2027
    holidays: [{ name: x, off: [2027-01-01] }]
)");
  auto r = load_calendar("city", {dir.path.string()});
  CHECK_FALSE(r.ok());
  const Diagnostic* again = find(r.diagnostics, "year-in-base");
  REQUIRE(again != nullptr);
  CHECK(again->where.line == 4);
  CHECK(again->where.file.ends_with("city.yaml"));

  dir.write("city.yaml", R"(name: city
extends: base
years:
  2027:
    notice: local 2027
    holidays: [{ name: x, off: [2027-01-01] }]
)");
  auto ok = load_calendar("city", {dir.path.string()});
  REQUIRE(ok.ok());
  CHECK(ok->years() == std::vector<int>{2025, 2027});
  CHECK(ok->covers(2027));
  CHECK_FALSE(ok->covers(2026));
  CHECK_FALSE(ok->is_working_day(D("2027-01-01")));
  const auto across = ok->add_working_days(D("2025-12-30"), 3);
  CHECK(across.provisional_years == std::vector<int>{2026});
}

TEST_CASE("calendar.load.extends_errors") {
  TempDir dir("extends");
  dir.write("a.yaml", "name: a\nextends: b\n");
  dir.write("b.yaml", "name: b\nextends: c\n");
  dir.write("c.yaml", "name: c\nextends: a\n");
  auto cycle = load_calendar("a", {dir.path.string()});
  CHECK_FALSE(cycle.ok());
  const Diagnostic* d = find(cycle.diagnostics, "extends-cycle");
  REQUIRE(d != nullptr);
  CHECK(d->where.line == 2);
  CHECK(d->where.file.ends_with("c.yaml"));
  CHECK(d->message.find("`a` extends `b` extends `c` extends `a`") != std::string::npos);

  dir.write("d.yaml", "name: d\nextends: cn-mainlnd\n");
  auto unknown = load_calendar("d", {dir.path.string(), test::calendars_dir()});
  d = find(unknown.diagnostics, "unknown-calendar");
  REQUIRE(d != nullptr);
  CHECK(d->where.line == 2);
  CHECK(d->hint.starts_with("did you mean `cn-mainland`?; looked for cn-mainlnd.yaml in " + dir.path.string() + ", " +
                            test::calendars_dir()));
  CHECK(d->hint.find("--calendars DIR") != std::string::npos);

  dir.write("e.yaml", "name: not-e\n");
  auto mismatch = load_calendar("e", {dir.path.string()});
  d = find(mismatch.diagnostics, "name-mismatch");
  REQUIRE(d != nullptr);
  CHECK(d->where.line == 1);

  dir.write("f.yaml", "name: f\nextends: bad\n");
  dir.write("bad.yaml", "name: bad\nyears: {2025: {notice: n, holidays: [{name: x, off: [2025-01-04]}]}}\n");
  auto bad_base = load_calendar("f", {dir.path.string()});
  CHECK_FALSE(bad_base.ok());
  CHECK(find(bad_base.diagnostics, "off-weekend") != nullptr);
  CHECK(find(bad_base.diagnostics, "base-invalid") != nullptr);
}

TEST_CASE("calendar.load.yaml_syntax_is_located") {
  auto r = load_text("name: t\nyears: [\n");
  CHECK_FALSE(r.ok());
  REQUIRE_FALSE(r.diagnostics.empty());
  CHECK(r.diagnostics.items()[0].code == "yaml-syntax");
  CHECK(r.diagnostics.items()[0].where.line >= 2);
}

}  // namespace calendar_load_test
