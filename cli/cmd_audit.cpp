// yilian audit verify DB: checks every case's hash-chained log.
#include <fmt/format.h>

#include <cstdlib>

#include "calendar_support.h"
#include "commands.h"
#include "common.h"
#include "engine_support.h"

namespace yilian::cli {
namespace cmd_audit {

struct AuditOptions {
  std::string db;
  std::string anchor;
  bool json = false;
};

void verify(const AuditOptions& o) {
  auto r = verify_audit(o.db, o.anchor, calendar_dirs(""));
  if (!r) {
    std::fprintf(stderr, "yilian: error: %s\n", r.status().to_string().c_str());
    set_exit_code(r.status().code() == Status::Code::invalid_input ? exit_invalid : exit_usage);
    return;
  }
  if (o.json) {
    print_json(audit_document(*r));
  } else if (r->ok()) {
    std::printf("ok: %llu log entries of %llu %s, every hash chain intact%s%s\n",
                static_cast<unsigned long long>(r->entries), static_cast<unsigned long long>(r->cases),
                r->cases == 1 ? "case" : "cases",
                r->files ? fmt::format(", {} material file{} as recorded", r->files, r->files == 1 ? "" : "s").c_str() : "",
                o.anchor.empty() ? "" : ", the anchor holds");
    std::printf("seal: %s%s\n", r->seal.c_str(),
                r->sealed ? "" : "  (the store was written before seals; the engine's next commit stores it)");
  } else if (r->first_break->case_id == 0) {
    std::printf("broken: %s\n", r->first_break->problem.c_str());
  } else {
    std::printf("broken: case %llu, entry %llu: %s\n", static_cast<unsigned long long>(r->first_break->case_id),
                static_cast<unsigned long long>(r->first_break->seq), r->first_break->problem.c_str());
  }
  if (!r->ok()) set_exit_code(exit_invalid);
}

}  // namespace cmd_audit

void add_audit(CLI::App& app) {
  using namespace cmd_audit;  // this command's options and helpers
  auto o = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "Verify the audit trail of a store");
  cmd->require_subcommand(1);
  auto* v = cmd->add_subcommand("verify", "Check every case's hash-chained log; report the first broken link");
  // The store as --db (or $YILIAN_DB), like every other store command, or
  // as the argument (the first edition's form).
  if (const char* env = std::getenv("YILIAN_DB"); env && *env) o->db = env;
  auto* positional = v->add_option("db", o->db, "The case store (same as --db)")->type_name("DB");
  auto* named = v->add_option("--db", o->db, "The case store: an SQLite file, or postgresql://USER@HOST:PORT/DB (default $YILIAN_DB)")
                    ->type_name("FILE|URI");
  positional->excludes(named);
  v->callback([o, positional, named] {
    if (o->db.empty() && positional->count() == 0 && named->count() == 0) return usage_error("name the store: --db FILE (or $YILIAN_DB)");
    verify(*o);
  });
  v->add_option("--anchor", o->anchor,
                "A seal printed earlier (ENTRIES:SHA-256): the log's first ENTRIES entries must still chain to it")
      ->type_name("SEAL");
  v->add_flag("--json", o->json, "Print one JSON document");
  v->footer(
      "Each entry's hash is SHA-256 over the previous entry's hash and the entry's own bytes;\n"
      "an edited, deleted or reordered entry breaks the chain from that entry on.\n"
      "The store-wide seal chains every entry's hash in the order appended, so a whole case\n"
      "deleted (its row and its log) is noticed too. The seal printed on success can be kept\n"
      "elsewhere (a daily report) and given back with --anchor: that also catches someone who\n"
      "rewrote the hashes after an edit.\n"
      "Exit status 1 when a link is broken, the anchor does not hold or is malformed, or the file is\n"
      "not a yilian store; 2 when it cannot be read.\n"
      "Examples:\n  yilian audit verify --db cases.db\n"
      "  yilian audit verify cases.db --anchor 1234:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

}  // namespace yilian::cli
