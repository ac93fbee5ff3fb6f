// Harness: a `when:` condition, as the chain loader reads one (the text of
// the key), then as the engine uses it: checked against a chain's field
// catalogue, evaluated over values of every type, and written back as
// canonical text, which must read back to the same condition.
#include <array>

#include "fuzz_support.h"
#include "yilian/condition.h"

namespace {

/// A value of each kind in turn, for the fields the condition reads: a
/// condition is evaluated over whatever the applicant typed.
yilian::Value some_value(std::size_t i) {
  switch (i % 6) {
    case 0: return std::int64_t{3};
    case 1: return std::string("private");
    case 2: return true;
    case 3: return 2.5;
    case 4: return yilian::ValueSet{"hot-food", "private"};
    default: return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  const std::string_view text = fuzz::text_of(data, size);
  Result<Condition> parsed = parse_condition(text);
  if (!parsed) {
    const int column = parsed.status().where().column;
    if (column < 1 || static_cast<std::size_t>(column) > text.size() + 1)
      fuzz::violated("a condition error points outside the text");
    if (parsed.status().message().empty()) fuzz::violated("a condition error without a message");
    return 0;
  }
  const Condition& c = *parsed;
  const Chain& chain = *fuzz::chain_for("chain: hotel-restaurant");
  const std::vector<ConditionIssue> issues =
      type_check(c, [&](std::string_view key) { return chain.find_field(key); }, chain.field_keys());

  const std::vector<std::string> fields = c.fields();
  std::array<FieldValues, 3> values;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    values[1][fields[i]] = some_value(i);
    values[2][fields[i]] = some_value(i + 1 + size);
  }
  for (const FieldValues& v : values) (void)c.evaluate(v);

  // The canonical text of a condition that type-checks reads back to the
  // same canonical text (the exports and messages show it to people).
  if (issues.empty()) {
    const std::string canonical = to_string(c.root());
    Result<Condition> again = parse_condition(canonical);
    if (!again) {
      std::fprintf(stderr, "fuzz: `%s` does not read back: %s\n", canonical.c_str(), again.status().to_string().c_str());
      fuzz::violated("canonical text does not parse");
    }
    if (to_string(again->root()) != canonical) fuzz::violated("canonical text changes when read back");
  }
  return 0;
}
