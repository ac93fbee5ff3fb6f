// yilian graph CHAIN --format mermaid|dot|bpmn: the chain's flow chart, or
// its BPMN 2.0 process for Camunda 8 / Zeebe and BPMN modelers.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "yilian/analysis.h"
#include "yilian/bpmn.h"
#include "yilian/export.h"
#include "yilian/field_values.h"

namespace yilian::cli {
namespace cmd_graph {

struct GraphOptions {
  std::string chain;
  std::string format = "mermaid";
  std::string output;
  std::string scenario;
  std::string date;  ///< the acceptance day; empty: today for a dated chain
};

void run(const GraphOptions& o) {
  auto read = load_chain_or_report(o.chain, true);
  if (!read) return;
  const ValidChain& loaded = *read;
  // A chart cannot hold dates: a chain with valid_from / valid_until is
  // drawn as it is on --date (default today), like `plan` and `check`.
  std::optional<Date> day;
  if (!o.date.empty()) {
    day = Date::parse(o.date);
    if (!day) return usage_error(fmt::format("--date {}: expected a date YYYY-MM-DD", o.date));
  } else if (loaded->dated()) {
    day = today();
  }
  auto chain = day && loaded->dated() ? std::make_shared<const Chain>(chain_as_on(loaded, *day)) : loaded.ptr();
  if (!o.scenario.empty() && o.format != "bpmn") {
    usage_error("--scenario applies to --format bpmn only");
    return;
  }
  std::string text;
  if (o.format == "mermaid") {
    text = to_mermaid(*chain);
  } else if (o.format == "dot") {
    text = to_dot(*chain);
  } else {
    BpmnOptions bo;
    if (!o.scenario.empty()) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(o.scenario, ec)) {
        usage_error(fmt::format("{}: no such file", o.scenario));
        return;
      }
      Loaded<FieldValues> values = read_field_values(o.scenario, chain.get());
      print_diagnostics(values.diagnostics);
      if (values.diagnostics.has_errors()) {
        set_exit_code(exit_invalid);
        return;
      }
      bo.scenario = std::move(values.value());
    }
    text = to_bpmn(*chain, bo);
  }
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    return;
  }
  std::ofstream f(o.output, std::ios::binary);
  f << text;
  if (!f) usage_error(fmt::format("{}: cannot write", o.output));
}

}  // namespace cmd_graph

void add_graph(CLI::App& app) {
  using namespace cmd_graph;  // this command's options and helpers
  auto o = std::make_shared<GraphOptions>();
  auto* cmd = app.add_subcommand("graph", "Flow chart of a chain (Mermaid, Graphviz DOT) or its BPMN 2.0 process");
  cmd->description(
      "Write the chain's flow chart: acceptance at the lead department's window, one box per\n"
      "matter grouped by department, dependencies as arrows, conditional matters dashed with\n"
      "their condition, and the one delivery window.\n"
      "--format bpmn writes an executable BPMN 2.0 process for Camunda 8 / Zeebe with a\n"
      "diagram that bpmn.io and Camunda Modeler open as is (see docs/bpmn.md).");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_option("-f,--format", o->format, "mermaid, dot or bpmn")
      ->check(CLI::IsMember({"mermaid", "dot", "bpmn"}))
      ->capture_default_str();
  cmd->add_option("--scenario", o->scenario,
                  "BPMN only: form values (YAML or JSON: an application's `fields`, dotted keys or nested\n"
                  "maps); conditions they decide are evaluated, so only applicable matters are exported")
      ->type_name("FILE");
  cmd->add_option("--date", o->date,
                  "A chain with valid_from / valid_until is drawn as it is on this day (default: today): the "
                  "matters not in force then are left out")
      ->type_name("YYYY-MM-DD");
  cmd->add_option("-o,--output", o->output, "Write to this file instead of stdout")->type_name("FILE");
  cmd->footer(
      "Examples:\n"
      "  yilian graph kindergarten-setup > chart.mmd\n"
      "  yilian graph kindergarten-setup --format dot | dot -Tsvg > chart.svg\n"
      "  yilian graph kindergarten-setup --format bpmn -o kindergarten.bpmn\n"
      "  yilian graph kindergarten-setup --format bpmn --scenario application.yaml -o case.bpmn");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
