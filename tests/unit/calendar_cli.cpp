// The calendar and deadline commands, run as a user would (from the source
// directory, so that chains/calendars is found).
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace calendar_cli_test {

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

Run yilian(const std::string& args, const std::string& cwd = YILIAN_SOURCE_DIR, const std::string& env = "") {
  // One stderr file per process: ctest runs test cases in parallel.
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("yilian-calendar-cli-stderr-" + std::to_string(getpid()) + ".txt");
  const std::string cmd = "cd '" + cwd + "' && env -u YILIAN_CALENDARS " + env + " '" + std::string(YILIAN_CLI) + "' " + args +
                          " 2>'" + err_file.string() + "'";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(err_file);
  return r;
}

nlohmann::json json_of(const Run& r) {
  INFO("stdout: ", r.out, "\nstderr: ", r.err);
  REQUIRE(r.code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("calendar.cli.deadline_json") {
  const auto j = json_of(yilian("deadline --from 2025-09-26 --days 5 --json"));
  CHECK(j["from"] == "2025-09-26");
  CHECK(j["days"] == 5);
  CHECK(j["deadline"] == "2025-10-10");
  CHECK(j["provisional"] == false);
  CHECK(j["suspended_days"] == 0);
  const auto s = json_of(yilian("deadline --from 2025-09-26 --days 5 --suspend 2025-09-29..2025-10-10 --json"));
  CHECK(s["deadline"] == "2025-10-15");
  CHECK(s["suspended_days"] == 4);
  const auto late = json_of(yilian("deadline --from 2025-09-26 --days 5 --at 17:30 --json"));
  CHECK(late["accepted"] == "2025-09-28");
  CHECK(late["deadline"] == "2025-10-11");
}

TEST_CASE("calendar.cli.deadline_human_and_provisional") {
  const Run r = yilian("deadline --from 2025-09-26 --days 5");
  CHECK(r.code == 0);
  CHECK(r.out.find("2025-10-10") != std::string::npos);
  const Run p = yilian("deadline --from 2026-12-10 --days 20");
  CHECK(p.code == 0);
  CHECK(p.out.find("2027-01-08") != std::string::npos);  // 2027-01-01 is 元旦
  CHECK(p.err.find("warning") != std::string::npos);
  CHECK(p.err.find("2027") != std::string::npos);
  const auto j = json_of(yilian("deadline --from 2026-12-10 --days 20 --json"));
  CHECK(j["provisional"] == true);
  CHECK(j["provisional_years"] == nlohmann::json::array({2027}));
}

TEST_CASE("calendar.cli.bad_input_is_a_clear_error") {
  Run r = yilian("deadline --from 2025-13-01 --days 3");
  CHECK(r.code == 2);
  CHECK(r.err.find("--from `2025-13-01` is not a date") != std::string::npos);
  r = yilian("deadline --from 2025-10-09 --days 3 --suspend 2025-10-15..2025-10-09");
  CHECK(r.code == 2);
  CHECK(r.err.find("ends before it starts") != std::string::npos);
  r = yilian("deadline --from 2025-10-09 --days 3 --suspend tomorrow");
  CHECK(r.code == 2);
  r = yilian("deadline --from 2025-10-09 --days -1");
  CHECK(r.code == 2);
  r = yilian("deadline --from 2025-10-09");
  CHECK(r.code == 2);
  r = yilian("deadline --from 2025-10-09 --days 3 --at 25:00");
  CHECK(r.code == 2);
  r = yilian("deadline --from 9999-12-20 --days 100000");
  CHECK(r.code == 1);
  CHECK(r.err.find("after 9999-12-31") != std::string::npos);
  r = yilian("deadline --from 2025-10-09 --days 3 --calendar cn-mainlnd");
  CHECK(r.code == 2);
  CHECK(r.err.find("did you mean `cn-mainland`?") != std::string::npos);
}

TEST_CASE("calendar.cli.invalid_calendar_file_exits_1") {
  const auto dir = std::filesystem::temp_directory_path() / ("yilian-calendar-cli-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "broken.yaml") << "name: broken\nyears:\n  2025:\n    notice: n\n    holidays:\n"
                                        "      - { name: x, off: [2025-01-04] }\n";
  const Run r = yilian("calendar --year 2025 --calendar broken --calendars '" + dir.string() + "'");
  CHECK(r.code == 1);
  CHECK(r.err.find("broken.yaml:6:") != std::string::npos);
  CHECK(r.err.find("off-weekend") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("calendar.cli.calendar_year") {
  const auto j = json_of(yilian("calendar --year 2020 --json"));
  CHECK(j["calendar"] == "cn-mainland");
  CHECK(j["year"] == 2020);
  const auto& off = j["off"];
  const auto& work = j["work"];
  CHECK(off.size() == 19);
  CHECK(std::find(off.begin(), off.end(), "2020-01-31") != off.end());
  CHECK(std::find(work.begin(), work.end(), "2020-02-01") == work.end());
  CHECK(work == nlohmann::json::array({"2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"}));
  const Run human = yilian("calendar --year 2025");
  CHECK(human.code == 0);
  CHECK(human.out.find("国办发明电〔2024〕12号") != std::string::npos);
  CHECK(human.out.find("2025-09-28 Sun") != std::string::npos);
  const Run overlay = yilian("calendar --year 2025 --calendar chains/calendars/example-city.yaml --json");
  const auto o = json_of(overlay);
  CHECK(o["calendar"] == "example-city");
  CHECK(std::find(o["off"].begin(), o["off"].end(), "2025-03-14") != o["off"].end());
  const Run none = yilian("calendar --year 2030 --json");
  CHECK(none.code == 0);
  CHECK(none.err.find("2030") != std::string::npos);
  CHECK(json_of(none)["covered"] == false);
}

TEST_CASE("calendar.cli.calendars_from_environment_and_option") {
  // A calendar that exists only in a temporary directory, so that neither
  // ./chains/calendars nor an installed share directory can answer for it.
  const auto dir = std::filesystem::temp_directory_path() / ("yilian-calendar-cli-lookup-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "lookup-only.yaml") << "name: lookup-only\nextends: cn-mainland\n";
  std::ofstream(dir / "cn-mainland.yaml")
      << std::ifstream(std::string(YILIAN_SOURCE_DIR) + "/chains/calendars/cn-mainland.yaml").rdbuf();
  const std::string elsewhere = std::filesystem::temp_directory_path().string();
  const std::string args = "deadline --from 2025-09-26 --days 5 --json --calendar lookup-only";
  Run r = yilian(args, elsewhere);
  CHECK(r.code == 2);
  CHECK(r.err.find("lookup-only") != std::string::npos);
  r = yilian(args + " --calendars '" + dir.string() + "'", elsewhere);
  CHECK(r.code == 0);
  CHECK(r.out.find("2025-10-10") != std::string::npos);
  r = yilian(args, elsewhere, "YILIAN_CALENDARS='/nonexistent:" + dir.string() + "'");
  CHECK(r.code == 0);
  CHECK(r.out.find("\"calendar\": \"lookup-only\"") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("calendar.cli.help_teaches") {
  Run r = yilian("deadline --help");
  CHECK(r.code == 0);
  CHECK(r.out.find("Examples:") != std::string::npos);
  CHECK(r.out.find("--suspend") != std::string::npos);
  r = yilian("calendar --help");
  CHECK(r.code == 0);
  CHECK(r.out.find("Examples:") != std::string::npos);
}

}  // namespace calendar_cli_test
