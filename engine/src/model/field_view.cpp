#include "yilian/field_view.h"

#include <algorithm>
#include <cassert>

namespace yilian {
namespace {

bool key_less(const FieldView::value_type* a, std::string_view key) { return a->first < key; }

}  // namespace

FieldView::FieldView(FieldValues values) {
  auto owned = std::make_shared<const FieldValues>(std::move(values));
  entries_.reserve(owned->size());
  for (const auto& kv : *owned) entries_.push_back(&kv);
  holder_ = std::move(owned);
}

FieldView::FieldView(std::shared_ptr<const void> holder, std::vector<const value_type*> entries)
    : holder_(std::move(holder)), entries_(std::move(entries)) {
  assert(std::adjacent_find(entries_.begin(), entries_.end(),
                            [](const value_type* a, const value_type* b) { return a->first >= b->first; }) ==
         entries_.end());
}

FieldView::const_iterator FieldView::find(std::string_view key) const {
  const auto at = std::lower_bound(entries_.begin(), entries_.end(), key, key_less);
  return at != entries_.end() && (*at)->first == key ? const_iterator(at) : end();
}

const Value* FieldView::value(std::string_view key) const {
  const auto at = find(key);
  return at == end() ? nullptr : &at->second;
}

FieldView::operator FieldValues() const {
  FieldValues out;
  for (const value_type* kv : entries_) out.emplace_hint(out.end(), *kv);
  return out;
}

bool operator==(const FieldView& a, const FieldView& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace yilian
