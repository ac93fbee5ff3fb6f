// FieldView: some of a case's field values, in key order, read-only, and
// referring to the values rather than copying them.
//
// A department's task carries what the department may see of the case's
// values (Task::fields). Copying those values into a map of their own for
// every delivery (a node, a key and a value per field) cost the engine a
// quarter of its throughput; a FieldView points at the case's own values
// instead, and keeps them alive for as long as it (or a copy of it, or the
// Task holding it) lives. The values it points at are never changed: the
// engine's case values are copy-on-write (Shared).
//
// It reads like a const std::map<std::string, Value>: iterate it
// (`for (const auto& [key, value] : task.fields)`), find(), count(),
// size(); its elements are the maps' own pairs. `FieldValues(view)` copies
// it into a map; a FieldValues converts to an owning FieldView.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <string_view>
#include <vector>

#include "yilian/value.h"

namespace yilian {

class FieldView {
 public:
  using value_type = FieldValues::value_type;  ///< std::pair<const std::string, Value>

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = FieldView::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;
    using base = std::vector<const value_type*>::const_iterator;

    const_iterator() = default;
    explicit const_iterator(base at) : at_(at) {}
    reference operator*() const { return **at_; }
    pointer operator->() const { return *at_; }
    reference operator[](difference_type n) const { return *at_[n]; }
    const_iterator& operator++() { ++at_; return *this; }
    const_iterator operator++(int) { return const_iterator(at_++); }
    const_iterator& operator--() { --at_; return *this; }
    const_iterator operator--(int) { return const_iterator(at_--); }
    const_iterator& operator+=(difference_type n) { at_ += n; return *this; }
    const_iterator& operator-=(difference_type n) { at_ -= n; return *this; }
    friend const_iterator operator+(const_iterator i, difference_type n) { return i += n; }
    friend const_iterator operator+(difference_type n, const_iterator i) { return i += n; }
    friend const_iterator operator-(const_iterator i, difference_type n) { return i -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) { return a.at_ - b.at_; }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.at_ == b.at_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.at_ <=> b.at_; }

   private:
    base at_;
  };
  using iterator = const_iterator;

  /// No values.
  FieldView() = default;
  /// Owns the values (one allocation; their nodes are not copied).
  FieldView(FieldValues values);  // NOLINT(google-explicit-constructor): a map converts where a view is expected
  /// Refers to values that `holder` keeps alive: `entries` point at pairs
  /// of maps it owns, sorted by key, each key once (checked in debug builds).
  FieldView(std::shared_ptr<const void> holder, std::vector<const value_type*> entries);

  [[nodiscard]] const_iterator begin() const { return const_iterator(entries_.begin()); }
  [[nodiscard]] const_iterator end() const { return const_iterator(entries_.end()); }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  /// The pair of `key`, or end().
  [[nodiscard]] const_iterator find(std::string_view key) const;
  /// 1 when the view holds `key`, else 0 (as std::map::count).
  [[nodiscard]] std::size_t count(std::string_view key) const { return find(key) == end() ? 0 : 1; }
  /// The value of `key`, or nullptr (as find_value on a FieldValues).
  [[nodiscard]] const Value* value(std::string_view key) const;

  /// A copy of the values in a map of their own.
  explicit operator FieldValues() const;

  /// The same keys with the same values.
  friend bool operator==(const FieldView& a, const FieldView& b);

 private:
  std::shared_ptr<const void> holder_;
  std::vector<const value_type*> entries_;
};

}  // namespace yilian
