// A material file's request as JSON (the inbox carries requests as JSON,
// the file's bytes in base64): every byte survives, whatever the length's
// remainder by three, and what is not base64 is refused.
#include <doctest/doctest.h>

#include <string>

#include "runtime/json_codec.h"
#include "yilian/request.h"

using namespace yilian;

namespace request_json_files_test {

TEST_CASE("store.codec.a_file_request_keeps_every_byte_through_json") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t size : {0U, 1U, 2U, 3U, 4U, 5U, 255U, 256U}) {
    CAPTURE(size);
    const std::string content = all.substr(0, size);
    const std::string text = detail::request_to_json(request::Attach{7, "lease", "租赁合同.pdf", content, {}});
    auto back = detail::request_from_json(text);
    REQUIRE_MESSAGE(back.is_ok(), back.status().to_string());
    const auto* attach = std::get_if<request::Attach>(&*back);
    REQUIRE(attach != nullptr);
    CHECK(attach->case_id == 7);
    CHECK(attach->material == "lease");
    CHECK(attach->name == "租赁合同.pdf");
    CHECK(attach->content == content);
  }
  // The applicant's consent to reuse travels with a submission.
  request::Submit submit{"c", 1, {}, {}, Channel::window};
  submit.reuse_consent = true;
  auto back = detail::request_from_json(detail::request_to_json(submit));
  REQUIRE(back.is_ok());
  CHECK(std::get<request::Submit>(*back).reuse_consent);
  for (const char* bad : {R"({"type":"attach","case":7,"material":"lease","content":"abc"})",
                          R"({"type":"attach","case":7,"material":"lease","content":"a*c="})",
                          R"({"type":"attach","case":7,"content":"YWJj"})"}) {
    CAPTURE(bad);
    auto r = detail::request_from_json(bad);
    CHECK(r.status().code() == Status::Code::invalid_input);
  }
}

TEST_CASE("store.codec.inbox_json_of_the_wrong_type_is_an_answer_never_an_exception") {
  // Found by fuzzing (fuzz_json): `"case": "…"` in a receipt threw out of
  // nlohmann's value(). A receipt's members of the wrong type read as
  // absent; only `ok` decides whether the request was applied.
  auto odd = detail::receipt_from_json(R"({"ok":true,"case":"seven","seq":-1.5,"result":7,"stage":["running"],"reason":{}})");
  REQUIRE(odd.is_ok());
  CHECK(odd->case_id == 0);
  CHECK(odd->seq == 0);
  CHECK(odd->result == StepResult::applied);
  CHECK(odd->stage == CaseStage::created);
  CHECK(odd->reason.empty());
  // A number out of its range reads as absent too, not wrapped.
  auto negative = detail::receipt_from_json(R"({"ok":true,"case":-1,"seq":3})");
  REQUIRE(negative.is_ok());
  CHECK(negative->case_id == 0);
  CHECK(negative->seq == 3);
  for (const char* refused : {R"({"ok":"yes","case":1})", R"({"ok":1})", R"({"case":1})"}) {
    CAPTURE(refused);
    CHECK_FALSE(detail::receipt_from_json(refused).is_ok());
  }
  auto garbled = detail::receipt_from_json(R"({"ok":false,"code":5,"message":["x"]})");
  REQUIRE_FALSE(garbled.is_ok());
  CHECK(garbled.status().code() == Status::Code::internal);
  CHECK(garbled.status().message() == "the engine refused the request");
  // A request's flags must be true or false: not read as false when garbled.
  for (const char* bad : {R"({"type":"supplement","case":7,"in_person":"yes"})",
                          R"({"type":"submit","chain":"c","reuse_consent":1})",
                          R"({"type":"claim","case":7,"matter":"a","attempt":1,"officer":"o","force":"no"})"}) {
    CAPTURE(bad);
    auto r = detail::request_from_json(bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().message().find("must be true or false") != std::string::npos);
  }
}

TEST_CASE("store.codec.a_request_number_that_does_not_fit_is_refused_not_cut") {
  // Read into 32 bits (or an unsigned id), these used to wrap: an attempt
  // of 2^32 + 1 became attempt 1, a case of -1 the largest id.
  for (const char* bad : {R"({"type":"report","case":1,"matter":"a","attempt":4294967297,"outcome":{"outcome":"resumed"}})",
                          R"({"type":"retry","case":-1,"matter":"a"})",
                          R"({"type":"submit","chain":"c","version":2147483648})",
                          R"({"type":"extend","case":1,"matter":"a","basis":"other","days":-2147483649})",
                          R"({"type":"follow-up","case":1,"rating":-1,"step":"resolved"})",
                          R"({"type":"withdraw","case":18446744073709551616})"}) {
    CAPTURE(bad);
    auto r = detail::request_from_json(bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::invalid_input);
  }
  auto r = detail::request_from_json(R"({"type":"retry","case":1,"matter":"a"})");
  REQUIRE(r.is_ok());
  auto wide = detail::request_from_json(R"({"type":"report","case":1,"matter":"a","attempt":4294967297,"outcome":{"outcome":"resumed"}})");
  CHECK(wide.status().message().find("`attempt` 4294967297 is out of range (0 to 4294967295)") != std::string::npos);
  // The largest values that fit are read as they are.
  auto edge = detail::request_from_json(R"({"type":"claim","case":18446744073709551615,"matter":"a","attempt":4294967295,"officer":"o"})");
  REQUIRE(edge.is_ok());
  CHECK(std::get<request::Claim>(*edge).case_id == 18446744073709551615ULL);
  CHECK(std::get<request::Claim>(*edge).attempt == 4294967295U);
}

}  // namespace request_json_files_test
