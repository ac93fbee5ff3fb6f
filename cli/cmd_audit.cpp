// yilian audit verify DB: checks every case's hash-chained log.
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "engine_support.h"

namespace yilian::cli {
namespace {

struct AuditOptions {
  std::string db;
  bool json = false;
};

void verify(const AuditOptions& o) {
  auto r = verify_audit(o.db);
  if (!r) {
    std::fprintf(stderr, "yilian: error: %s\n", r.status().to_string().c_str());
    set_exit_code(r.status().code() == Status::Code::invalid_input ? exit_invalid : exit_usage);
    return;
  }
  if (o.json) {
    nlohmann::json j{{"ok", r->ok()}, {"cases", r->cases}, {"entries", r->entries}};
    if (r->first_break)
      j["first_break"] = {{"case", r->first_break->case_id}, {"seq", r->first_break->seq}, {"problem", r->first_break->problem}};
    else
      j["first_break"] = nullptr;
    print_json(j);
  } else if (r->ok()) {
    std::printf("ok: %llu log entries of %llu %s, every hash chain intact\n", static_cast<unsigned long long>(r->entries),
                static_cast<unsigned long long>(r->cases), r->cases == 1 ? "case" : "cases");
  } else {
    std::printf("broken: case %llu, entry %llu: %s\n", static_cast<unsigned long long>(r->first_break->case_id),
                static_cast<unsigned long long>(r->first_break->seq), r->first_break->problem.c_str());
  }
  if (!r->ok()) set_exit_code(exit_invalid);
}

}  // namespace

void add_audit(CLI::App& app) {
  auto o = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "Verify the audit trail of a store");
  cmd->require_subcommand(1);
  auto* v = cmd->add_subcommand("verify", "Check every case's hash-chained log; report the first broken link");
  v->add_option("db", o->db, "The case store (an SQLite file)")->required()->type_name("DB");
  v->add_flag("--json", o->json, "Print one JSON document");
  v->footer(
      "Each entry's hash is SHA-256 over the previous entry's hash and the entry's own bytes;\n"
      "an edited, deleted or reordered entry breaks the chain from that entry on.\n"
      "Exit status 1 when a link is broken.\n"
      "Example:\n  yilian audit verify cases.db");
  v->callback([o] { verify(*o); });
}

}  // namespace yilian::cli
