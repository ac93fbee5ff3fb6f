// yilian guide CHAIN: the service guide (办事指南) of a chain, as one
// printable HTML page or as Markdown.
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "yilian/guide.h"

namespace yilian::cli {
namespace cmd_guide {

struct GuideCliOptions {
  std::string chain;
  std::string matter;
  std::string format;
  std::string output;
};

void run(const GuideCliOptions& o) {
  auto chain_loaded = load_chain_or_report(o.chain, true);
  if (!chain_loaded) return;
  const ValidChain& chain = *chain_loaded;
  if (!o.matter.empty() && !chain->find_matter(o.matter)) {
    std::string known;
    for (const auto& m : chain->matters) known += (known.empty() ? "" : ", ") + m.id;
    usage_error(fmt::format("--matter {}: chain {} has no such matter (matters: {})", o.matter, chain->id, known));
    return;
  }
  // The format: as given, else from the output file's extension, else HTML.
  std::string format = o.format;
  if (format.empty()) format = o.output.ends_with(".md") || o.output.ends_with(".markdown") ? "md" : "html";
  const GuideOptions options{o.matter};
  const std::string text = format == "md" ? guide_markdown(*chain, options) : guide_html(*chain, options);
  if (!write_output(o.output, text)) return;
  set_exit_code(exit_ok);
}

}  // namespace cmd_guide

void add_guide(CLI::App& app) {
  using namespace cmd_guide;  // this command's options and helpers
  auto o = std::make_shared<GuideCliOptions>();
  auto* cmd = app.add_subcommand("guide", "The service guide (办事指南) of a chain, as HTML or Markdown");
  cmd->description(
      "Write the service guide (办事指南) that a service hall publishes for a chain: an overview\n"
      "(lead department, promised limit, departments), the flow chart, and for every matter\n"
      "  - its name, kind (行政许可, 行政确认, 备案, …), code (基本编码 or 实施编码) and legal basis;\n"
      "  - the implementing department, the statutory and promised limits, when it applies,\n"
      "    the matters done before it, the visits, the fees and the documents it issues;\n"
      "  - its materials: where each comes from (申请人自备, 部门核发, 共享获取), original or copy,\n"
      "    copies, the blank form and sample files, and when it is asked;\n"
      "  - its phases, and which of them do not count towards the limit (Art. 45).\n"
      "Everything comes from the chain file (docs/chain-reference.md): keys it does not set\n"
      "(a code, a basis, fees) are printed as 未载明, never guessed.\n"
      "\n"
      "HTML (the default) is one self-contained page: inline CSS and SVG, no script, nothing\n"
      "fetched, Chinese fonts from the system; print it (A4) and each matter starts a page.\n"
      "Markdown carries the same tables and the flow chart as a Mermaid block.");
  cmd->add_option("chain", o->chain, "Chain file, or a chain id found in ./chains")->required()->type_name("CHAIN");
  cmd->add_option("--matter,-m", o->matter, "Only this matter (its id); the overview and flow chart stay")
      ->type_name("M");
  cmd->add_option("--format,-f", o->format,
                  "html (the default; md when FILE ends in .md) or md")
      ->check(CLI::IsMember({"html", "md"}));
  cmd->add_option("--output,-o", o->output, "Write to FILE instead of stdout")->type_name("FILE");
  cmd->footer(
      "Examples:\n"
      "  yilian guide kindergarten-setup -o guide.html          # open it in a browser, print on A4\n"
      "  yilian guide chains/hotel-restaurant.yaml --format md  # the same as Markdown\n"
      "  yilian guide kindergarten-setup --matter school-permit -o school-permit.html\n"
      "Exit codes: 0 written, 1 the chain is invalid, 2 usage or I/O error (e.g. no such matter).");
  cmd->callback([o] { run(*o); });
}

}  // namespace yilian::cli
