// Matter codes (GB/T 39554.1) and 三级四同.
#include "yilian/matter_code.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "yilian/check.h"

namespace yilian {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Spaces removed, book-title marks dropped, full-width punctuation as
/// half-width: "《民办教育促进法》第十三条、第十六条" and "民办教育促进法第十三条,第十六条" agree.
std::string normalised_basis(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kMap{{
      {"\u3000", ""}, {"《", ""}, {"》", ""}, {"〈", ""}, {"〉", ""}, {"“", ""}, {"”", ""},
      {"，", ","}, {"、", ","}, {"；", ";"}, {"：", ":"}, {"（", "("}, {"）", ")"}, {"。", "."},
  }};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool mapped = false;
    for (const auto& [from, to] : kMap)
      if (s.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        mapped = true;
        break;
      }
    if (mapped) continue;
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') out += s[i];
    ++i;
  }
  while (!out.empty() && (out.back() == '.' || out.back() == ';' || out.back() == ',')) out.pop_back();
  return out;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

struct Use {
  const Chain* chain;
  const Matter* matter;
};

std::string describe(const Matter& m) {
  std::string s = fmt::format("{} ({}", m.name, to_string(m.kind));
  if (!m.basis.empty()) s += fmt::format("; basis {}", m.basis);
  return s + ")";
}

}  // namespace

MatterCode parse_matter_code(std::string_view code) {
  MatterCode out;
  out.basic = std::string(code);
  if (code.find_first_of(" \t-_/.") != std::string_view::npos) {
    out.problem = "it contains separators (spaces, dashes, dots or slashes); write the code without them";
    return out;
  }
  if (std::any_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    out.problem = "it contains lower-case letters; codes are written in capitals";
    return out;
  }
  if (code.size() == 12 && all_digits(code)) {
    out.shape = MatterCode::Shape::basic;
    return out;
  }
  if (code.size() == 31 || code.size() == 33) {
    const std::string_view subject = code.substr(0, 18);
    const char check = uscc_check_char(subject.substr(0, 17));
    if (check == '\0') {
      out.problem = "its first 18 characters are not a unified social credit code (GB 32100 allows digits and the "
                    "capitals A-H, J-N, P-R, T, U, W-Y)";
      return out;
    }
    if (subject[17] != check) {
      out.problem = fmt::format(
          "its first 18 characters, the credit code of the implementing body, end in {} but the check character of "
          "{} is {} (GB 32100)",
          subject[17], subject.substr(0, 17), check);
      return out;
    }
    if (!all_digits(code.substr(18))) {
      out.problem = "after the 18-character credit code, an implementation code has digits only";
      return out;
    }
    out.shape = code.size() == 31 ? MatterCode::Shape::implementation : MatterCode::Shape::handling;
    out.subject = std::string(subject);
    out.basic = std::string(code.substr(19, 12));
    return out;
  }
  out.problem = fmt::format(
      "it has {} characters: a 基本编码 has 12 digits, an 实施编码 31 characters (the implementing body's credit "
      "code, one digit, the 基本编码), an 业务办理项编码 33",
      code.size());
  return out;
}

std::string_view zh_code_shape(MatterCode::Shape shape) {
  switch (shape) {
    case MatterCode::Shape::basic: return "基本编码";
    case MatterCode::Shape::implementation: return "实施编码";
    case MatterCode::Shape::handling: return "业务办理项编码";
    case MatterCode::Shape::unknown: break;
  }
  return "编码";
}

Diagnostics check_codes(const std::vector<const Chain*>& chains) {
  Diagnostics out;
  std::map<std::string, Use> first;
  for (const Chain* c : chains) {
    for (std::size_t i = 0; i < c->matters.size(); ++i) {
      const Matter& m = c->matters[i];
      if (m.code.empty()) continue;
      const MatterCode code = parse_matter_code(m.code);
      auto [it, inserted] = first.emplace(code.basic, Use{c, &m});
      if (inserted) continue;
      const Matter& f = *it->second.matter;
      std::vector<std::string> differ;
      if (trimmed(f.name) != trimmed(m.name)) differ.emplace_back("name");
      if (f.kind != m.kind) differ.emplace_back("kind");
      if (!f.basis.empty() && !m.basis.empty() && normalised_basis(f.basis) != normalised_basis(m.basis))
        differ.emplace_back("basis");
      if (differ.empty()) continue;
      const std::string which =
          code.shape == MatterCode::Shape::basic || code.shape == MatterCode::Shape::unknown
              ? fmt::format("code `{}`", m.code)
              : fmt::format("code `{}` (基本编码 `{}`)", m.code, code.basic);
      out.add({Severity::error, "code-conflict",
               fmt::format("{} means {} at {}, but {} here: a different {} (三级四同: one matter, one name, kind, "
                           "basis and code at every level)",
                           which, describe(f), f.code_where.to_string(), describe(m), fmt::join(differ, ", ")),
               m.code_where, fmt::format("matters[{}].code", i),
               "give every use of the code the name, kind and basis of its entry in the 基本目录, or correct the "
               "code"});
    }
  }
  return out;
}

}  // namespace yilian
