// Likely duplicates among field labels: normalisation with a synonym table,
// then equal labels, near-same labels (insertions after the first
// character) and equal formats. See docs/form.md, "Likely duplicates".
#include "analysis/label_similarity.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace yilian::detail {
namespace {

// Groups of terms that name the same thing on Chinese government forms; the
// first term of each group is the canonical one. Matched longest first.
// Keep it to pairs seen in practice: a term that is also part of unrelated
// labels would create false positives.
constexpr std::array<std::array<std::u32string_view, 6>, 14> kSynonyms{{
    {U"法定代表人", U"法人代表", U"法人代表人"},
    {U"身份证号码", U"身份证号", U"公民身份号码", U"居民身份证号码", U"身份号码"},
    {U"统一社会信用代码", U"社会信用代码", U"信用代码"},
    {U"联系电话", U"电话号码", U"手机号码", U"手机号", U"移动电话", U"联系手机"},
    {U"电子邮箱", U"电子邮件", U"邮箱", U"电子信箱"},
    {U"邮政编码", U"邮编"},
    {U"出生日期", U"出生年月日", U"生日"},
    {U"姓名", U"名字"},
    {U"地址", U"住址"},
    {U"负责人", U"主要负责人"},
    {U"举办者", U"举办人", U"举办单位"},
    {U"申请人", U"申请者", U"申请单位"},
    {U"企业名称", U"公司名称", U"单位名称"},
    {U"注册资本", U"注册资金"},
}};

struct SynonymTable {
  // By first code point: (term, canonical), longest term first.
  std::unordered_map<char32_t, std::vector<std::pair<std::u32string_view, std::u32string_view>>> by_first;
  std::vector<bool> starts = std::vector<bool>(0x10000, false);  // BMP code points that begin a term

