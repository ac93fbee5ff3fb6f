#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <sstream>

#include "yilian/analysis.h"
#include "yilian/export.h"
#include "yilian/load.h"

using namespace yilian;

namespace analysis_test {

namespace {

/// A chain from compact matter lines: "id dept promised statutory [after,...] [when]".
ValidChain chain_of(const std::vector<std::string>& matters, const std::string& extra_fields = "") {
  std::string text =
      "id: t\nversion: 1\nname: 测试\nlead: a\npromised_days: 100\ndepartments:\n  a: { name: 甲 }\n  b: { name: 乙 }\n"
      "fields:\n  x.flag: { label: 标志, type: boolean }\n  x.n: { label: 数, type: integer }\n" +
      extra_fields + "matters:\n";
  for (const auto& line : matters) {
    std::istringstream in(line);
    std::string id, dept, after, when;
    int promised = 0, statutory = 0;
    in >> id >> dept >> promised >> statutory >> after;
    std::getline(in, when);
    text += fmt::format("  - {{ id: {}, name: 事项{}, department: {}, promised_days: {}, statutory_days: {}", id, id, dept,
                        promised, statutory);
    if (!after.empty() && after != "-") text += fmt::format(", after: [{}]", after);
    if (when.find_first_not_of(' ') != std::string::npos) text += fmt::format(", when: \"{}\"", when.substr(1));
    text += " }\n";
  }
  Loaded<ValidChain> r = load_chain_text(text, "t.yaml");
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error) FAIL_CHECK(d.to_string());
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("analysis.diamond") {
  // a(5) -> b(10), c(3) -> d(2): b is critical, c has 7 days of slack.
  auto c = chain_of({"a a 5 20 -", "b b 10 20 a", "c a 3 20 a", "d b 2 20 b,c"});
  Analysis an = analyse(c);
  CHECK(an.mode == Analysis::Mode::worst_case);
  CHECK(an.stages == std::vector<std::vector<std::string>>{{"a"}, {"b", "c"}, {"d"}});
  CHECK(an.critical_path.matters == std::vector<std::string>{"a", "b", "d"});
  CHECK(an.critical_path.promised_days == 17);
  CHECK(an.critical_path.statutory_days == 60);
  CHECK(an.serial_promised_days == 20);
  CHECK(an.compression == doctest::Approx(1.0 - 17.0 / 20.0));
  auto timing = [&](const std::string& id) {
    for (const auto& t : an.timings)
      if (t.matter == id) return t;
    FAIL("no timing for " << id);
    return MatterTiming{};
  };
  CHECK(timing("c").start == 5);
  CHECK(timing("c").finish == 8);
  CHECK(timing("c").slack == 7);
  CHECK_FALSE(timing("c").critical);
  CHECK(timing("d").start == 15);
  CHECK(timing("b").slack == 0);
}

TEST_CASE("analysis.statutory_path_differs") {
  // By promised days a->b is longer; by statutory days a->c is.
  auto c = chain_of({"a a 1 10 -", "b a 9 10 a", "c b 2 60 a"});
  Analysis an = analyse(c);
  CHECK(an.critical_path.matters == std::vector<std::string>{"a", "b"});
  CHECK(an.critical_path_statutory.matters == std::vector<std::string>{"a", "c"});
  CHECK(an.critical_path_statutory.statutory_days == 70);
  CHECK(an.serial_statutory_days == 80);
}

TEST_CASE("analysis.scenario_skips_and_passes_dependencies_through") {
  // b applies only with the flag; d comes after b, so without b it waits for a.
  auto c = chain_of({"a a 5 20 -", "b b 10 20 a x.flag == true", "d a 2 20 b"});
  SUBCASE("worst case counts b") {
    Analysis an = analyse(c);
    CHECK(an.critical_path.promised_days == 17);
    CHECK(an.applicable.size() == 3);
  }
  SUBCASE("flag false skips b") {
    FieldValues v{{"x.flag", false}};
    Analysis an = analyse(c, &v);
    CHECK(an.mode == Analysis::Mode::scenario);
    CHECK(an.skipped == std::vector<std::string>{"b"});
    CHECK(an.stages == std::vector<std::vector<std::string>>{{"a"}, {"d"}});
    CHECK(an.critical_path.matters == std::vector<std::string>{"a", "d"});
    CHECK(an.critical_path.promised_days == 7);
  }
  SUBCASE("no value leaves b undetermined, counted") {
    FieldValues v{{"x.n", std::int64_t{3}}};
    Analysis an = analyse(c, &v);
    CHECK(an.undetermined == std::vector<std::string>{"b"});
    CHECK(an.critical_path.promised_days == 17);
  }
}

TEST_CASE("analysis.uncounted_phases_elapse") {
  std::string text =
      "id: p\nversion: 1\nname: 测试\nlead: a\npromised_days: 30\ndepartments:\n  a: { name: 甲 }\nmatters:\n"
      "  - id: m\n    name: 事项\n    department: a\n    promised_days: 10\n    statutory_days: 20\n    phases:\n"
      "      - { id: test, kind: testing, days: 6 }\n      - { id: visit, kind: site-inspection, days: 2 }\n"
      "  - { id: n, name: 后续, department: a, promised_days: 3, statutory_days: 5, after: [m] }\n";
  Loaded<ValidChain> r = load_chain_text(text, "p.yaml");
  REQUIRE(r.ok());
  Analysis an = analyse(r.value());
  CHECK(an.critical_path.promised_days == 13);
  CHECK(an.elapsed_days == 19);
  CHECK(an.timings[1].elapsed_start == 16);
}

TEST_CASE("analysis.validate.chain_promise_and_ceiling") {
  std::string text =
      "id: w\nversion: 1\nname: 测试\nlead: a\npromised_days: 50\ndepartments:\n  a: { name: 甲 }\nmatters:\n"
      "  - { id: m, name: 一, department: a, promised_days: 30, statutory_days: 30 }\n"
      "  - { id: n, name: 二, department: a, promised_days: 25, statutory_days: 30, after: [m] }\n";
  Loaded<ValidChain> r = load_chain_text(text, "w.yaml");
  REQUIRE(r.ok());  // warnings only
  std::vector<std::string> codes;
  for (const auto& d : r.diagnostics) codes.push_back(d.code);
  CHECK(std::count(codes.begin(), codes.end(), "chain-promise") == 1);   // 50 < 55
  CHECK(std::count(codes.begin(), codes.end(), "legal-ceiling") == 2);   // promise 50 > 45, path 55 > 45
}

TEST_CASE("analysis.large_generated_chain") {
  // 400 matters in layers of 20, each after two of the previous layer.
  std::vector<std::string> lines;
  for (int i = 0; i < 400; ++i) {
    std::string after = "-";
    if (i >= 20) after = fmt::format("m{},m{}", i - 20, (i / 20 - 1) * 20 + (i + 7) % 20);
    if (after == fmt::format("m{},m{}", i - 20, i - 20)) after = fmt::format("m{}", i - 20);
    lines.push_back(fmt::format("m{} {} {} {} {}", i, i % 2 ? "a" : "b", 1 + i % 5, 10, after));
  }
  auto c = chain_of(lines);
  Analysis an = analyse(c);
  CHECK(an.stages.size() == 20);
  for (const auto& st : an.stages) CHECK(st.size() == 20);
  CHECK(an.critical_path.matters.size() == 20);
  // Every timing respects its dependencies.
  std::map<std::string, MatterTiming> t;
  for (const auto& x : an.timings) t[x.matter] = x;
  for (const auto& m : c->matters)
    for (const auto& a : m.after) CHECK(t[m.id].start >= t[a.id].finish);
}

TEST_CASE("export.flowchart.mentions_every_matter") {
  auto c = chain_of({"a a 5 20 -", "b b 10 20 a x.flag == true", "d a 2 20 b"});
  const std::string mmd = to_mermaid(*c);
  const std::string dot = to_dot(*c);
  for (const auto& m : c->matters) {
    CHECK(mmd.find("m_" + m.id + "[") != std::string::npos);
    CHECK(dot.find("m_" + m.id + " [") != std::string::npos);
  }
  CHECK(mmd.find("class m_b conditional") != std::string::npos);
  CHECK(mmd.find("m_a -.-> m_b") != std::string::npos);
  CHECK(mmd.find("m_d --> deliver") != std::string::npos);
  CHECK(dot.find("m_a -> m_b [style=dashed]") != std::string::npos);
}

}  // namespace analysis_test
