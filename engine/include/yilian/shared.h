// Shared<T>: a value that copies share until one of them is edited.
//
// An application's values and materials are handed in once and then read by
// the event that carried them, the case state, the stored log and the
// simulator's next applicant of the same profile. Shared lets all of them
// hold one immutable copy: copying a Shared is a reference count, and
// edit() copies the value first when another holder still shares it (copy
// on write), so no holder ever sees another's edits.
#pragma once

#include <initializer_list>
#include <memory>
#include <utility>

namespace yilian {

template <class T>
class Shared {
 public:
  /// An empty T (no allocation until edited).
  Shared() = default;
  /// Takes the value (converts implicitly, so a T is accepted where a
  /// Shared<T> is expected).
  Shared(T value)  // NOLINT(google-explicit-constructor)
      : p_(std::make_shared<T>(std::move(value))) {}
  /// Builds the value from a list, as T would: `{{"key", value}, …}`.
  template <class U = T>
    requires requires { typename U::value_type; }
  Shared(std::initializer_list<typename U::value_type> items)  // NOLINT(google-explicit-constructor)
      : p_(std::make_shared<T>(items)) {}

  [[nodiscard]] const T& get() const { return p_ ? *p_ : empty(); }
  [[nodiscard]] const T& operator*() const { return get(); }
  [[nodiscard]] const T* operator->() const { return &get(); }

  /// The value to change in place; copied first if another Shared holds it.
  T& edit() {
    if (!p_) p_ = std::make_shared<T>();
    else if (p_.use_count() > 1) p_ = std::make_shared<T>(*p_);
    return *p_;
  }
  /// True when both hold the same copy (so their values are equal).
  [[nodiscard]] bool same(const Shared& other) const { return p_ == other.p_; }

  friend bool operator==(const Shared& a, const Shared& b) { return a.same(b) || a.get() == b.get(); }
  friend bool operator==(const Shared& a, const T& b) { return a.get() == b; }

 private:
  static const T& empty() {
    static const T e{};
    return e;
  }
  std::shared_ptr<T> p_;
};

}  // namespace yilian
