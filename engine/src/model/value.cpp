#include "yilian/value.h"

#include <fmt/format.h>

namespace yilian {

std::string to_display(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const ValueSet& s) const {
      std::string out;
      for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
      return out;
    }
  };
  return std::visit(Visitor{}, v);
}

double as_double(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return 0.0;
}

}  // namespace yilian
