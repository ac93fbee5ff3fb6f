// yilian form CHAIN: the one merged form (一表申请) and the one set of
// materials, as Markdown, CSV, JSON or a JSON Schema of the application.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "calendar_support.h"
#include "common.h"
#include "yilian/form.h"
#include "yilian/form_export.h"

namespace yilian::cli {
namespace cmd_form {

struct FormOptions {
  std::string chain;
  std::string format = "md";
  std::string department;
  std::string output;
  bool json = false;
  std::optional<Date> date;
};

void run(const FormOptions& o) {
  auto chain_loaded = load_chain_or_report(o.chain, true);
  if (!chain_loaded) return;
  const ValidChain& chain = *chain_loaded;
  Form form = merge_form(*chain);
  print_diagnostics(form.diagnostics);  // likely duplicates: warnings on stderr
  if (form.diagnostics.has_errors()) {
    set_exit_code(exit_invalid);
    return;
  }
  if (!o.department.empty() && !form.find_department(o.department)) {
    std::string known;
    for (const auto& d : form.departments) known += (known.empty() ? "" : ", ") + d.id;
    usage_error(fmt::format("--department {}: chain {} has no such department (departments: {})", o.department,
                            form.chain, known));
    return;
  }
  const Form view = department_form(form, o.department);
  const std::string format = o.json ? "json" : o.format;
  std::string text;
  if (format == "md") text = form_to_markdown(view);
  else if (format == "csv") text = form_to_csv(view);
  else if (format == "json") {
    // The library's document, plus the warnings (likely duplicates) for scripts.
    nlohmann::json j = nlohmann::json::parse(form_to_json(view));
    j["diagnostics"] = to_json(form.diagnostics);
    text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  else text = form_to_json_schema(view, chain->dated() ? std::optional<Date>(o.date ? *o.date : today()) : std::nullopt);
  if (!write_output(o.output, text)) return;
  set_exit_code(exit_ok);
}

}  // namespace cmd_form

void add_form(CLI::App& app) {
  using namespace cmd_form;  // this command's options and helpers
  auto o = std::make_shared<FormOptions>();
  auto* cmd = app.add_subcommand("form", "The one merged form and set of materials of a chain");
  cmd->description(
      "Merge the fields and materials of every matter into one form (一表申请, 一套材料):\n"
      "each datum once, with when it is required, the matters that need it, the departments\n"
      "that may see it and where it comes from (the applicant, or a matter: once-only).\n"
      "Likely duplicate fields are reported as warnings on stderr.");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_option("--format,-f", o->format,
                  "md (default), csv (UTF-8 with a byte order mark, so that Excel shows the Chinese), json, or schema "
                  "(JSON Schema of the application)")
      ->check(CLI::IsMember({"md", "csv", "json", "schema"}));
  cmd->add_flag("--json", o->json, "Same as --format json");
  cmd->add_option("--department,-d", o->department,
                  "Only what this department may see (data minimisation), with its own counts")
      ->type_name("D");
  cmd->add_option("--output,-o", o->output, "Write to FILE instead of stdout")->type_name("FILE");
  cmd->add_option_function<std::string>(
         "--date",
         [o](const std::string& s) {
           o->date = Date::parse(s);
           if (!o->date) throw CLI::ValidationError("--date", s + ": expected YYYY-MM-DD");
         },
         "schema: the day the case would be accepted; what only matters not in force then need is not "
         "required (default: today, for a chain with valid_from / valid_until), as `check --date` rules")
      ->type_name("YYYY-MM-DD");
  cmd->footer(
      "Examples:\n"
      "  yilian form chains/kindergarten-setup.yaml\n"
      "  yilian form kindergarten-setup --format schema -o kindergarten.schema.json\n"
      "  yilian form kindergarten-setup --json --department civil");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
