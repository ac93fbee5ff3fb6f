// Harness: JSON the engine reads from outside its process. The first byte
// chooses the reader: 0 (mod 3), a department's answer as the command and
// http adapters hand it over (parse_outcome_json); 1, a request as a CLI
// process leaves it in the store's inbox for the engine (request_from_json);
// 2, the receipt the engine leaves in its place (receipt_from_json).
// Whatever is read must write back to JSON that reads again to the same
// thing (a fixed point): what the engine keeps of an answer or a request
// is what it would show and send on.
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "runtime/json_codec.h"
#include "yilian/adapter.h"
#include "yilian/text.h"

namespace {

void answer(std::string_view text) {
  using namespace yilian;
  Result<std::optional<Outcome>> r = parse_outcome_json(text);
  if (!r) {
    if (r.status().message().empty()) fuzz::violated("an answer refused without a message");
    return;
  }
  if (!json_depth_within(text, kMaxJsonDepth)) fuzz::violated("an answer nested deeper than the limit was read");
  if (!r.value()) return;  // accepted: the decision comes later
  const std::string once = detail::to_json(**r).dump();
  Result<std::optional<Outcome>> again = parse_outcome_json(once);
  if (!again || !again.value()) fuzz::violated("an answer read does not read again from its own JSON");
  if (detail::to_json(**again).dump() != once) fuzz::violated("an answer read again is not the same answer");
}

void request(std::string_view text) {
  using namespace yilian;
  Result<Request> r = detail::request_from_json(text);
  if (!r) {
    if (r.status().message().empty()) fuzz::violated("a request refused without a message");
    return;
  }
  const std::string once = detail::request_to_json(*r);
  Result<Request> again = detail::request_from_json(once);
  if (!again) fuzz::violated("a request read does not read again from its own JSON");
  if (detail::request_to_json(*again) != once) fuzz::violated("a request read again is not the same request");
}

void receipt(std::string_view text) {
  using namespace yilian;
  // An error receipt reads as an error: both kinds write back.
  const std::string once = detail::receipt_to_json(detail::receipt_from_json(text));
  if (detail::receipt_to_json(detail::receipt_from_json(once)) != once)
    fuzz::violated("a receipt read again is not the same receipt");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = yilian::fuzz::text_of(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: answer(text); break;
    case 1: request(text); break;
    default: receipt(text); break;
  }
  return 0;
}
