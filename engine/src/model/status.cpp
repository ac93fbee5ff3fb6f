#include "yilian/status.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace yilian {

std::string SourceLocation::to_string() const {
  if (file.empty() && line <= 0) return "";
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Diagnostic::to_string() const {
  std::string out;
  const std::string loc = where.to_string();
  if (!loc.empty()) out = loc + ": ";
  out += severity == Severity::error ? "error: " : severity == Severity::warning ? "warning: " : "note: ";
  if (!path.empty()) out += path + ": ";
  out += message;
  if (!hint.empty()) out += fmt::format(" ({})", hint);
  if (!code.empty()) out += fmt::format(" [{}]", code);
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::warning; }));
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.where.file != b.where.file) return a.where.file < b.where.file;
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
}

namespace detail {
void value_of_failed_result(const Status& status) noexcept {
  std::fprintf(stderr, "yilian: value() of a failed Result (check is_ok() first): %s\n", status.to_string().c_str());
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  const std::string loc = where_.to_string();
  return loc.empty() ? message_ : loc + ": " + message_;
}

}  // namespace yilian
