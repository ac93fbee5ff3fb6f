// FormChecker::complete() (the allocation-free answer the flow asks on every
// submission) agrees with check().complete: random applications over every
// chain of chains/ and tests/form/chains/, mixing valid, invalid, blank and
// unknown values, deciding values that switch matters on and off, and
// given, missing and unknown materials.
#include <doctest/doctest.h>

#include <filesystem>
#include <algorithm>
#include <random>

#include "sim/setup.h"
#include "yilian/check.h"
#include "yilian/load.h"

namespace fs = std::filesystem;
using namespace yilian;

namespace form_checker_fast_test {

namespace {

const fs::path kRoot = YILIAN_SOURCE_DIR;

/// A value of the field's type that the checker rejects, where there is one.
Value wrong_value(const Field& f, std::mt19937_64& rng) {
  switch (f.type) {
    case FieldType::boolean: return std::string("perhaps");
    case FieldType::integer:
    case FieldType::number:
    case FieldType::area:
      if (f.min && rng() % 2) return *f.min - 1.0;
      return std::string("many");
    case FieldType::enumeration: return std::string("no-such-value");
    case FieldType::date: return std::string("2025-02-30");
    case FieldType::phone: return std::string("12");
    case FieldType::id_card: return std::string("110105194912310021");
    case FieldType::uscc: return std::string("91110000600037341?");
    default: return std::int64_t{7};
  }
}

/// Another valid value, so that conditions come out both ways.
Value other_value(const Field& f, std::mt19937_64& rng) {
  switch (f.type) {
    case FieldType::boolean: return rng() % 2 == 0;
    case FieldType::enumeration:
      if (!f.values.empty()) return f.values[rng() % f.values.size()];
      break;
    case FieldType::integer: {
      const double lo = f.min.value_or(0), hi = f.max.value_or(lo + 5000);
      return static_cast<std::int64_t>(std::ceil(lo + static_cast<double>(rng() % 1000) / 1000.0 * (hi - lo)));
    }
    case FieldType::number:
    case FieldType::area: {
      const double lo = f.min.value_or(0), hi = f.max.value_or(lo + 5000);
      return lo + static_cast<double>(rng() % 1000) / 1000.0 * (hi - lo);
    }
    default: break;
  }
  return detail::placeholder_value(&f);
}

std::vector<fs::path> chain_files() {
  std::vector<fs::path> out;
  for (const auto& dir : {kRoot / "chains", kRoot / "tests/form/chains"})
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> missing_keys(const CheckResult& r) {
  std::vector<std::string> keys;
  for (const auto& m : r.missing) keys.push_back(m.key);
  return keys;
}

}  // namespace

TEST_CASE("form.checker.complete_agrees_with_check_on_random_applications") {
  int checked = 0, complete = 0;
  for (const auto& path : chain_files()) {
    Loaded<ValidChain> loaded = load_chain(path.string());
    if (!loaded.ok()) continue;
    INFO(path.string());
    const FormChecker checker(*loaded.value());
    const Form& form = checker.form();
    std::mt19937_64 rng(20251128);
#if defined(__SANITIZE_ADDRESS__)
    constexpr int rounds = 300;  // under ASan and UBSan, ten times slower (docs/testing.md)
#else
    constexpr int rounds = 3000;
#endif
    for (int round = 0; round < rounds; ++round) {
      // Rounds start mostly complete and grow more broken, so that both
      // answers are frequent.
      const unsigned broken = static_cast<unsigned>(round % 6);
      FieldValues values;
      for (const auto& ff : form.fields) {
        const unsigned dice = static_cast<unsigned>(rng() % 100);
        if (dice < broken * 4) continue;                                   // absent
        if (dice < broken * 4 + broken) values[ff.field.key] = wrong_value(ff.field, rng);
        else if (dice < broken * 4 + broken + 2) values[ff.field.key] = std::string("  ");  // blank
        else if (dice < 60) values[ff.field.key] = detail::placeholder_value(&ff.field);
        else values[ff.field.key] = other_value(ff.field, rng);
      }
      if (broken >= 4 && rng() % 4 == 0) values["no.such.field"] = std::string("x");
      std::vector<std::string> materials;
      for (const auto& fm : form.materials)
        if (rng() % 100 >= broken * 3) materials.push_back(fm.material.id);
      if (broken >= 4 && rng() % 5 == 0) materials.push_back("no-such-material");
      std::sort(materials.begin(), materials.end());

      const CheckResult full = checker.check(values, materials);
      CHECK(checker.complete(values, materials) == full.complete);
      Application app;
      app.chain = round % 50 == 7 ? "another-chain" : form.chain;
      if (round % 30 == 11) app.version = form.version + 1;
      app.fields = values;
      app.materials = materials;
      CHECK(checker.complete(app) == checker.check(app).complete);
      // The materials in any order, one of them twice, are found all the same.
      std::vector<std::string> shuffled = materials;
      if (!shuffled.empty()) shuffled.push_back(shuffled[rng() % shuffled.size()]);
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      const CheckResult again = checker.check(values, shuffled);
      CHECK(again.complete == full.complete);
      CHECK(missing_keys(again) == missing_keys(full));
      CHECK(checker.complete(values, shuffled) == full.complete);
      ++checked;
      complete += full.complete ? 1 : 0;
    }
  }
  MESSAGE(checked << " applications, " << complete << " complete");
  CHECK(checked > 0);
  CHECK(complete > checked / 20);           // both answers occur often
  CHECK(complete < checked - checked / 20);
}

}  // namespace form_checker_fast_test
