#include "common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "yilian/text.h"

namespace yilian::cli {

std::vector<std::string> chain_search_path() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("YILIAN_CHAINS"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back("chains");
#ifdef YILIAN_SHARE_DIR
  dirs.emplace_back(YILIAN_SHARE_DIR "/chains");
#endif
  return dirs;
}

LoadOptions chain_load_options() {
  LoadOptions o;
  o.chain_dirs = chain_search_path();
  return o;
}

std::string resolve_chain(const std::string& arg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return arg;
  if (arg.find('/') != std::string::npos || arg.ends_with(".yaml") || arg.ends_with(".yml")) return "";
  for (const auto& dir : chain_search_path())
    for (const char* ext : {".yaml", ".yml"}) {
      fs::path p = fs::path(dir) / (arg + ext);
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  return "";
}

std::optional<ValidChain> load_chain_or_report(const std::string& arg, bool quiet) {
  const std::string path = resolve_chain(arg);
  if (path.empty()) {
    usage_error(fmt::format("{}: no such chain file, and no chain with that id in {}", arg,
                            fmt::join(chain_search_path(), ", ")));
    return std::nullopt;
  }
  Loaded<ValidChain> r = load_chain(path, chain_load_options());
  if (!quiet || r.diagnostics.has_errors()) print_diagnostics(r.diagnostics);
  if (!r.ok()) {
    const bool io = std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                                [](const Diagnostic& d) { return d.code == "io"; });
    set_exit_code(io ? exit_usage : exit_invalid);
    return std::nullopt;
  }
  return std::move(r).value();
}

bool write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  if (out) out << text;
  if (!out) {
    usage_error(fmt::format("{}: cannot write the file", path));
    return false;
  }
  return true;
}

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

void print_diagnostics(const Diagnostics& diags) {
  // What was printed to stdout comes first when both go to one place (2>&1).
  std::fflush(stdout);
  const bool color = is_terminal(2) && !std::getenv("NO_COLOR");
  for (const auto& d : diags) {
    std::string line = d.to_string();
    if (color) {
      const char* c = d.severity == Severity::error ? "\033[31m" : d.severity == Severity::warning ? "\033[33m" : "\033[36m";
      const std::string tag = d.severity == Severity::error ? "error:" : d.severity == Severity::warning ? "warning:" : "note:";
      auto pos = line.find(tag);
      if (pos != std::string::npos) line.replace(pos, tag.size(), fmt::format("{}{}\033[0m", c, tag));
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

nlohmann::json to_json(const Diagnostic& d) {
  return {{"severity", d.severity == Severity::error ? "error" : d.severity == Severity::warning ? "warning" : "note"},
          {"code", d.code},
          {"message", d.message},
          {"file", d.where.file},
          {"line", d.where.line},
          {"column", d.where.column},
          {"path", d.path},
          {"hint", d.hint}};
}

nlohmann::json to_json(const Diagnostics& ds) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& d : ds) arr.push_back(to_json(d));
  return arr;
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void usage_error(const std::string& message) {
  std::fprintf(stderr, "yilian: error: %s\n", printable(message, true).c_str());
  set_exit_code(exit_usage);
}

namespace {

/// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
  if (i + len > s.size()) len = s.size() - i;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

/// East Asian wide and fullwidth ranges (the ones Chinese text uses).
int width_of(char32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) w += static_cast<std::size_t>(width_of(next_code_point(s, i)));
  return w;
}

std::string pad(std::string_view text, std::size_t width) {
  const std::string shown = printable(text);
  const std::string_view s = shown;
  const std::size_t w = display_width(s);
  if (w <= width) return std::string(s) + std::string(width - w, ' ');
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t b = i;
    const auto cw = static_cast<std::size_t>(width_of(next_code_point(s, i)));
    if (used + cw + 1 > width) break;
    out.append(s.substr(b, i - b));
    used += cw;
  }
  out += "…";
  used += 1;
  return out + std::string(width > used ? width - used : 0, ' ');
}

std::string plural(long long n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many.empty() ? fmt::format("{}s", one) : std::string(many));
}

}  // namespace yilian::cli
