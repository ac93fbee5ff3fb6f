// The chain reader: a YAML tree into a Chain, every key of
// docs/chain-reference.md checked and located. Its members are defined in
// chain_loader.cpp (a chain's own keys) and overlay.cpp (a locality overlay,
// `extends:`, merged onto its base). Internal to the loader.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "load/doc_reader.h"
#include "load/yaml_tree.h"
#include "yilian/load.h"

namespace yilian::detail {

constexpr int kMaxDays = 3650;  // ten years of working days: any larger is a typo

/// Finds and reads the bases of locality overlays: by id, as <id>.yaml or
/// <id>.yml in the overlay's own folder, then in LoadOptions::chain_dirs;
/// remembers the chain ids being read to report loops.
struct BaseResolver {
  const LoadOptions& options;
  std::vector<std::string> stack;  ///< ids of the overlays being read, outermost first
};

/// A chain file or text read (a base of an overlay too), not yet validated.
Loaded<std::shared_ptr<Chain>> parse_file_with(const std::string& path, BaseResolver& resolver);
Loaded<std::shared_ptr<Chain>> parse_text_with(std::string_view yaml, const std::string& file, BaseResolver& resolver);

/// Whether a promise fits in a statutory limit: in one unit a comparison;
/// across units `no` only where no calendar could make it fit (a period of N
/// days holds at most N working days, a month at most 31), `probably_not`
/// where it would not fit in an ordinary year (nominal_working_days()).
enum class Fit { yes, probably_not, no };
Fit promise_fits(const Limit& prom, const Limit& stat);

/// The path of a key of one element, e.g. p("name") for matters[3].name.
using PathOf = std::function<KeyPath(std::string_view)>;

class ChainReader {
 public:
  ChainReader(const std::string& file, Diagnostics& diags) : r_(file, diags) {}

  void read(const YamlNode& root, Chain& c, BaseResolver& resolver) {
    if (root.is_map() && root.get("extends")) {
      read_overlay(root, c, resolver);
      return;
    }
    read_base(root, c);
  }

 private:
  void read_base(const YamlNode& root, Chain& c);

  /// A limit written `KEY_days: N` (working days) or `KEY: "N months"`
  /// (any unit), not both; nothing when neither is there (an error when
  /// `required`).
  std::optional<Limit> read_limit(const YamlNode& n, const KeyPath& path, std::string_view key, bool required,
                                  std::string_view what);

  /// read_limit() with the values of `KEY_days` and `KEY` found.
  std::optional<Limit> read_limit(const YamlNode& n, const YamlNode* days, const YamlNode* unit, const KeyPath& path,
                                  std::string_view key, bool required, std::string_view what);

  /// A limit written with its unit: "20 working days", "60 days", "3 months".
  std::optional<Limit> limit_text(const YamlNode& n, const KeyPath& path);

  /// The reform's chain-level limits: `defer_within` (容缺受理) and
  /// `ratings` (好差评). Keys not given keep what `c` holds (the defaults,
  /// or a base's in an overlay). True when any was given.
  bool read_reform_limits(const YamlNode& root, Chain& c);

  // ---- locality overlays (`extends`) ---------------------------------------

  /// Loads the base named by `extends` (reporting loops, unknown ids and
  /// invalid bases at the `extends` key); null when it cannot be used.
  std::shared_ptr<Chain> load_base(const YamlNode& at, const std::string& base_id, const std::string& own_id,
                                   BaseResolver& resolver);

  /// The base read for `extends`, or null (with the errors) when it has
  /// errors or another id.
  std::shared_ptr<Chain> checked_base(const YamlNode& at, const std::string& base_id, const std::string& found,
                                      Loaded<std::shared_ptr<Chain>> base);

  void change(Chain& c, std::string kind, std::string subject, std::string before, std::string after,
              const YamlNode& at);

