// yilian check CHAIN APPLICATION: 一次告知 — every missing or invalid item of
// an application at once, and the matters that apply.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/form_export.h"
#include "yilian/limit.h"

namespace yilian::cli {
namespace cmd_check {

struct CheckOptions {
  std::string chain;
  std::string application;
  std::string notice;
  std::string letters;
  std::string date;  ///< the acceptance day; empty: today for a dated chain
  bool json = false;
};

std::string names(const std::vector<std::string>& ids) { return fmt::format("{}", fmt::join(ids, ", ")); }

void print_human(const Application& app, const CheckResult& r, const Limit& defer_within) {
  std::size_t mf = 0, mm = 0;
  for (const auto& m : r.missing) (m.kind == MissingItem::Kind::field ? mf : mm)++;
  if (r.complete) {
    std::printf("%s: complete — %zu matters apply (%s)\n", app.source.c_str(), r.applicable_matters.size(),
                names(r.applicable_matters).c_str());
  } else {
    std::printf("%s: not complete — %zu field%s and %zu material%s missing, %zu invalid\n", app.source.c_str(), mf,
                mf == 1 ? "" : "s", mm, mm == 1 ? "" : "s", r.invalid.size());
  }
  if (!r.invalid.empty()) {
    std::printf("\nInvalid:\n");
    for (const auto& i : r.invalid) {
      const std::string at = i.where.known() ? i.where.to_string() + ": " : "";
      std::printf("  %s%s: %s [%s]%s\n", at.c_str(), i.key.c_str(), i.reason.c_str(), i.code.c_str(),
                  i.hint.empty() ? "" : fmt::format(" ({})", i.hint).c_str());
    }
  }
  for (auto kind : {MissingItem::Kind::field, MissingItem::Kind::material}) {
    bool header = false;
    for (const auto& m : r.missing) {
      if (m.kind != kind) continue;
      if (!header) {
        std::printf("\nMissing %s:\n", kind == MissingItem::Kind::field ? "fields" : "materials");
        header = true;
      }
      // The agent's authorisation is needed by the application itself (代办帮办).
      std::printf("  %s %s needed by %s%s\n", pad(m.key, 28).c_str(), pad(m.label, 30).c_str(),
                  m.needed_by.empty() ? "the agent named in the application" : names(m.needed_by).c_str(),
                  m.if_applicable ? " (if they apply)" : "");
    }
  }
  if (!r.deferred.empty()) {
    std::printf("\nDeferred (容缺受理: accepted without them, due within %s of acceptance; results held until they come):\n",
                to_string(defer_within).c_str());
    for (const auto& m : r.deferred)
      std::printf("  %s %s needed by %s\n", pad(m.key, 28).c_str(), pad(m.label, 30).c_str(), names(m.needed_by).c_str());
  }
  if (!r.committed_matters.empty())
    std::printf("\nDecided on the applicant's commitment (告知承诺; letters to sign: --letters FILE.md): %s\n",
                names(r.committed_matters).c_str());
  if (!r.ignored.empty()) {
    std::printf("\nIgnored (not an error):\n");
    for (const auto& g : r.ignored) std::printf("  %s: %s — %s\n", g.key.c_str(), g.reason.c_str(), g.detail.c_str());
  }
  std::printf("\nMatters that apply: %s\n", r.applicable_matters.empty() ? "none" : names(r.applicable_matters).c_str());
  if (!r.skipped_matters.empty()) std::printf("Skipped (condition false): %s\n", names(r.skipped_matters).c_str());
  if (!r.not_in_force_matters.empty())
    std::printf("Not in force that day (valid_from / valid_until): %s\n", names(r.not_in_force_matters).c_str());
  if (!r.undetermined_matters.empty())
    std::printf("Undecided (counted as applying until the deciding values are given): %s\n",
                names(r.undetermined_matters).c_str());
}

void run(const CheckOptions& o) {
  auto chain_loaded = load_chain_or_report(o.chain, true);
  if (!chain_loaded) return;
  const ValidChain& chain = *chain_loaded;
  Loaded<Application> loaded = load_application(o.application);
  const bool io = std::any_of(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                              [](const Diagnostic& d) { return d.code == "io"; });
  if (io) {
    print_diagnostics(loaded.diagnostics);
    set_exit_code(exit_usage);
    return;
  }
  if (!loaded.ok()) {
    print_diagnostics(loaded.diagnostics);
    if (o.json)
      print_json({{"complete", false}, {"missing", nlohmann::json::array()}, {"invalid", nlohmann::json::array()},
                  {"applicable_matters", nlohmann::json::array()}, {"diagnostics", to_json(loaded.diagnostics)}});
    set_exit_code(exit_invalid);
    return;
  }
  const Application& app = loaded.value();
  // The day the case would be accepted: --date, else today when what
  // applies depends on the day (valid_from / valid_until).
  std::optional<Date> on;
  if (!o.date.empty()) {
    on = Date::parse(o.date);
    if (!on) return usage_error(fmt::format("--date {}: expected a date YYYY-MM-DD", o.date));
  } else if (chain->dated()) {
    on = today();
  }
  const FormChecker checker(*chain);
  const CheckResult r = checker.check(app, on);
  if (on && chain->dated() && !o.json)
    std::printf("As accepted on %s%s.\n", on->to_string().c_str(), o.date.empty() ? " (today; --date to choose)" : "");
  if (!o.notice.empty() && !write_output(o.notice, notice_to_markdown(checker.form(), r))) return;
  if (!o.letters.empty()) {
    if (r.committed_matters.empty()) {
      // Nothing to sign: say so rather than write an empty file.
      std::fprintf(stderr, "--letters: no matter of this application is decided on a commitment (告知承诺); nothing written to %s\n",
                   o.letters.c_str());
    } else if (!write_output(o.letters, commitment_letters_to_markdown(*chain, r, &app))) {
      return;
    }
  }
  if (o.json) std::fputs(check_to_json(r).c_str(), stdout);
  else print_human(app, r, chain->defer_within);
  set_exit_code(r.complete ? exit_ok : exit_invalid);
}

}  // namespace cmd_check

void add_check(CLI::App& app) {
  using namespace cmd_check;  // this command's options and helpers
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "Check an application: every missing or invalid item at once");
  cmd->description(
      "Check an application (YAML or JSON: chain, fields, materials) against a chain and\n"
      "report every problem at once (一次告知, 行政许可法 Art. 32): missing fields and materials\n"
      "with the matters that need them, invalid values, unknown keys; conditions are\n"
      "evaluated to list the matters that apply. Exit 0 when complete, 1 when not.");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_option("application", o->application, "Application file (YAML or JSON)")
      ->required()
      ->type_name("APPLICATION");
  cmd->add_flag("--json", o->json, "Print one JSON document (see docs/form.md)");
  cmd->add_option("--date", o->date,
                  "The day the case would be accepted: only the matters in force then apply, and a chain not in "
                  "force then is refused (default: today, for a chain with valid_from / valid_until)")
      ->type_name("YYYY-MM-DD");
  cmd->add_option("--notice", o->notice, "Write the one notice (一次性告知书) as Markdown to FILE")
      ->type_name("FILE.md");
  cmd->add_option("--letters", o->letters,
                  "Write the commitment letters (告知承诺书) of the matters decided on a commitment (the "
                  "application's `commitments`, and matters with `commitment: required`) as Markdown to FILE, "
                  "one per matter, for the applicant to sign")
      ->type_name("FILE.md");
  cmd->footer(
      "Examples:\n"
      "  yilian check kindergarten-setup examples/applications/kindergarten-setup-incomplete.yaml\n"
      "  yilian check kindergarten-setup app.json --json --notice notice.md\n"
      "  yilian check hotel-restaurant examples/applications/hotel-restaurant-complete.yaml --letters letters.md\n"
      "  yilian check hotel-restaurant app.yaml --date 2023-11-30   # the rules in force that day");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
