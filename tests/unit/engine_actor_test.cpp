// Who did what (全过程留痕): every request's actor is written into the log
// entry it causes, inside the hash chain; a claim held by another officer
// is refused unless a supervisor takes it over.
#include <doctest/doctest.h>

#include "engine_fixture.h"
#include "yilian/actor.h"
#include "yilian/records.h"

namespace engine_actor_test {

namespace {

using namespace yilian;
using namespace yilian::test;

const Actor kWindow{"王芳", Role::window, "", ActorChannel::window};
const Actor kOfficerA{"李明", Role::department, "x", ActorChannel::department};
const Actor kOfficerB{"赵强", Role::department, "x", ActorChannel::department};
const Actor kSupervisor{"督办员", Role::supervisor, "", ActorChannel::window};

std::unique_ptr<Engine> open_with_chain(const ScratchDir& dir, TestClock& clock) {
  auto e = open_engine(dir.store(), test_options(clock));
  auto loaded = e->load_chain_text(kFlowChain, "flowtest.yaml");
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().to_string());
  AdapterConfig manual;
  REQUIRE(e->bind("*", manual).is_ok());
  return e;
}

template <class R>
Receipt must(Result<R> r) {
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return *r;
}

}  // namespace

TEST_SUITE_BEGIN("durable");

TEST_CASE("engine.actor.every_entry_names_who_did_it") {
  ScratchDir dir("engine-actor");
  TestClock clock;
  const std::string path = dir.store();
  {
    auto e = open_with_chain(dir, clock);
    request::Submit sub = flow_application(false);
    sub.actor = kWindow;
    const CaseId id = must(e->apply(sub)).case_id;
    must(e->apply(request::Claim{id, "a", 0, "", false, kOfficerA}));
    must(e->apply(request::Report{id, "a", 0, Outcome::approved({{"a.kind", std::string("small")}}), kOfficerA}));
    REQUIRE(e->wait_idle(std::chrono::seconds(10)));

    const CaseView v = view(*e, id);
    REQUIRE(v.log.size() >= 3);
    CHECK(v.log[0].kind == "submitted");
    REQUIRE(v.log[0].actor.has_value());
    CHECK(*v.log[0].actor == kWindow);
    bool claimed = false, approved = false;
    for (const LogEntry& l : v.log) {
      if (l.kind == "task-claimed") {
        claimed = true;
        REQUIRE(l.actor.has_value());
        CHECK(*l.actor == kOfficerA);
      }
      if (l.kind == "task-approved") {
        approved = true;
        REQUIRE(l.actor.has_value());
        CHECK(*l.actor == kOfficerA);
      }
    }
    CHECK(claimed);
    CHECK(approved);
  }
  // The actor is inside the hash chain: the store verifies, and changing an
  // entry's actor bytes breaks it.
  auto ok = verify_audit(path);
  REQUIRE(ok.is_ok());
  CHECK(ok->ok());
  // The same edit in each backend's SQL: both names are six bytes in UTF-8.
  sql(path, is_postgres_uri(path)
                ? "UPDATE log SET body = overlay(body placing convert_to('张伟', 'UTF8') "
                  "from position(convert_to('李明', 'UTF8') in body) for 6) "
                  "WHERE kind = 'task-approved' AND position(convert_to('李明', 'UTF8') in body) > 0"
                : "UPDATE log SET body = CAST(replace(CAST(body AS TEXT), '李明', '张伟') AS BLOB) WHERE kind = 'task-approved'");
  auto broken = verify_audit(path);
  REQUIRE(broken.is_ok());
  CHECK_FALSE(broken->ok());
}

TEST_CASE("engine.actor.a_claim_held_by_another_is_refused") {
  ScratchDir dir("engine-claim");
  TestClock clock;
  auto e = open_with_chain(dir, clock);
  const CaseId id = must(e->apply(flow_application(false))).case_id;
  must(e->apply(request::Claim{id, "a", 0, "", false, kOfficerA}));
  // The same officer again: harmless.
  must(e->apply(request::Claim{id, "a", 0, "", false, kOfficerA}));

  auto taken = e->apply(request::Claim{id, "a", 0, "", false, kOfficerB});
  REQUIRE_FALSE(taken.is_ok());
  CHECK(taken.status().code() == Status::Code::conflict);
  CHECK(taken.status().message().find("李明") != std::string::npos);  // names the holder
  // Forcing is for supervisors only.
  auto forced = e->apply(request::Claim{id, "a", 0, "", true, kOfficerB});
  REQUIRE_FALSE(forced.is_ok());
  CHECK(forced.status().code() == Status::Code::conflict);
  // Releasing someone else's claim too.
  auto released = e->apply(request::Release{id, "a", kOfficerB});
  REQUIRE_FALSE(released.is_ok());
  CHECK(released.status().code() == Status::Code::conflict);
  CHECK(task_of(view(*e, id), "a").claimed_by == "李明");

  // A supervisor takes it over for officer B: a release, then the claim.
  must(e->apply(request::Claim{id, "a", 0, "赵强", true, kSupervisor}));
  CaseView v = view(*e, id);
  CHECK(task_of(v, "a").claimed_by == "赵强");
  CHECK(count_log(v, "task-released") == 1);
  // The holder gives it back; then anyone may claim it.
  must(e->apply(request::Release{id, "a", kOfficerB}));
  CHECK(task_of(view(*e, id), "a").claimed_by.empty());
  must(e->apply(request::Claim{id, "a", 0, "", false, kOfficerA}));
  CHECK(task_of(view(*e, id), "a").claimed_by == "李明");
  // A claim survives a restart: the holder is read back with the case.
  e->close();
  e = open_engine(dir.store(), test_options(clock));
  auto again = e->apply(request::Claim{id, "a", 0, "", false, kOfficerB});
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().code() == Status::Code::conflict);
}

TEST_SUITE_END();

}  // namespace engine_actor_test
