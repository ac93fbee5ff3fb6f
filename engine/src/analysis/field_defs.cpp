#include "analysis/field_defs.h"

#include <fmt/format.h>

#include <algorithm>

namespace yilian::detail {
namespace {

std::string bound(const std::optional<double>& b) { return b ? fmt::format("{}", *b) : "none"; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string definition_conflict(const Field& a, const Field& b) {
  if (a.type != b.type) return fmt::format("type {} here, {} there", to_string(b.type), to_string(a.type));
  if (a.type == FieldType::enumeration) {
    auto x = a.values, y = b.values;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    if (x != y) return fmt::format("enum values [{}] here, [{}] there", join(b.values), join(a.values));
  }
  if (a.min != b.min) return fmt::format("min {} here, {} there", bound(b.min), bound(a.min));
  if (a.max != b.max) return fmt::format("max {} here, {} there", bound(b.max), bound(a.max));
  if (a.pattern != b.pattern) return fmt::format("pattern `{}` here, `{}` there", b.pattern, a.pattern);
  return "";
}

std::vector<const Field*> definitions_of(const Chain& chain, std::string_view key) {
  std::vector<const Field*> out;
  for (const auto& f : chain.fields)
    if (f.key == key) out.push_back(&f);
  for (const auto& m : chain.matters)
    for (const auto& f : m.field_defs)
      if (f.key == key) out.push_back(&f);
  for (const auto& m : chain.matters)
    for (const auto& f : m.produces)
      if (f.key == key) out.push_back(&f);
  return out;
}

}  // namespace yilian::detail
