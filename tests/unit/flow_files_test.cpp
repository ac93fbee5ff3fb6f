// Material files in the flow core (event::FileAttached): a file of a
// material the case asks for counts as handed in, as a supplement of it
// would; a file of a material held is recorded only; anything else is
// refused and changes nothing.
#include <doctest/doctest.h>

#include <string>

#include "flow_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace flow_files_test {

namespace {

event::FileAttached file_of(const char* material, const char* type = "application/pdf") {
  return event::FileAttached{material, std::string(material) + ".pdf", type, 2048, std::string(64, 'c')};
}

/// Submits the application without the lease: incomplete.
void submit_without_lease(Driver& d) {
  auto r = d.apply("2025-03-03T09:00", event::Submitted{{{"applicant.name", std::string("张三")}, {"x.flag", false}}, {}, Channel::window});
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  REQUIRE(d.s.stage == CaseStage::incomplete);
}

/// Whether `e` is refused and leaves the whole state as it was.
void refused(Driver& d, const event::FileAttached& e, const std::string& says) {
  const CaseState before = d.s;
  auto r = d.apply("2025-03-04T10:00", e);
  CHECK(r.result == StepResult::invalid);
  CHECK_MESSAGE(r.reason.find(says) != std::string::npos, r.reason);
  CHECK(d.s == before);
  CHECK(d.out.empty());
}

}  // namespace

TEST_CASE("flow.files.a_file_of_a_missing_material_completes_the_application") {
  Driver d;
  submit_without_lease(d);
  auto r = d.apply("2025-03-04T10:00", file_of("lease"));
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.s.stage == CaseStage::running);
  CHECK(d.s.accepted_on == D("2025-03-04"));
  CHECK(*d.s.materials == std::vector<std::string>{"lease"});
  CHECK(d.dispatched() == std::vector<std::string>{"a"});
  CHECK(d.s.visits == 1);  // a file is no visit: only the submission at the window counted
}

TEST_CASE("flow.files.a_file_of_a_material_handed_in_on_paper_is_recorded_only") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  CaseState expected = d.s;
  auto r = d.apply("2025-03-03T09:05", file_of("lease", "image/jpeg"));
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  ++expected.events;
  CHECK(d.s == expected);
  CHECK(d.out.empty());
}

TEST_CASE("flow.files.a_file_answers_the_open_request_that_names_its_material") {
  Driver d;
  d.submit("2025-03-03T09:00", false);
  auto r = d.apply("2025-03-04T09:00", event::SupplementRequested{d.m("a"), 1, {"lease"}, "租赁合同看不清"});
  REQUIRE(r.result == StepResult::applied);
  REQUIRE(d.status("a") == TaskStatus::supplement);
  r = d.apply("2025-03-05T09:00", file_of("lease", "image/png"));
  REQUIRE_MESSAGE(r.result == StepResult::applied, r.reason);
  CHECK(d.status("a") == TaskStatus::dispatched);
  CHECK(d.attempt("a") == 2);
  CHECK(d.dispatched() == std::vector<std::string>{"a"});
  // The clock stopped from the day after the request up to the file's day.
  CHECK(d.s.tasks[static_cast<std::size_t>(d.m("a"))].ledger.entries().size() == 1);
}

TEST_CASE("flow.files.what_the_case_does_not_take_is_refused_and_changes_nothing") {
  Driver d;
  submit_without_lease(d);
  refused(d, file_of("lese"), "`lese` is not a material of chain `flowtest`");
  // The licence is issued inside the chain (by matter a): never asked of the applicant.
  refused(d, file_of("licence"), "does not need material `licence`");
  refused(d, file_of("lease", "text/plain"), "a PDF, JPEG or PNG");
  auto bad_hash = file_of("lease");
  bad_hash.sha256 = "xyz";
  refused(d, bad_hash, "SHA-256");
  auto empty = file_of("lease");
  empty.bytes = 0;
  refused(d, empty, "SHA-256");
  REQUIRE(d.apply("2025-03-04T09:00", event::Withdrawn{"不办了"}).result == StepResult::applied);
  refused(d, file_of("lease"), "the case is withdrawn; it takes no files");
}

TEST_CASE("flow.files.a_case_not_yet_submitted_takes_no_file") {
  Driver d;
  refused(d, file_of("lease"), "not submitted");
}

}  // namespace flow_files_test
