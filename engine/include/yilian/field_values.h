// Reading form values from a YAML or JSON file: a scenario for `graph
// --format bpmn --scenario` (and any other command that takes form values).
#pragma once

#include <string>
#include <string_view>

#include "yilian/chain.h"
#include "yilian/load.h"
#include "yilian/status.h"
#include "yilian/value.h"

namespace yilian {

/// Reads form values: the values when there is no error (none when there
/// is), and every diagnostic (file:line:column) in reading order. Three shapes are accepted:
///   - an application: `{chain: id, fields: {key: value, ...}, materials: [...]}`
///     (only `fields` is read; `chain`, when given, must match `chain->id`);
///   - a flat map of dotted keys: `{"site.area": 1200, ...}`;
///   - nested maps, as process variables hold them: `{site: {area: 1200}}`
///     is the key `site.area` (the shapes may be mixed).
/// A null value (or an empty list) means "no value" and is left out. A list
/// is a set's values. With `chain`, every key must be a field of the chain
/// (catalogue, inline or produced) and every value must fit the field's
/// type (numbers for integer, number and area, true/false for boolean, text
/// for the others, an enum value among the declared ones, a list of
/// distinct declared values for a set); without it, values are kept as YAML
/// typed them.
/// Thread-safe.
[[nodiscard]] Loaded<FieldValues> parse_field_values(std::string_view text, const std::string& file_name,
                                                     const Chain* chain = nullptr, const LoadOptions& options = {});
/// The same for a file (size checked before reading).
[[nodiscard]] Loaded<FieldValues> read_field_values(const std::string& path, const Chain* chain = nullptr,
                                                    const LoadOptions& options = {});

}  // namespace yilian
