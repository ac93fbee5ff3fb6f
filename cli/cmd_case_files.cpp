// yilian case attach|files: a case's material files (PDF, JPEG, PNG). The
// upload goes through the flow and the store's transaction like every
// change (a Client); the list and the bytes are read from the store.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/material_file.h"
#include "yilian/text.h"

namespace yilian::cli {
namespace cmd_case_files {

struct FileOptions {
  std::string db;
  std::uint64_t id = 0;
  std::string material, path, name, officer, out;
  std::uint64_t entry = 0;
  bool json = false;
};

void attach(const FileOptions& o) {
  std::ifstream in(o.path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "yilian: error: %s: cannot read the file\n", o.path.c_str());
    return set_exit_code(exit_usage);
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string content = std::move(bytes).str();
  // Said here with the file's name; the engine refuses it alike.
  if (media_type_of(content).empty()) {
    std::fprintf(stderr, "yilian: error: %s: not a PDF, JPEG or PNG (recognised by its content, not its name)\n",
                 o.path.c_str());
    return set_exit_code(exit_invalid);
  }
  auto client = open_client(o.db);
  if (!client) return;
  const std::string name = o.name.empty() ? std::filesystem::path(o.path).filename().string() : o.name;
  auto r = client->apply(request::Attach{o.id, o.material, name, std::move(content), cli_actor(o.officer)});
  if (!r) return report(r.status());
  print_receipt(*r, fmt::format("file of {} recorded", o.material), o.json);
}

/// The latest file of `material` (or the one at entry `entry`).
const MaterialFile* pick(const std::vector<MaterialFile>& files, const std::string& material, std::uint64_t entry) {
  const MaterialFile* found = nullptr;
  for (const MaterialFile& f : files)
    if (entry ? f.seq == entry : f.material == material) found = &f;
  return found;
}

void files(const FileOptions& o) {
  auto records = open_records(o.db);
  if (!records) return;
  auto list = records->files(o.id);
  if (!list) return report(list.status());
  if (!o.out.empty() || !o.material.empty() || o.entry) {
    if (o.out.empty()) {
      std::fprintf(stderr, "yilian: error: --get and --entry write a file: give --out FILE\n");
      return set_exit_code(exit_usage);
    }
    const MaterialFile* f = pick(*list, o.material, o.entry);
    if (!f) {
      std::fprintf(stderr, "yilian: error: case %llu has no file %s\n", static_cast<unsigned long long>(o.id),
                   o.entry ? fmt::format("at entry {}", o.entry).c_str() : fmt::format("of `{}`", o.material).c_str());
      return set_exit_code(exit_invalid);
    }
    auto content = records->file_content(o.id, f->seq);
    if (!content) return report(content.status());
    std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
    out.write(content->data(), static_cast<std::streamsize>(content->size()));
    if (!out.flush()) {
      std::fprintf(stderr, "yilian: error: %s: cannot write the file\n", o.out.c_str());
      return set_exit_code(exit_usage);
    }
    if (!o.json)
      std::printf("%s: %s of %s (%s, %llu bytes, SHA-256 %s)\n", o.out.c_str(), f->name.c_str(), f->material.c_str(),
                  f->media_type.c_str(), static_cast<unsigned long long>(f->bytes), f->sha256.c_str());
    else
      print_json(file_json(*f));
    return;
  }
  if (o.json) return print_json(files_json(*list));
  if (list->empty()) {
    std::printf("case %llu has no material files\n", static_cast<unsigned long long>(o.id));
    return;
  }
  std::printf("%-6s %-28s %-16s %-16s %10s  %s\n", "Entry", "Material", "Handed in", "Type", "Bytes", "Name");
  for (const MaterialFile& f : *list)
    std::printf("#%-5llu %-28s %-16s %-16s %10llu  %s\n", static_cast<unsigned long long>(f.seq), f.material.c_str(),
                format_instant(f.at).c_str(), f.media_type.c_str(), static_cast<unsigned long long>(f.bytes),
                printable(f.name).c_str());
}

}  // namespace cmd_case_files

void add_case_files(CLI::App& case_cmd) {
  using namespace cmd_case_files;  // this command's options and helpers
  auto o = std::make_shared<FileOptions>();
  auto* at = case_cmd.add_subcommand("attach", "Hand in a file (PDF, JPEG, PNG) as one of the case's materials");
  add_db_option(*at, o->db);
  add_officer_option(*at, o->officer);
  at->add_option("id", o->id, "Case id")->required();
  at->add_option("material", o->material, "Material id (as the chain names it)")->required()->type_name("MATERIAL");
  at->add_option("file", o->path, "The scan or document")->required()->type_name("FILE");
  at->add_option("--name", o->name, "The name shown for the file (default: the file's own name)");
  at->add_flag("--json", o->json, "Print one JSON document");
  at->footer(
      "The file is recognised by its content (PDF, JPEG or PNG). A material the case asks for counts\n"
      "as handed in, as with `case supplement --material`; the log records the file's SHA-256, which\n"
      "`yilian audit verify` checks against the stored bytes.\n\n"
      "Example:\n  yilian case attach --db cases.db 7 site-title 房产证扫描件.pdf");
  at->callback([o] { attach(*o); });

  auto* ls = case_cmd.add_subcommand("files", "List a case's material files, or write one out");
  add_db_option(*ls, o->db);
  ls->add_option("id", o->id, "Case id")->required();
  ls->add_option("--get", o->material, "Write out the latest file of this material")->type_name("MATERIAL");
  ls->add_option("--entry", o->entry, "Write out the file the log recorded at this entry")->type_name("N");
  ls->add_option("--out,-o", o->out, "Where to write it")->type_name("FILE");
  ls->add_flag("--json", o->json, "Print one JSON document");
  ls->footer(
      "Examples:\n  yilian case files --db cases.db 7\n"
      "  yilian case files --db cases.db 7 --get site-title --out site-title.pdf");
  ls->callback([o] { files(*o); });
}

}  // namespace yilian::cli