  /// A locality overlay: the base chain, read and merged, then this file's
  /// changes on a copy of it. What an overlay may change is listed in
  /// docs/chain-format.md ("Localities"); the rest is refused here, located.
  void read_overlay(const YamlNode& root, Chain& c, BaseResolver& resolver);

  /// The index of the list item a Ref was read from (refs() skips bad items).
  static std::size_t item_of(const YamlNode& list, const Ref& r);

  static const YamlNode* key_node(const YamlNode& map, std::string_view key);

  static std::string did_you_mean_or(const std::string& word, const std::vector<std::string>& ids);

  void overlay_departments(const YamlNode& n, Chain& c);

  void overlay_matters(const YamlNode& n, Chain& c, const std::vector<Ref>& drops);

  /// The keys of a base matter an overlay may change.
  static bool overridable(std::string_view key);

  void override_matter(const YamlNode& n, const KeyPath& path, Matter& m, Chain& c, const std::vector<Ref>& drops,
                       std::set<std::string>& changed);

  /// Removes the dropped matters; one that another matter still needs (it
  /// comes after it, reads what only it produces, needs what only it
  /// issues, or replaces it) is an error at the `drop` entry.
  void apply_drops(const YamlNode* list, const std::vector<Ref>& drops, Chain& c);

  /// `valid_from` / `valid_until` of a chain (path "") or a matter.
  void read_validity(const YamlNode& n, const KeyPath& path, Validity& v);

  /// read_validity() with the values of valid_from and valid_until found.
  void read_validity(const YamlNode* from, const YamlNode* until, const KeyPath& path, Validity& v);

  void read_alerts(const YamlNode& n, AlertPolicy& a);

  void read_departments(const YamlNode& n, Chain& c);

  /// Reads one field definition (`key: {label, type, ...}`).
  std::optional<Field> read_field(const YamlNode& key, const YamlNode& v, const KeyPath& path,
                                  const std::string& produced_by);

  /// `values`: a list of codes (`[private, public]`) or a map from code to
  /// label (`{private: 民办, public: 公办}`). Codes are unique, non-empty text;
  /// labels are non-empty text.
  void read_values(const YamlNode& vals, const KeyPath& vp, Field& f);

  void read_fields(const YamlNode& n, const KeyPath& path, std::vector<Field>& out, const std::string& produced_by);

  void read_materials(const YamlNode& n, Chain& c);

  void read_material(const YamlNode& v, const KeyPath& path, Material& m);

  /// A file beside the chain: a path relative to the chain file (no URL, no
  /// absolute path). Whether the file exists is checked by load_chain().
  void read_file_path(const YamlNode* n, const KeyPath& path, std::string& out, SourceLocation& where);

  void read_matters(const YamlNode& n, Chain& c);

  void read_matter(const YamlNode& n, const KeyPath& path, Chain& c);

  /// 告知承诺: `commitment: optional | required` with `verify_within`, the
  /// verification's limit; a limit without a commitment verifies nothing.
  void read_commitment(const YamlNode* k, const YamlNode* v, const PathOf& p, Matter& m);

  // A promise may only shorten the statutory limit (promise_fits()).
  // `days` and `unit`: the values of promised_days and promised (one of them).
  void check_promise(const YamlNode* days, const YamlNode* unit, const PathOf& p, const Limit& prom,
                     const Limit& stat);

  void read_matter_fields(const YamlNode& n, const KeyPath& path, Matter& m);

  void read_phases(const YamlNode& n, const KeyPath& path, Matter& m);

  /// A `when` condition (of a matter or a material) and where its text starts.
  void read_when(const YamlNode& n, const KeyPath& path, Condition& when, SourceLocation& when_where);

  DocReader r_;
  // The top-level keys whose entries' paths are built from them.
  const KeyPath departments_path{"departments"};
  const KeyPath fields_path{"fields"};
  const KeyPath materials_path{"materials"};
  const KeyPath matters_path{"matters"};
  const KeyPath drop_path{"drop"};
  const KeyPath ratings_path{"ratings"};
};

}  // namespace yilian::detail
