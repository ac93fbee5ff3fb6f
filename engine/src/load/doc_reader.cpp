#include "load/doc_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace yilian::detail {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance (adjacent transpositions count once).
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

/// Words analysts reach for that mean a key of the format under another
/// name; consulted before spelling distance.
constexpr std::pair<std::string_view, std::string_view> kSynonyms[] = {
    {"depends_on", "after"},       {"depends", "after"},         {"depends-on", "after"},
    {"requires", "after"},         {"prerequisites", "after"},   {"needs", "after"},
    {"predecessors", "after"},     {"if", "when"},               {"condition", "when"},
    {"only_if", "when"},           {"dept", "department"},       {"agency", "department"},
    {"deadline", "promised_days"}, {"days", "promised_days"},    {"limit", "promised_days"},
    {"statutory", "statutory_days"}, {"legal_days", "statutory_days"}, {"documents", "materials"},
    {"docs", "materials"},         {"outputs", "results"},       {"issues", "results"},
    {"certificates", "results"},   {"provides", "produces"},     {"outputs_fields", "produces"},
    {"steps", "phases"},           {"title", "name"},            {"label", "name"},
    {"enum", "values"},            {"options", "values"},        {"choices", "values"},
    {"optional", "required"},      {"regex", "pattern"},         {"minimum", "min"},
    {"maximum", "max"},            {"legal_basis", "basis"},     {"law", "basis"},
};

