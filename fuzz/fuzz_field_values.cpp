// Harness: field values typed against a chain's fields. The first byte
// chooses the reader: even, a file of form values as `yilian graph
// --scenario FILE` reads it (parse_field_values, every key and value
// checked against the chain named by a `chain:` line, hotel-restaurant
// otherwise); odd, one `KEY=TEXT` as `yilian simulate --branch` types it
// (parse_field_value against the field KEY).
#include "fuzz_support.h"
#include "yilian/field_values.h"
#include "yilian/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  if (size == 0) return 0;
  const std::string_view text = fuzz::text_of(data + 1, size - 1);
  const Chain& chain = *fuzz::chain_for(text);
  if (data[0] % 2 == 0) {
    Loaded<FieldValues> r = parse_field_values(text, "fuzz.yaml", &chain);
    fuzz::print_all(r.diagnostics);
    if (r.diagnostics.has_errors() == r.has_value()) fuzz::violated("values come back exactly when there is no error");
    if (!r.has_value()) return 0;
    for (const auto& [key, value] : r.value())
      if (chain.find_field(key) == nullptr) fuzz::violated("a value for a key the chain does not know");
    return 0;
  }
  const std::size_t eq = text.find('=');
  const std::string_view key = text.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? std::string_view{} : text.substr(eq + 1);
  Result<Value> v = parse_field_value(chain, key, value);
  if (!v && v.status().message().empty()) fuzz::violated("a field value error without a message");
  if (v) (void)to_display(*v);
  return 0;
}
