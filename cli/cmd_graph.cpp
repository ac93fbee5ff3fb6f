// yilian graph CHAIN --format mermaid|dot: the chain's flow chart.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "yilian/export.h"

namespace yilian::cli {
namespace {

struct GraphOptions {
  std::string chain;
  std::string format = "mermaid";
  std::string output;
};

void run(const GraphOptions& o) {
  auto chain = load_chain_or_report(o.chain, true);
  if (!chain) return;
  std::string text;
  if (o.format == "mermaid") text = to_mermaid(*chain);
  else if (o.format == "dot") text = to_dot(*chain);
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    return;
  }
  std::ofstream f(o.output, std::ios::binary);
  f << text;
  if (!f) usage_error(fmt::format("{}: cannot write", o.output));
}

}  // namespace

void add_graph(CLI::App& app) {
  auto o = std::make_shared<GraphOptions>();
  auto* cmd = app.add_subcommand("graph", "Flow chart of a chain (Mermaid, Graphviz DOT)");
  cmd->description(
      "Write the chain's flow chart: acceptance at the lead department's window, one box per\n"
      "matter grouped by department, dependencies as arrows, conditional matters dashed with\n"
      "their condition, and the one delivery window.");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_option("-f,--format", o->format, "mermaid or dot")
      ->check(CLI::IsMember({"mermaid", "dot"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Write to this file instead of stdout")->type_name("FILE");
  cmd->footer(
      "Examples:\n"
      "  yilian graph kindergarten-setup > chart.mmd\n"
      "  yilian graph kindergarten-setup --format dot | dot -Tsvg > chart.svg");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
