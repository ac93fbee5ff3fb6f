// Data-driven check of applications: every tests/applications/<case>.yaml
// (or .json) is checked against its chain and compared with
// <case>.expect.yaml. Adding a case needs no C++. The expectation keys:
//   complete: bool                    (required unless load_errors)
//   missing: [field:key, material:id] (exact set; omitted = none)
//   invalid: {key: "code[: reason substring]"}  (exact keys; omitted = none)
//   hints: {key: hint}                (exact hint of those invalid items)
//   ignored: {key: reason}            (exact set, when given)
//   applicable, skipped, undetermined: [matter ids]  (exact, chain order, when given)
//   if_applicable: [field:key, ...]   (exact set of missing items needed only if undecided matters apply)
//   needed_by: {field:key: [matters]} (exact, for the items named)
//   load_errors: ["code line:col"]    (the file must fail to load with exactly these errors)
//   chain_file: path                  (else tests/form/chains/<id>.yaml, then chains/<id>.yaml)
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "load/yaml_tree.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/load.h"

namespace fs = std::filesystem;
using namespace yilian;

namespace form_applications_test {

namespace {

const fs::path kRoot = YILIAN_SOURCE_DIR;

std::vector<std::string> strings(const detail::YamlNode* n) {
  std::vector<std::string> out;
  if (n)
    for (const auto& i : n->items()) out.emplace_back(i->text());
  return out;
}

std::map<std::string, std::string> string_map(const detail::YamlNode* n) {
  std::map<std::string, std::string> out;
  if (n)
    for (const auto& [k, v] : n->entries()) out[std::string(k->text())] = std::string(v->text());
  return out;
}

std::string item_name(const MissingItem& m) {
  return (m.kind == MissingItem::Kind::field ? "field:" : "material:") + m.key;
}

std::string chain_path(const std::string& id, const detail::YamlNode& expect) {
  if (const auto* f = expect.get("chain_file")) return (kRoot / f->text()).string();
  fs::path p = kRoot / "tests/form/chains" / (id + ".yaml");
  if (fs::exists(p)) return p.string();
  return (kRoot / "chains" / (id + ".yaml")).string();
}

struct Checkers {
  std::map<std::string, std::shared_ptr<FormChecker>> by_path;
  const FormChecker* get(const std::string& path) {
    auto it = by_path.find(path);
    if (it != by_path.end()) return it->second.get();
    Loaded<ValidChain> r = load_chain(path);
    for (const auto& d : r.diagnostics)
      if (d.severity == Severity::error) MESSAGE(d.to_string());
    auto c = r.ok() ? std::make_shared<FormChecker>(*r.value()) : nullptr;
    by_path[path] = c;
    return c.get();
  }
};

void run_case(const fs::path& file, const detail::YamlNode& expect, Checkers& checkers) {
  Loaded<Application> loaded = load_application(file.string());
  if (const auto* errs = expect.get("load_errors")) {
    std::multiset<std::string> got, want;
    for (const auto& d : loaded.diagnostics)
      if (d.severity == Severity::error) got.insert(d.code + " " + std::to_string(d.where.line) + ":" + std::to_string(d.where.column));
    for (const auto& s : strings(errs)) want.insert(s);
    CHECK(!loaded.ok());
    CHECK(got == want);
    for (const auto& d : loaded.diagnostics) CHECK(d.where.file == file.string());
    return;
  }
  for (const auto& d : loaded.diagnostics) MESSAGE(d.to_string());
  REQUIRE(loaded.ok());
  const Application& app = loaded.value();
  const FormChecker* checker = checkers.get(chain_path(app.chain, expect));
  REQUIRE(checker);
  const CheckResult r = checker->check(app);

  REQUIRE(expect.get("complete"));
  CHECK(r.complete == expect.get("complete")->as_bool());
  // The allocation-free answer agrees with the full check.
  CHECK(checker->complete(app) == r.complete);
  CHECK(checker->complete(app.fields, app.materials) == checker->check(app.fields, app.materials).complete);

  std::set<std::string> missing, want_missing;
  for (const auto& m : r.missing) missing.insert(item_name(m));
  for (const auto& s : strings(expect.get("missing"))) want_missing.insert(s);
  CHECK(missing == want_missing);

  std::map<std::string, const InvalidItem*> invalid;
  for (const auto& i : r.invalid) invalid[i.key] = &i;
  const auto want_invalid = string_map(expect.get("invalid"));
  std::set<std::string> got_keys, want_keys;
  for (const auto& [k, v] : invalid) got_keys.insert(k);
  for (const auto& [k, v] : want_invalid) want_keys.insert(k);
  CHECK(got_keys == want_keys);
  for (const auto& [key, spec] : want_invalid) {
    auto it = invalid.find(key);
    if (it == invalid.end()) continue;
    const auto colon = spec.find(": ");
    const std::string code = spec.substr(0, colon);
    INFO("invalid " << key << ": " << it->second->reason);
    CHECK(it->second->code == code);
    if (colon != std::string::npos) CHECK(it->second->reason.find(spec.substr(colon + 2)) != std::string::npos);
    CHECK(!it->second->reason_zh.empty());
    if (key != "chain" && key != "version") CHECK(it->second->where.known());
  }
  for (const auto& [key, hint] : string_map(expect.get("hints")))
    if (auto it = invalid.find(key); it != invalid.end()) CHECK(it->second->hint == hint);

  if (const auto* ig = expect.get("ignored")) {
    std::map<std::string, std::string> got;
    for (const auto& g : r.ignored) got[g.key] = g.reason;
    CHECK(got == string_map(ig));
  }
  if (expect.get("applicable")) CHECK(r.applicable_matters == strings(expect.get("applicable")));
  if (expect.get("skipped")) CHECK(r.skipped_matters == strings(expect.get("skipped")));
  if (expect.get("undetermined")) CHECK(r.undetermined_matters == strings(expect.get("undetermined")));
  if (const auto* ia = expect.get("if_applicable")) {
    std::set<std::string> got, want;
    for (const auto& m : r.missing)
      if (m.if_applicable) got.insert(item_name(m));
    for (const auto& s : strings(ia)) want.insert(s);
    CHECK(got == want);
  }
  if (const auto* nb = expect.get("needed_by")) {
    for (const auto& [k, v] : nb->entries()) {
      INFO("needed_by " << k->text());
      auto it = std::find_if(r.missing.begin(), r.missing.end(), [&](const MissingItem& m) { return item_name(m) == k->text(); });
      REQUIRE(it != r.missing.end());
      CHECK(it->needed_by == strings(v));
    }
  }
}

}  // namespace

TEST_CASE("form.applications.data_driven") {
  const fs::path dir = kRoot / "tests/applications";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".expect.yaml")) continue;
    if (name.ends_with(".yaml") || name.ends_with(".json")) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  CHECK(cases.size() >= 25);
  Checkers checkers;
  for (const auto& file : cases) {
    const fs::path expect_file = dir / (file.stem().string() + ".expect.yaml");
    INFO("case " << file.filename().string());
    REQUIRE_MESSAGE(fs::exists(expect_file), "no expectation file " << expect_file.string());
    Diagnostics d;
    auto expect = detail::parse_yaml_file(expect_file.string(), {}, d);
    REQUIRE(expect);
    REQUIRE(expect->is_map());
    run_case(file, *expect, checkers);
  }
}

