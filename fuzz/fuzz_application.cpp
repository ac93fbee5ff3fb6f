// Harness: an application (the applicant's values and materials), as
// `yilian check CHAIN APPLICATION` reads it: parsed, then checked against
// the repository chain it names (hotel-restaurant when it names none), on
// a day when that chain is dated, with the notice, the commitment letters
// and the JSON answer written as the command writes them.
#include <map>

#include "fuzz_support.h"
#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/date.h"
#include "yilian/form_export.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yilian;
  const std::string_view text = fuzz::text_of(data, size);
  Loaded<Application> loaded = parse_application_text(text, "fuzz.yaml");
  fuzz::print_all(loaded.diagnostics);
  if (loaded.diagnostics.has_errors() != !loaded.has_value())
    fuzz::violated("an application comes back exactly when there is no error");
  if (!loaded.ok()) return 0;
  const Application& app = loaded.value();
  const Chain& chain = *fuzz::chain_for(std::string("chain: ") + app.chain);
  std::optional<Date> on;
  if (chain.dated()) on = Date::from_ymd(2025, 6, 2);
  // The command compiles the chain's form once per run; so does the harness.
  static std::map<const Chain*, FormChecker> checkers;
  const FormChecker& checker = checkers.try_emplace(&chain, chain).first->second;
  const CheckResult r = checker.check(app, on);
  if (r.complete && !r.missing.empty()) fuzz::violated("complete with missing items");
  (void)notice_to_markdown(checker.form(), r);
  (void)check_to_json(r);
  if (!r.committed_matters.empty()) (void)commitment_letters_to_markdown(chain, r, &app);
  return 0;
}
