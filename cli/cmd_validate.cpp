// yilian validate PATH...: load and validate chain files or folders.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "commands.h"
#include "common.h"
#include "yilian/load.h"
#include "yilian/text.h"
#include "yilian/matter_code.h"

namespace yilian::cli {
namespace cmd_validate {

struct ValidateOptions {
  std::vector<std::string> paths;
  bool json = false;
  bool quiet = false;
  bool strict = false;
};

/// One line for a change an overlay makes: "+" adds, "-" drops, "~" changes.
std::string describe(const OverlayChange& x) {
  const std::string& k = x.kind;
  auto arrow = [&](std::string_view what) {
    return fmt::format("{}: {} → {}", what, x.before.empty() ? "(none)" : x.before, x.after.empty() ? "(none)" : x.after);
  };
  if (k == "department-added") return fmt::format("+ department `{}` ({})", x.subject, x.after);
  if (k == "field-added") return fmt::format("+ field `{}` ({})", x.subject, x.after);
  if (k == "material-added") return fmt::format("+ material `{}` ({})", x.subject, x.after);
  if (k == "matter-added") return fmt::format("+ matter `{}` ({})", x.subject, x.after);
  if (k == "matter-dropped") return fmt::format("- matter `{}` ({})", x.subject, x.before);
  if (k == "department-renamed") return fmt::format("~ department `{}`: {}", x.subject, arrow("name"));
  if (k == "department-changed") return fmt::format("~ department `{}`: `sees` replaced", x.subject);
  if (k == "matter-department") return fmt::format("~ matter `{}`: {}", x.subject, arrow("department"));
  if (k == "matter-promised-days") return fmt::format("~ matter `{}`: {}", x.subject, arrow("promised_days"));
  if (k == "matter-promised") return fmt::format("~ matter `{}`: {}", x.subject, arrow("promised"));
  if (k == "matter-visits") return fmt::format("~ matter `{}`: {}", x.subject, arrow("visits"));
  if (k == "matter-description") return fmt::format("~ matter `{}`: description replaced", x.subject);
  if (k == "matter-phases") return fmt::format("~ matter `{}`: phases replaced ({} phases)", x.subject, x.after);
  if (k == "matter-validity") return fmt::format("~ matter `{}`: {}", x.subject, arrow("in force"));
  if (k == "chain-alerts") return "~ chain: alerts replaced";
  if (k == "chain-validity") return fmt::format("~ chain: {}", arrow("in force"));
  // chain-name, chain-lead, chain-promised-days, chain-promised,
  // chain-statutory-days, chain-statutory, chain-calendar,
  // chain-office-close: the key after "chain-".
  std::string key = k.substr(k.find('-') + 1);
  std::replace(key.begin(), key.end(), '-', '_');
  return fmt::format("~ chain: {}", arrow(key));
}

nlohmann::json overlay_json(const Chain& c) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& x : c.overlay)
    changes.push_back({{"kind", x.kind}, {"subject", x.subject}, {"before", x.before}, {"after", x.after},
                       {"file", x.where.file}, {"line", x.where.line}, {"column", x.where.column},
                       {"text", describe(x)}});
  return {{"base", c.extends}, {"base_files", c.base_files}, {"changes", changes}};
}

struct LoadedFile {
  std::string file;
  Loaded<ValidChain> result;
};

/// 三级四同 across the loaded chains: a code that means another name, kind
/// or basis than in an earlier file is an error in the later file. Conflicts
/// inside one chain are validate()'s own, already reported.
void check_codes_across(std::vector<LoadedFile>& loaded) {
  std::vector<const Chain*> chains;
  std::map<std::string, std::size_t> by_file;
  for (std::size_t i = 0; i < loaded.size(); ++i)
    if (loaded[i].result.ok()) {
      const Chain& c = *loaded[i].result.value();
      chains.push_back(&c);
      by_file.emplace(c.source, i);
    }
  if (chains.size() < 2) return;
  for (const auto& d : check_codes(chains)) {
    auto it = by_file.find(d.where.file);
    if (it == by_file.end()) continue;
    Diagnostics& own = loaded[it->second].result.diagnostics;
    const bool known = std::any_of(own.begin(), own.end(), [&](const Diagnostic& x) {
      return x.code == d.code && x.message == d.message && x.where.line == d.where.line;
    });
    if (!known) own.add(d);
  }
  for (auto& l : loaded) l.result.diagnostics.sort();
}