TEST_CASE("form.check.threads_share_one_checker") {
  // One FormChecker, four threads, every fixture: each thread's results are
  // the single-threaded ones (the checker is immutable; scratch space is
  // per thread).
  Checkers checkers;
  const FormChecker* checker = checkers.get((kRoot / "tests/form/chains/form-check.yaml").string());
  REQUIRE(checker);
  std::vector<Application> apps;
  for (const auto& e : fs::directory_iterator(kRoot / "tests/applications")) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".expect.yaml") || name.starts_with("load-")) continue;
    Loaded<Application> a = load_application(e.path().string());
    if (a.ok() && a->chain == "form-check") apps.push_back(a.value());
  }
  auto summary = [&](const CheckResult& r) {
    std::string s = r.complete ? "C" : "I";
    for (const auto& m : r.missing) s += "|" + m.key;
    for (const auto& i : r.invalid) s += "|!" + i.key + i.code;
    for (const auto& m : r.applicable_matters) s += "|+" + m;
    return s;
  };
  std::vector<std::string> expected;
  for (const auto& a : apps) expected.push_back(summary(checker->check(a)));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round)
        for (std::size_t i = 0; i < apps.size(); ++i)
          if (summary(checker->check(apps[(i + static_cast<std::size_t>(t)) % apps.size()])) !=
              expected[(i + static_cast<std::size_t>(t)) % apps.size()])
            ++mismatches[static_cast<std::size_t>(t)];
    });
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}

}  // namespace form_applications_test
