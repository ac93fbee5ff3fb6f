// Errors and diagnostics: the one error channel of the public API.
//
// Expected failures (bad YAML, unknown references, I/O) come back as values:
// a Status, a Result<T>, or a list of Diagnostics. Exceptions never cross
// the public API.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace yilian {

/// Where something was written: file, 1-based line and column. A default
/// location (empty file, line 0) means "not from a file".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  [[nodiscard]] bool known() const { return line > 0; }
  /// "file:line:column", "file" or "" depending on what is known.
  [[nodiscard]] std::string to_string() const;
};

enum class Severity { error, warning, note };

/// One finding about an input: an error stops the input from being used, a
/// warning is worth reading, a note adds context. `code` is a stable
/// kebab-case identifier (e.g. "unknown-key") that tests and scripts match.
struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;
  std::string message;   ///< one sentence, what is wrong and what was expected
  SourceLocation where;  ///< where it was found
  std::string path;      ///< key path inside the document, e.g. "matters[2].after[0]"
  std::string hint;      ///< a suggestion ("did you mean `after`?"), may be empty

  /// "file:line:col: error: path: message (hint) [code]".
  [[nodiscard]] std::string to_string() const;
};

/// An ordered list of diagnostics. Not thread-safe; a value type.
class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);
  [[nodiscard]] bool has_errors() const;
  [[nodiscard]] std::size_t error_count() const;
  [[nodiscard]] std::size_t warning_count() const;
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  [[nodiscard]] auto begin() const { return items_.begin(); }
  [[nodiscard]] auto end() const { return items_.end(); }
  /// Sorts by file, line, column (stable), for output in reading order.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

/// The outcome of an operation that returns nothing: ok, or a code and a
/// message. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  enum class Code { ok, invalid_input, not_found, io_error, conflict, unavailable, internal, mismatch };

  Status() = default;
  static Status ok() { return {}; }
  static Status error(Code code, std::string message, SourceLocation where = {}) {
    Status s;
    s.code_ = code;
    s.message_ = std::move(message);
    s.where_ = std::move(where);
    return s;
  }
  static Status invalid(std::string message, SourceLocation where = {}) {
    return error(Code::invalid_input, std::move(message), std::move(where));
  }
  static Status not_found(std::string message) { return error(Code::not_found, std::move(message)); }
  static Status io(std::string message) { return error(Code::io_error, std::move(message)); }
  static Status conflict(std::string message) { return error(Code::conflict, std::move(message)); }

  [[nodiscard]] bool is_ok() const { return code_ == Code::ok; }
  explicit operator bool() const { return is_ok(); }
  [[nodiscard]] Code code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const SourceLocation& where() const { return where_; }
  /// "file:line:col: message" or "message"; "ok" when ok.
  [[nodiscard]] std::string to_string() const;

 private:
  Code code_ = Code::ok;
  std::string message_;
  SourceLocation where_;
};

namespace detail {
/// Writes "yilian: value() of a failed Result: <status>" to stderr and
/// calls std::abort(). What Result::value() does on an error.
[[noreturn]] void value_of_failed_result(const Status& status) noexcept;
}  // namespace detail

/// A value or a Status explaining why there is none (abseil's StatusOr).
/// value() (and * and ->) on an error is a bug in the caller: it writes the
/// status's message to stderr and terminates the program (std::abort); it
/// never throws. Check is_ok() first.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}          // NOLINT: must not be ok
  [[nodiscard]] bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  [[nodiscard]] const T& value() const& { return *checked(); }
  [[nodiscard]] T& value() & { return *checked(); }
  [[nodiscard]] T&& value() && { return std::move(*checked()); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  /// The error; Status::ok() when there is a value.
  [[nodiscard]] Status status() const { return is_ok() ? Status::ok() : std::get<1>(v_); }

 private:
  const T* checked() const {
    if (const T* v = std::get_if<0>(&v_)) return v;
    detail::value_of_failed_result(*std::get_if<1>(&v_));
  }
  T* checked() { return const_cast<T*>(std::as_const(*this).checked()); }

  std::variant<T, Status> v_;
};

/// What reading an input (a chain, an application, a calendar, a
/// deployment, a scenario, form values) produced: the value, when there is
/// one, and every diagnostic found, located file:line:column, in reading
/// order. ok() when there is a value and no error (warnings may remain).
/// value() (and * and ->) without a value is a bug in the caller: like
/// Result::value(), it writes the first error to stderr and terminates the
/// program (std::abort); it never throws. A value type; not synchronised.
template <class T>
class [[nodiscard]] Loaded {
 public:
  Loaded() = default;
  /// No value: `diagnostics` says why.
  Loaded(Diagnostics diags) : diagnostics(std::move(diags)) {}                          // NOLINT: implicit by design
  Loaded(T value, Diagnostics diags = {}) : diagnostics(std::move(diags)), value_(std::move(value)) {}  // NOLINT

  /// Every finding, in reading order.
  Diagnostics diagnostics;

  /// A value and no error.
  [[nodiscard]] bool ok() const { return value_.has_value() && !diagnostics.has_errors(); }
  explicit operator bool() const { return ok(); }
  /// A value, possibly with errors where a reader keeps what it could read
  /// (parse_chain_text's partial chain says so); otherwise the same as ok().
  [[nodiscard]] bool has_value() const { return value_.has_value(); }
  [[nodiscard]] const T& value() const& { return *checked(); }
  [[nodiscard]] T& value() & { return *checked(); }
  [[nodiscard]] T&& value() && { return std::move(*checked()); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  const T* checked() const {
    if (value_) return &*value_;
    detail::value_of_failed_result(first_error());
  }
  T* checked() { return const_cast<T*>(std::as_const(*this).checked()); }
  [[nodiscard]] Status first_error() const {
    for (const Diagnostic& d : diagnostics)
      if (d.severity == Severity::error) return Status::invalid(d.to_string());
    return Status::invalid("nothing was read");
  }

  std::optional<T> value_;
};

}  // namespace yilian
