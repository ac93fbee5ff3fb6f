// Escaping text for XML (BPMN) and for SVG/HTML in reports: one rule.
#pragma once

#include <string>
#include <string_view>

namespace yilian::detail {

/// Characters XML 1.0 cannot hold at all (C0 controls but tab, LF, CR).
inline bool xml_forbidden(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

/// Text content: &, <, > escaped, CR kept as a reference, forbidden
/// characters dropped.
inline std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (!xml_forbidden(static_cast<unsigned char>(c))) out += c;
    }
  }
  return out;
}

/// An attribute value in double or single quotes: also quotes and
/// whitespace that attribute normalisation would fold.
inline std::string xml_attr(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (!xml_forbidden(static_cast<unsigned char>(c))) out += c;
    }
  }
  return out;
}

}  // namespace yilian::detail