std::string join_expected(std::span<const std::string_view> keys) {
  std::string out;
  for (auto k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    // A candidate that contains the word or is contained in it also counts
    // (depends -> depends_on), scored by the length difference.
    std::size_t d = 0;
    if (word.size() >= 4 && c.size() >= 4 &&
        (c.find(word) != std::string::npos || word.find(c) != std::string::npos)) {
      d = word == c ? 0 : 1;
    } else {
      // The distance is at least the difference in length, and costs the
      // product of the lengths: a candidate that cannot come closer than the
      // best so far is not measured, and long words are not spelled out at
      // all (a 64 KB key against every field of a chain took minutes).
      const std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
      if (gap >= best_d || word.size() > kLongestSpelled || c.size() > kLongestSpelled) continue;
      d = edit_distance(word, c);
    }
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string c = closest(word, candidates);
  return c.empty() ? "" : fmt::format("did you mean `{}`?", c);
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_field_key(std::string_view s) {
  bool start = true;
  for (char c : s) {
    if (start) {
      if (!(c >= 'a' && c <= 'z')) return false;
      start = false;
    } else if (c == '.') {
      start = true;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return !s.empty() && !start;
}

std::string child_path(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  if (key.find('.') != std::string_view::npos) return fmt::format("{}[{}]", path, key);
  return fmt::format("{}.{}", path, key);
}

std::string item_path(const std::string& path, std::size_t index) { return fmt::format("{}[{}]", path, index); }

void KeyPath::append_to(std::string& out) const {
  switch (kind_) {
    case Kind::top: return;
    case Kind::text: out.append(text_); return;
    case Kind::key:
      parent_->append_to(out);
      // As child_path(): the key alone at the top, [key] for a dotted key.
      if (out.empty()) {
        out.append(text_);
      } else if (text_.find('.') != std::string_view::npos) {
        out += '[';
        out.append(text_);
        out += ']';
      } else {
        out += '.';
        out.append(text_);
      }
      return;
    case Kind::index:
      parent_->append_to(out);
      out += '[';
      out += std::to_string(index_);
      out += ']';
      return;
  }
}

std::string KeyPath::str() const {
  std::string out;
  append_to(out);
  return out;
}

void DocReader::add(Severity s, const YamlNode& n, const KeyPath& path, std::string code, std::string message,
                    std::string hint) {
  diags_.add({s, std::move(code), std::move(message), at(n), path.str(), std::move(hint)});
}

void DocReader::error(const YamlNode& n, const KeyPath& path, std::string code, std::string message,
                      std::string hint) {
  add(Severity::error, n, path, std::move(code), std::move(message), std::move(hint));
}

void DocReader::warning(const YamlNode& n, const KeyPath& path, std::string code, std::string message,
                        std::string hint) {
  add(Severity::warning, n, path, std::move(code), std::move(message), std::move(hint));
}

bool DocReader::check_id_map(const YamlNode& n, const KeyPath& path, std::string_view what) {
  if (!n.is_map()) {
    error(n, path, "type", fmt::format("expected {} (a map), got {}", what, n.describe()));
    return false;
  }
  // Duplicates are reported at the later key, in document order. A map of a
  // chain file has a handful of keys: compare each with those before it;
  // only a long map (an id map of hundreds of fields) sorts.
  const auto& entries = n.entries();
  const std::size_t count = entries.size();
  std::vector<char> twice;  // for a long map: whether entry i repeats an earlier key
  if (count > 16) {
    std::vector<std::pair<std::string_view, std::size_t>> keys;
    keys.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
      if (entries[i].first->kind == YamlNode::Kind::scalar) keys.emplace_back(entries[i].first->text(), i);
    std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    twice.assign(count, 0);
    for (std::size_t j = 1; j < keys.size(); ++j)
      if (keys[j].first == keys[j - 1].first) twice[keys[j].second] = 1;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const YamlNode& k = *entries[i].first;
    if (k.kind != YamlNode::Kind::scalar) {
      error(k, path, "type", fmt::format("a key must be text, got {}", k.describe()));
      continue;
    }
    bool repeated = false;
    if (count > 16) {
      repeated = twice[i] != 0;
    } else {
      const std::string_view key = k.text();
      for (std::size_t j = 0; j < i && !repeated; ++j) {
        const YamlNode& other = *entries[j].first;
        if (other.kind != YamlNode::Kind::scalar) continue;
        const std::string_view o = other.text();
        repeated = o.size() == key.size() && (key.empty() || o[0] == key[0]) && o == key;
      }
    }
    if (repeated)
      error(k, KeyPath(path, k.text()), "duplicate-key", fmt::format("`{}` is defined twice", k.text()),
            "each key may appear once in a map");
  }
  return true;
}

bool DocReader::check_map(const YamlNode& n, const KeyPath& path,
                          std::initializer_list<std::string_view> allowed,
                          std::initializer_list<std::string_view> required, std::string_view what) {
  return check_map(n, path, std::span<const std::string_view>(allowed.begin(), allowed.size()), required, what, {});
}

bool DocReader::check_map(const YamlNode& n, const KeyPath& path, std::span<const std::string_view> allowed,
                          std::initializer_list<std::string_view> required, std::string_view what,
                          std::span<const YamlNode*> found) {
  if (!check_id_map(n, path, what)) return false;
  for (const auto& [k, v] : n.entries()) {
    if (k->kind != YamlNode::Kind::scalar) continue;
    const std::string_view key = k->text();
    std::size_t i = 0;
    // Told apart by length and first letter before a comparison.
    while (i < allowed.size() &&
           !(allowed[i].size() == key.size() && (key.empty() || allowed[i][0] == key[0]) && allowed[i] == key))
      ++i;
    if (i < allowed.size()) {
      if (i < found.size() && !found[i]) found[i] = v;
      continue;
    }
    std::string hint;
    for (const auto& [word, synonym] : kSynonyms)
      if (word == key && std::find(allowed.begin(), allowed.end(), synonym) != allowed.end())
        hint = fmt::format("did you mean `{}`?", synonym);
    if (hint.empty()) hint = did_you_mean(key, std::vector<std::string>(allowed.begin(), allowed.end()));
    if (hint.empty()) hint = fmt::format("allowed keys: {}", join_expected(allowed));
    error(*k, KeyPath(path, key), "unknown-key", fmt::format("unknown key `{}` in {}", key, what), hint);
  }
  for (auto r : required) {
    const auto at = std::find(allowed.begin(), allowed.end(), r);
    const std::size_t i = static_cast<std::size_t>(at - allowed.begin());
    if (i < found.size() ? !found[i] : !n.get(r))
      error(n, path, "missing-key", fmt::format("{} needs the key `{}`", what, r));
  }
  return true;
}

bool DocReader::check_list(const YamlNode& n, const KeyPath& path, std::string_view what) {
  if (n.is_sequence()) return true;
  error(n, path, "type", fmt::format("expected {} (a list), got {}", what, n.describe()));
  return false;
}

std::optional<std::string> DocReader::text(const YamlNode* n, const KeyPath& path, bool allow_empty) {
  if (!n) return std::nullopt;
  if (!n->is_string()) {
    std::string hint;
    if (n->kind == YamlNode::Kind::scalar) hint = fmt::format("write it in quotes: \"{}\"", n->text());
    error(*n, path, "type", fmt::format("expected text, got {}", n->describe()), hint);
    return std::nullopt;
  }
  if (!allow_empty && n->text().empty()) {
    error(*n, path, "empty", "expected text, got an empty string");
    return std::nullopt;
  }
  return std::string(n->text());
}

std::optional<std::string> DocReader::identifier(const YamlNode* n, const KeyPath& path, bool dotted) {
  auto s = text(n, path);
  if (!s) return std::nullopt;
  const bool ok = dotted ? is_field_key(*s) : is_identifier(*s);
  if (!ok) {
    error(*n, path, "identifier",
          dotted ? fmt::format("`{}` is not a field key: expected lower-case words of a-z, 0-9 and _ "
                               "joined by dots, e.g. applicant.name",
                               *s)
                 : fmt::format("`{}` is not an id: expected lower-case a-z, 0-9 and -, starting with a "
                               "letter, e.g. school-permit",
                               *s));
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> DocReader::integer(const YamlNode* n, const KeyPath& path, std::int64_t min,
                                               std::int64_t max) {
  if (!n) return std::nullopt;
  auto v = n->as_int();
  if (!v) {
    std::string hint;
    if (n->is_string() && n->as_int() == std::nullopt && !n->plain) hint = "remove the quotes";
    error(*n, path, "type", fmt::format("expected a whole number, got {}", n->describe()), hint);
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    error(*n, path, "range", fmt::format("{} is out of range: expected {} to {}", *v, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> DocReader::number(const YamlNode* n, const KeyPath& path) {
  if (!n) return std::nullopt;
  auto v = n->as_number();
  if (!v) {
    error(*n, path, "type", fmt::format("expected a number, got {}", n->describe()));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> DocReader::boolean(const YamlNode* n, const KeyPath& path) {
  if (!n) return std::nullopt;
  if (n->kind != YamlNode::Kind::scalar || n->scalar != YamlNode::Scalar::boolean) {
    error(*n, path, "type", fmt::format("expected true or false, got {}", n->describe()));
    return std::nullopt;
  }
  return n->as_bool();
}

std::vector<Ref> DocReader::refs(const YamlNode* n, const KeyPath& path, bool dotted) {
  std::vector<Ref> out;
  if (!n || !check_list(*n, path, "a list of ids")) return out;
  out.reserve(n->items().size());
  // A list of ids is short: an id listed twice is found among those kept
  // before it (a long list keeps a set of them).
  const bool long_list = n->items().size() > 32;
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < n->items().size(); ++i) {
    const YamlNode& item = *n->items()[i];
    const KeyPath ip(path, i);
    auto id = identifier(&item, ip, dotted);
    if (!id) continue;
    bool twice = false;
    if (long_list) {
      twice = !seen.insert(item.text()).second;  // the node's text: it outlives the set
    } else {
      for (const auto& r : out) twice = twice || r.id == *id;
    }
    if (twice) {
      error(item, ip, "duplicate-ref", fmt::format("`{}` is listed twice", *id));
      continue;
    }
    out.push_back(Ref{std::move(*id), at(item)});
  }
  return out;
}

}  // namespace yilian::detail
