// Materials: where they come from, and the catch-all rule (杜绝"其他材料"等兜底性条款).
#include <array>
#include <string>

#include "yilian/chain.h"

namespace yilian {
namespace {

constexpr std::array<std::pair<std::string_view, MaterialSource>, 3> kSources{{
    {"applicant", MaterialSource::applicant},
    {"issued", MaterialSource::issued},
    {"shared", MaterialSource::shared},
}};

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

/// The name without surrounding spaces and trailing punctuation (。；，、：).
std::string_view trimmed(std::string_view s) {
  static constexpr std::array<std::string_view, 13> kTrail{" ", "\t", "\n", "\r", "\u3000", "\u3002", "\uff1b",
                                                           ";",  "\uff0c", ",", "\u3001", "\uff1a", ":"};
  bool again = true;
  while (again && !s.empty()) {
    again = false;
    for (auto t : kTrail)
      if (ends_with(s, t)) {
        s.remove_suffix(t.size());
        again = true;
      }
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  if (s.substr(0, 3) == "\u3000") s.remove_prefix(3);
  return s;
}

constexpr std::array<std::string_view, 6> kVague{"其他", "其它", "其余", "相关", "有关", "另行"};
constexpr std::array<std::string_view, 7> kNouns{"材料", "资料", "文件", "证明", "证件", "文书", "手续"};

}  // namespace

std::string_view to_string(MaterialSource s) {
  for (const auto& [name, value] : kSources)
    if (value == s) return name;
  return "unspecified";
}

std::optional<MaterialSource> parse_material_source(std::string_view s) {
  for (const auto& [name, value] : kSources)
    if (name == s) return value;
  return std::nullopt;
}

std::string catch_all_marker(std::string_view raw) {
  const std::string_view name = trimmed(raw);
  if (name == "其他" || name == "其它") return std::string(name);
  // 其他材料, 有关证明, 相关文件…: a vague word directly before a generic noun.
  for (auto vague : kVague)
    for (std::size_t at = name.find(vague); at != std::string_view::npos; at = name.find(vague, at + 1))
      for (auto noun : kNouns)
        if (name.substr(at + vague.size(), noun.size()) == noun) return std::string(vague) + std::string(noun);
  for (std::string_view open : {"认为需要", "认为必要"})
    if (name.find(open) != std::string_view::npos) return std::string(open);
  // "…等", "…等材料", "…等等", "……", "...": an open list.
  for (std::string_view tail : {"……", "…", "...", "等等"})
    if (ends_with(name, tail)) return std::string(tail);
  if (ends_with(name, "等")) return "等";
  for (auto noun : kNouns)
    if (ends_with(name, std::string("等") + std::string(noun))) return "等" + std::string(noun);
  return "";
}

}  // namespace yilian