void run(const ValidateOptions& o) {
  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, std::string> ids;  // chain id -> first file
  std::size_t errors = 0, warnings = 0, valid = 0, total = 0;
  std::vector<LoadedFile> loaded;
  for (const auto& arg : o.paths) {
    auto found = chain_files(arg);
    if (!found) {
      usage_error(found.status().message());
      return;
    }
    for (const auto& file : *found) {
      Loaded<ValidChain> r = load_chain(file, chain_load_options());
      if (r.ok()) {
        auto [it, inserted] = ids.emplace(r.value()->id, file);
        if (!inserted)
          r.diagnostics.add({Severity::error, "duplicate-chain",
                             fmt::format("chain id `{}` is also used by {}", r.value()->id, it->second),
                             r.value()->where, "id", "chain ids must be unique among loaded chains"});
      }
      loaded.push_back({file, std::move(r)});
    }
  }
  check_codes_across(loaded);
  for (auto& [file, r] : loaded) {
    ++total;
    const std::size_t e = r.diagnostics.error_count(), w = r.diagnostics.warning_count();
    errors += e;
    warnings += w;
    const bool ok = e == 0 && !(o.strict && w > 0);
    if (ok) ++valid;
    if (o.json) {
      nlohmann::json f = {{"file", file}, {"valid", ok}, {"errors", e}, {"warnings", w},
                          {"diagnostics", to_json(r.diagnostics)}};
      if (r.ok()) {
        f["chain"] = r.value()->id;
        f["version"] = r.value()->version;
        f["matters"] = r.value()->matters.size();
        if (!r.value()->extends.empty()) f["extends"] = overlay_json(*r.value());
      }
      files.push_back(std::move(f));
      continue;
    }
    if (!o.quiet || e > 0) print_diagnostics(r.diagnostics);
    if (r.ok() && e == 0)
      std::printf("%s %s: %s v%d %s, %zu matters, %zu departments%s\n", ok ? "ok  " : "FAIL", file.c_str(),
                  r.value()->id.c_str(), r.value()->version, r.value()->name.c_str(), r.value()->matters.size(),
                  r.value()->departments.size(), w ? fmt::format(", {} warning{}", w, w == 1 ? "" : "s").c_str() : "");
    if (r.ok() && e == 0 && !r.value()->extends.empty()) {
      const Chain& c = *r.value();
      std::printf("     extends %s (%s): %zu change%s\n", c.extends.c_str(),
                  c.base_files.empty() ? "" : c.base_files.front().c_str(), c.overlay.size(),
                  c.overlay.size() == 1 ? "" : "s");
      for (const auto& x : c.overlay) std::printf("       %s\n", printable(describe(x)).c_str());
    } else if (!r.ok() || e > 0)
      std::printf("FAIL %s: %zu error%s\n", file.c_str(), e, e == 1 ? "" : "s");
  }
  if (total == 0) {
    usage_error("no chain files (*.yaml) found");
    return;
  }
  if (o.json) {
    print_json({{"valid", valid == total}, {"files", files}, {"errors", errors}, {"warnings", warnings}});
  } else if (total > 1) {
    std::printf("%zu of %zu chains valid; %zu errors, %zu warnings\n", valid, total, errors, warnings);
  }
  set_exit_code(valid == total ? exit_ok : exit_invalid);
}

}  // namespace cmd_validate

void add_validate(CLI::App& app) {
  using namespace cmd_validate;  // this command's options and helpers
  auto o = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand("validate", "Load and validate chain files or folders");
  cmd->description(
      "Load and validate chain files or folders of them (every *.yaml, not calendars/).\n"
      "Reports every problem at once, each with file:line:column, the key path, what was\n"
      "expected and a suggestion where one helps. A locality overlay (`extends: BASE`) is\n"
      "merged onto its base, checked as one chain, and followed by the list of what it changes.\n"
      "Across all the chains given, every matter code must mean one name, kind and legal basis\n"
      "(三级四同): a code used differently in two files is an error in the later one, naming both places.");
  cmd->add_option("paths", o->paths, "Chain files or folders")->required()->type_name("PATH...");
  cmd->add_flag("--json", o->json,
                "Print one JSON document: {valid, errors, warnings, files: [...]}; an overlay's file has "
                "\"extends\": {base, base_files, changes}");
  cmd->add_flag("-q,--quiet", o->quiet, "Do not print warnings");
  cmd->add_flag("--strict", o->strict, "Count warnings as failures");
  cmd->footer(
      "Examples:\n"
      "  yilian validate chains/\n"
      "  yilian validate chains/kindergarten-setup.yaml --json\n"
      "Exit codes: 0 all valid, 1 some chain invalid, 2 usage or I/O error.");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
