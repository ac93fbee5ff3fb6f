// Applications: what an applicant hands in for one chain (一表申请): the
// field values of the one form and the ids of the materials handed in.
//
//   chain: kindergarten-setup      # the chain's id
//   version: 1                     # optional: the chain version filled in
//   fields: { applicant.name: 阳光幼儿园, school.capacity: 180 }
//   materials: [site-title, charter]
//   agent: { name: 王帮办, id_number: "37130219900101123X" }  # optional: 代办帮办
//
// YAML or JSON (JSON is YAML). schemas/application.schema.json describes the
// shape; `yilian form CHAIN --format schema` the fields of one chain.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yilian/case_types.h"  // Agent
#include "yilian/load.h"
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

/// The material id of the applicant's authorisation of an agent.
inline constexpr std::string_view kAgentAuthorisation = "agent-authorisation";
inline constexpr std::string_view kAgentAuthorisationName = "授权委托书（委托代办）";

/// One application. A plain value; the locations are known when it was
/// read from a file (empty otherwise) and let messages point at the line.
struct Application {
  std::string chain;                     ///< chain id
  std::optional<int> version;            ///< chain version, when stated
  FieldValues fields;                    ///< field key -> value (null: not given)
  std::vector<std::string> materials;    ///< material ids handed in, as written
  std::optional<Agent> agent;            ///< 代办帮办: the agent who hands it in
  std::vector<std::string> commitments;  ///< 告知承诺: matters the applicant commits to
  std::vector<SourceLocation> commitment_where;  ///< parallel to `commitments`
  /// 一次收齐: the applicant consents to the reuse of what the holder
  /// registry holds for them (`reuse_consent: true`); recorded on the case.
  bool reuse_consent = false;
  std::map<std::string, SourceLocation, std::less<>> field_where;  ///< key -> where its value is
  std::vector<SourceLocation> material_where;  ///< parallel to `materials` (may be empty)
  std::string source;                    ///< file it was read from
  SourceLocation where;                  ///< the document
};

/// Reads an application from text: the application when the document has
/// the right shape (chain id, a map of scalar values under field keys, a
/// list of material ids; no unknown or duplicate keys), none when it has
/// errors, and every problem found, each located; `file_name` is used in messages. The
/// LoadOptions limits apply (size, depth, aliases, string length).
/// Thread-safe. Does not check the values against a chain (see check.h).
[[nodiscard]] Loaded<Application> parse_application_text(std::string_view text, const std::string& file_name,
                                                         const LoadOptions& options = {});
/// Reads an application file (YAML or JSON); a missing file is an `io` error.
[[nodiscard]] Loaded<Application> load_application(const std::string& path, const LoadOptions& options = {});

}  // namespace yilian
