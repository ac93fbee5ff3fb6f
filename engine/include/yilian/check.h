// The one notice (一次告知): check an application against a chain and report
// every problem at once — missing fields and materials with the matters that
// need them, invalid values, unknown keys — and which matters apply.
//
// Build a FormChecker once per chain (it precompiles the merged form) and
// call check() per application; check_application() does both for one-off
// use. docs/form.md states the rules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/application.h"
#include "yilian/chain.h"
#include "yilian/form.h"
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

/// Something the applicant must still hand in.
struct MissingItem {
  enum class Kind { field, material };
  Kind kind = Kind::field;
  std::string key;                     ///< field key or material id
  std::string label;                   ///< Chinese label or material name
  std::vector<std::string> needed_by;  ///< matters that need it (or that it decides), chain order
  /// True when every matter in needed_by applies only because its condition
  /// could not be decided (a deciding value is missing or invalid).
  bool if_applicable = false;
};

/// A value (or key, or material id) that is wrong.
struct InvalidItem {
  std::string key;        ///< field key, material id, or "chain"/"version"
  std::string code;       ///< stable: unknown-field, unknown-material, type, enum, set, duplicate, min,
                          ///< max, length, pattern, date, id-card, uscc, phone, one-line, chain, version
  std::string reason;     ///< English, one sentence
  std::string reason_zh;  ///< the same in Chinese, for the notice
  std::string hint;       ///< e.g. "did you mean `applicant.name`?", may be empty
  SourceLocation where;   ///< where the value is, when read from a file
};

/// Something handed in that the chain does not use; never an error.
struct IgnoredItem {
  std::string key;
  std::string reason;     ///< produced-by-chain, issued-by-chain, shared (fetched by data sharing), not-needed
  std::string detail;     ///< e.g. the producing matter, or the matters that do not apply
};

/// The outcome of one check. `complete` is true when nothing is missing and
/// nothing is invalid (deferred materials aside): the application can be
/// accepted (受理).
struct CheckResult {
  bool complete = false;
  std::vector<MissingItem> missing;     ///< fields (form order), then materials (declaration order)
  /// 容缺受理: needed materials marked `deferrable` that were not handed
  /// in. They do not make the application incomplete: the case is accepted
  /// and they are due within the chain's `defer_within` (declaration order).
  std::vector<MissingItem> deferred;
  /// 告知承诺: the applicable matters approved on the applicant's commitment
  /// (`required` ones, and `optional` ones the application lists under
  /// `commitments`), chain order. Each needs the signed commitment letter
  /// (commitment_letters_to_markdown()), which yilian generates.
  std::vector<std::string> committed_matters;
  std::vector<InvalidItem> invalid;     ///< chain, fields (key order), then materials
  std::vector<IgnoredItem> ignored;
  std::vector<std::string> applicable_matters;    ///< conditions true or undecided, chain order
  std::vector<std::string> skipped_matters;       ///< conditions false
  std::vector<std::string> undetermined_matters;  ///< undecided: counted as applicable
  /// Checked for a case accepted on a date: the matters not in force that
  /// day (valid_from / valid_until), which do not apply. Empty without a date.
  std::vector<std::string> not_in_force_matters;
};

/// A chain compiled for checking. Build once (linear in the chain's size),
/// then check() any number of applications. Cheap to copy (shares the
/// compiled form); check() is const and safe from several threads at once.
class FormChecker {
 public:
  explicit FormChecker(const Chain& chain);
  explicit FormChecker(const Form& form);

  /// Checks an application: its chain id (and version, when stated), every
  /// value, every material id. Locations are copied from the application.
  /// With `on` (the day the case would be accepted), only the matters in
  /// force that day apply (valid_from / valid_until, chain.h's applies());
  /// without it every version counts.
  [[nodiscard]] CheckResult check(const Application& application, std::optional<Date> on = std::nullopt) const;
  /// Checks values and material ids alone (no chain id to compare).
  [[nodiscard]] CheckResult check(const FieldValues& fields, const std::vector<std::string>& materials,
                                  std::optional<Date> on = std::nullopt) const;
  /// check(...).complete, computed by the same rules over the same compiled
  /// form but without building the result: allocates nothing and stops at
  /// the first problem. For callers that need the items only when the
  /// application is incomplete (the flow checks every submission).
  [[nodiscard]] bool complete(const Application& application, std::optional<Date> on = std::nullopt) const;
  [[nodiscard]] bool complete(const FieldValues& fields, const std::vector<std::string>& materials,
                              std::optional<Date> on = std::nullopt) const;

  /// The merged form the checker was built from.
  [[nodiscard]] const Form& form() const;

 private:
  struct Impl;  ///< the compiled form (form_checker.cpp)
  std::shared_ptr<const Impl> impl_;
};

/// One-off check: builds a FormChecker and checks. Pure; thread-safe.
[[nodiscard]] CheckResult check_application(const Chain& chain, const Application& application,
                                            std::optional<Date> on = std::nullopt);

/// Why `value` is not a valid value of `field` (code and reasons filled), or
/// an item with an empty code when it is valid. A monostate value or blank
/// text counts as "not given" and is valid here. Pure; thread-safe.
[[nodiscard]] InvalidItem validate_value(const Field& field, const Value& value);

/// GB 11643-1999 check character of the first 17 digits of a resident ID
/// ('0'-'9' or 'X'); '\0' when `first17` is not 17 digits.
[[nodiscard]] char resident_id_check_char(std::string_view first17);
/// GB 32100-2015 check character of the first 17 characters of a unified
/// social credit code; '\0' when a character is outside the code's alphabet.
[[nodiscard]] char uscc_check_char(std::string_view first17);

}  // namespace yilian
