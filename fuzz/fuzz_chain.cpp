// Harness: a chain file, as `yilian validate` reads it (load_chain: YAML,
// shapes, conditions, overlays onto the repository's chains, validation),
// then compiled for checking and checked against an empty application, as
// `yilian check` would do with the chain.
#include "fuzz_support.h"
#include "yilian/check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  const std::string_view text = fuzz::text_of(data, size);
  Loaded<ValidChain> r = load_chain_text(text, "fuzz.yaml", fuzz::chain_options());
  fuzz::print_all(r.diagnostics);
  if (r.diagnostics.has_errors() != !r.has_value()) fuzz::violated("a chain comes back exactly when there is no error");
  if (!r.ok()) return 0;
  const FormChecker checker(*r.value());
  const CheckResult check = checker.check(Application{});
  if (check.complete && !check.missing.empty()) fuzz::violated("complete with missing items");
  return 0;
}
