// Harness: a deployment file, as `yilian run --deploy FILE` reads it
// (parse_deployment_text; relative paths resolved against a folder, never
// opened here: the chains it names are loaded by the chain harness's code).
#include "fuzz_support.h"
#include "yilian/deployment.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  const std::string_view text = fuzz::text_of(data, size);
  Loaded<Deployment> d = parse_deployment_text(text, "fuzz.yaml", fuzz::source_path("examples/deploy"));
  fuzz::print_all(d.diagnostics);
  if (d.diagnostics.has_errors() != !d.has_value()) fuzz::violated("a deployment comes back exactly when there is no error");
  if (!d.ok()) return 0;
  for (const auto& [id, a] : d->departments) {
    if (id.empty()) fuzz::violated("a department binding without an id");
    (void)to_string(a.kind);
    if (a.kind == AdapterConfig::Kind::command && a.command.empty()) fuzz::violated("a command adapter without a program");
  }
  return 0;
}