  SynonymTable() {
    for (const auto& group : kSynonyms)
      for (auto term : group)
        if (!term.empty()) {
          by_first[term.front()].emplace_back(term, group.front());
          if (term.front() < 0x10000) starts[term.front()] = true;
        }
    for (auto& [c, terms] : by_first)
      std::stable_sort(terms.begin(), terms.end(),
                       [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  }
};

const SynonymTable& synonyms() {
  static const SynonymTable table;
  return table;
}

bool is_opener(char32_t c) { return c == U'(' || c == U'[' || c == U'{' || c == U'【' || c == U'〔' || c == U'〖'; }
bool is_closer(char32_t c) { return c == U')' || c == U']' || c == U'}' || c == U'】' || c == U'〕' || c == U'〗'; }

bool is_dropped(char32_t c) {
  if (c < 0x80) return !((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9'));  // after folding
  return (c >= 0x3000 && c <= 0x303F) ||  // CJK symbols and punctuation, ideographic space
         (c >= 0x2000 && c <= 0x206F) ||  // general punctuation: dashes, quotes, …
         (c >= 0xFE30 && c <= 0xFE4F) ||  // CJK compatibility forms
         (c >= 0xFF5F && c <= 0xFF65) ||  // half-width brackets and punctuation
         c == 0x00A0 || c == 0x00B7;      // no-break space, middle dot
}

/// The family of a type: labels of different families never count as
/// near-same (a name and a phone number are different data).
int family(FieldType t) {
  switch (t) {
    case FieldType::string:
    case FieldType::text: return 0;
    case FieldType::integer:
    case FieldType::number:
    case FieldType::area: return 1;
    default: return 2 + static_cast<int>(t);
  }
}

}  // namespace

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(ok ? cp : char32_t{0xFFFD});
    i += ok ? len : 1;
  }
  return out;
}

std::string encode_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::u32string normalise_label(std::string_view label) {
  // 1. Fold, drop bracketed asides and punctuation.
  std::u32string folded;
  std::vector<std::size_t> open;  // output sizes at unclosed openers
  for (char32_t c : decode_utf8(label)) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c >= U'A' && c <= U'Z') c += 32;
    if (is_opener(c)) {
      open.push_back(folded.size());
      continue;
    }
    if (is_closer(c)) {
      if (!open.empty()) {
        folded.resize(open.back());
        open.pop_back();
      }
      continue;
    }
    if (is_dropped(c)) continue;
    folded.push_back(c);
  }
  // 2. Synonyms, longest match first, left to right.
  const SynonymTable& syn = synonyms();
  const auto& table = syn.by_first;
  std::u32string out;
  out.reserve(folded.size());
  for (std::size_t i = 0; i < folded.size();) {
    bool matched = false;
    const char32_t c = folded[i];
    if (c >= 0x10000 || syn.starts[c]) {
      auto it = table.find(c);
      if (it == table.end()) {
        out.push_back(folded[i++]);
        continue;
      }
      for (const auto& [term, canonical] : it->second) {
        if (std::u32string_view(folded).substr(i, term.size()) == term) {
          out += canonical;
          i += term.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) out.push_back(folded[i++]);
  }
  return out;
}

bool near_same_label(std::u32string_view shorter, std::u32string_view longer) {
  if (shorter.size() < 3 || longer.size() < shorter.size() + 1 || longer.size() > shorter.size() + 2) return false;
  if (shorter.front() != longer.front()) return false;
  std::size_t j = 0;
  for (std::size_t i = 0; i < longer.size() && j < shorter.size(); ++i)
    if (longer[i] == shorter[j]) ++j;
  return j == shorter.size();
}

namespace {

/// Polynomial hashes (mod 2^64) of a text and of its variants with one or
/// two characters deleted, each in O(1) from prefix hashes.
class VariantHashes {
 public:
  static constexpr std::uint64_t kBase = 1000003;

  static std::uint64_t of(std::u32string_view s) {
    std::uint64_t h = 0;
    for (char32_t c : s) h = h * kBase + c;
    return h;
  }
  void reset(std::u32string_view s) {
    n_ = s.size();
    prefix_.assign(n_ + 1, 0);
    if (pow_.size() < n_ + 1) {
      pow_.resize(n_ + 1);
      pow_[0] = 1;
      for (std::size_t k = 1; k <= n_; ++k) pow_[k] = pow_[k - 1] * kBase;
    }
    for (std::size_t k = 0; k < n_; ++k) prefix_[k + 1] = prefix_[k] * kBase + s[k];
  }
  /// Without the character at p.
  [[nodiscard]] std::uint64_t without(std::size_t p) const { return concat(prefix_[p], range(p + 1, n_), n_ - p - 1); }
  /// Without the characters at p < q.
  [[nodiscard]] std::uint64_t without(std::size_t p, std::size_t q) const {
    return concat(concat(prefix_[p], range(p + 1, q), q - p - 1), range(q + 1, n_), n_ - q - 1);
  }

 private:
  [[nodiscard]] std::uint64_t range(std::size_t a, std::size_t b) const { return prefix_[b] - prefix_[a] * pow_[b - a]; }
  [[nodiscard]] std::uint64_t concat(std::uint64_t left, std::uint64_t right, std::size_t right_len) const {
    return left * pow_[right_len] + right;
  }
  std::size_t n_ = 0;
  std::vector<std::uint64_t> prefix_, pow_;
};

}  // namespace

std::vector<LikelyDuplicate> likely_duplicates(const std::vector<const Field*>& fields) {
  using Kind = LikelyDuplicate::Kind;
  const std::size_t n = fields.size();
  std::vector<std::u32string> norm(n);
  for (std::size_t i = 0; i < n; ++i) norm[i] = normalise_label(fields[i]->label);

  std::set<std::pair<std::size_t, std::size_t>> seen;  // (first, second)
  std::vector<LikelyDuplicate> out;
  auto add = [&](std::size_t a, std::size_t b, Kind k) {
    if (a > b) std::swap(a, b);
    if (seen.emplace(a, b).second) out.push_back({a, b, k});
  };

  // Every label by the hash of its normalised text.
  std::vector<std::pair<std::uint64_t, std::size_t>> by_hash;
  by_hash.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!norm[i].empty()) by_hash.emplace_back(VariantHashes::of(norm[i]), i);
  std::sort(by_hash.begin(), by_hash.end());
  // An open-addressing table over the hashes for the many probes below
  // (slot value: index + 1, 0 = empty).
  std::size_t size = 16;
  while (size < 4 * by_hash.size()) size *= 2;
  const std::size_t mask = size - 1;
  std::vector<std::pair<std::uint64_t, std::size_t>> table(size, {0, 0});
  for (const auto& [h, i] : by_hash) {
    std::size_t slot = h & mask;
    while (table[slot].second != 0) slot = (slot + 1) & mask;
    table[slot] = {h, i + 1};
  }

  // Equal normalised labels, whatever the types: each label with the first
  // one that reads the same.
  for (auto it = by_hash.begin(); it != by_hash.end();) {
    auto end = std::find_if(it, by_hash.end(), [&](const auto& x) { return x.first != it->first; });
    for (auto b = it + 1; b != end; ++b)
      for (auto a = it; a != b; ++a)
        if (norm[a->second] == norm[b->second]) {
          add(a->second, b->second, Kind::same_label);
          break;
        }
    it = end;
  }

  // Near-same: every variant of a label with one or two characters (never the
  // first) deleted, looked up among the labels by hash, then verified.
  VariantHashes variants;
  for (std::size_t i = 0; i < n; ++i) {
    const std::u32string& s = norm[i];
    if (s.size() < 4) continue;
    variants.reset(s);
    auto probe = [&](std::uint64_t h) {
      for (std::size_t slot = h & mask; table[slot].second != 0; slot = (slot + 1) & mask) {
        if (table[slot].first != h) continue;
        const std::size_t j = table[slot].second - 1;
        if (family(fields[j]->type) == family(fields[i]->type) && near_same_label(norm[j], s))
          add(j, i, Kind::near_label);
      }
    };
    for (std::size_t p = 1; p < s.size(); ++p) {
      if (p > 1 && s[p] == s[p - 1]) continue;  // same variant as deleting p-1
      probe(variants.without(p));
      if (s.size() < 5) continue;
      for (std::size_t q = p + 1; q < s.size(); ++q) probe(variants.without(p, q));
    }
  }

  // Same type family and the same explicit pattern.
  std::map<std::pair<int, std::string>, std::size_t> by_format;
  for (std::size_t i = 0; i < n; ++i) {
    if (fields[i]->pattern.empty()) continue;
    auto [it, inserted] = by_format.emplace(std::make_pair(family(fields[i]->type), fields[i]->pattern), i);
    if (!inserted) add(it->second, i, Kind::same_format);
  }

  std::sort(out.begin(), out.end(), [](const LikelyDuplicate& a, const LikelyDuplicate& b) {
    return std::tie(a.second, a.first) < std::tie(b.second, b.first);
  });
  return out;
}

}  // namespace yilian::detail
