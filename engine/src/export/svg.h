// Small helpers for writing SVG by hand: escaping, number formatting,
// axis ticks, and text width estimates for layout (CJK characters are
// about one em wide, Latin ones about half).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "export/xml_escape.h"

namespace yilian::detail::svg {

/// Escapes text for XML content and attribute values.
inline std::string esc(std::string_view s) { return xml_attr(s); }

/// A coordinate: one decimal, no trailing ".0".
inline std::string num(double x) {
  if (!std::isfinite(x)) x = 0;
  std::string s = fmt::format("{:.1f}", x);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

/// A value for a label: up to `digits` decimals, trailing zeros dropped.
inline std::string label(double x, int digits = 1) {
  std::string s = fmt::format("{:.{}f}", x, digits);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

/// Estimated width of text at a font size (px): CJK and other wide
/// characters count one em, ASCII about 0.56 em.
inline double text_width(std::string_view s, double size) {
  double w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    w += len >= 3 ? 1.0 : 0.56;
    i += len;
  }
  return w * size;
}

/// Cuts text to at most `max_width` px at `size`, adding "…" when cut.
inline std::string fit(std::string_view s, double size, double max_width) {
  if (text_width(s, size) <= max_width) return std::string(s);
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    const std::string next = out + std::string(s.substr(i, len));
    if (text_width(next, size) + size > max_width) break;
    out = next;
    i += len;
  }
  return out + "…";
}

/// Round tick values from 0 to at least hi: steps of 1, 2, 2.5 or 5 times a power of ten.
inline std::vector<double> ticks(double hi, int at_most = 6) {
  if (!(hi > 0)) hi = 1;
  const double raw = hi / at_most;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * p;
  for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (f * p >= raw) {
      step = f * p;
      break;
    }
  std::vector<double> out;
  for (int i = 0;; ++i) {
    out.push_back(step * i);
    if (step * i >= hi * (1 - 1e-9)) break;  // the last tick covers hi
  }
  return out;
}

/// Colours for departments and series (readable on white, distinct in print).
inline const char* palette(std::size_t i) {
  static const char* colours[] = {"#2f6db5", "#d9822b", "#3a9e5c", "#b8404a", "#7a5bb0",
                                  "#8c6d46", "#c7559b", "#5f6b7a", "#2aa1a8", "#9aa332"};
  return colours[i % (sizeof colours / sizeof colours[0])];
}

}  // namespace yilian::detail::svg
