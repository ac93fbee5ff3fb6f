// The live engine with in-process adapters: a case from submission to
// delivery, data minimisation, repeated outcomes, refused requests.
#include <doctest/doctest.h>

#include <pthread.h>

#include <future>

#include "engine_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace engine_test {

namespace {

std::unique_ptr<Engine> engine_with_chain(const ScratchDir& dir, TestClock& clock, EngineOptions o = {}) {
  if (!o.clock) o = test_options(clock);
  auto e = open_engine(dir.store(), o);
  auto loaded = e->load_chain_text(kFlowChain, "flowtest.yaml");
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().to_string());
  CHECK(loaded->id == "flowtest");
  CHECK(loaded->version == 1);
  return e;
}

}  // namespace

TEST_SUITE_BEGIN("durable");

TEST_CASE("engine.case_runs_from_submission_to_delivery") {
  ScratchDir dir("engine-run");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.auto_deliver = DeliveryMethod::electronic;
  auto e = engine_with_chain(dir, clock, o);
  auto adapter = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("big")}}));
  REQUIRE(e->register_adapter("*", adapter).is_ok());
  std::vector<Notification> heard;
  std::mutex heard_mu;
  e->set_listener([&](const Notification& n) {
    std::lock_guard g(heard_mu);
    heard.push_back(n);
  });

  auto r = e->apply(flow_application(true));
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  CHECK(r->case_id == 1);
  CHECK(r->seq == 1);
  CHECK(r->result == StepResult::applied);
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  REQUIRE(eventually([&] { return view(*e, 1).stage == CaseStage::delivered; }));

  const CaseView v = view(*e, 1);
  CHECK(v.chain == "flowtest");
  CHECK(v.version == 1);
  CHECK(v.delivery == DeliveryMethod::electronic);
  CHECK(v.accepted_on == D("2025-03-03"));
  // a, e first; then b and c (a.kind is big); then d. Every one approved once.
  for (const char* m : {"a", "b", "c", "d", "e"}) {
    CAPTURE(m);
    CHECK(task_of(v, m).status == TaskStatus::approved);
  }
  CHECK(count_log(v, "task-approved", "applied") == 5);
  CHECK(count_log(v, "delivered") == 1);
  CHECK(v.log.front().kind == "submitted");
  CHECK(v.log.back().kind == "delivered");
  for (std::size_t i = 0; i < v.log.size(); ++i) CHECK(v.log[i].seq == i + 1);
  CHECK(adapter->count() == 5);
  // Keys name case, matter and attempt.
  std::set<std::string> keys;
  for (const auto& t : adapter->seen()) keys.insert(t.key);
  CHECK(keys.count("1:a:1") == 1);
  CHECK(keys.count("1:d:1") == 1);

  const EngineStats s = e->stats();
  CHECK(s.open_cases == 0);
  CHECK(s.events == v.log.size());
  CHECK(s.commits <= s.events);
  CHECK(eventually([&] {
    std::lock_guard g(heard_mu);
    return std::any_of(heard.begin(), heard.end(), [](const Notification& n) { return n.kind == Notification::Kind::delivered; });
  }));
  e->close();
  auto audit = verify_audit(dir.store());
  REQUIRE(audit.is_ok());
  CHECK(audit->ok());
  CHECK(audit->entries == v.log.size());
}

TEST_CASE("engine.adapters_see_only_their_department's_data") {
  ScratchDir dir("engine-minimal");
  TestClock clock;
  auto e = engine_with_chain(dir, clock);
  auto x = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("small")}}));
  auto y = std::make_shared<ScriptedAdapter>();
  REQUIRE(e->register_adapter("x", x).is_ok());
  REQUIRE(e->register_adapter("y", y).is_ok());
  auto r = e->apply(flow_application(true));
  REQUIRE(r.is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  REQUIRE(view(*e, 1).stage == CaseStage::ready);
  for (const Task& t : x->seen()) {
    CAPTURE(t.key);
    CHECK(t.department == "x");
    // x's matters list applicant.name; a produces a.kind. x.flag is read by
    // a condition only: no department's matter needs it.
    CHECK(t.fields.count("x.flag") == 0);
    if (t.matter == "a") {
      CHECK(t.fields.count("applicant.name") == 1);
      CHECK(t.materials == std::vector<std::string>{"lease"});
    }
  }
  for (const Task& t : y->seen()) {
    CAPTURE(t.key);
    CHECK(t.department == "y");
    CHECK(t.fields.count("applicant.name") == 0);
    // b needs the licence that a issued: it reaches b as held.
    if (t.matter == "b") CHECK(t.materials == std::vector<std::string>{"licence"});
  }
  CHECK(x->count() == 2);  // a, d
  CHECK(y->count() == 2);  // b, e (c skipped: a.kind is small)
}

TEST_CASE("engine.a_repeated_completion_is_recorded_and_ignored") {
  ScratchDir dir("engine-dup");
  TestClock clock;
  auto e = engine_with_chain(dir, clock);
  auto twice = std::make_shared<ScriptedAdapter>([](const Task& t, const Completion& c) {
    // Only a declares a produced value (a.kind).
    auto kind = [&](const char* k) { return t.matter == "a" ? FieldValues{{"a.kind", std::string(k)}} : FieldValues{}; };
    c.report(Outcome::approved(kind("small")));
    c.report(Outcome::approved(kind("big")));
  });
  REQUIRE(e->register_adapter("*", twice).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  const CaseView v = view(*e, 1);
  CHECK(v.stage == CaseStage::ready);
  // a, b and d approved once each; each second answer recorded as ignored.
  CHECK(count_log(v, "task-approved", "applied") == 3);
  CHECK(count_log(v, "task-approved", "ignored") == 3);
  CHECK(task_of(v, "c").status == TaskStatus::skipped);  // the first answer (small) counted, not the second
  CHECK(e->stats().ignored == 3);
}

TEST_CASE("engine.refused_requests_record_nothing") {
  ScratchDir dir("engine-refused");
  TestClock clock;
  auto e = engine_with_chain(dir, clock);
  auto r = e->apply(flow_application());
  REQUIRE(r.is_ok());
  const std::size_t before = view(*e, 1).log.size();

  auto missing = e->apply(request::Withdraw{42, "?"});
  CHECK(missing.status().code() == Status::Code::not_found);
  auto no_chain = e->apply(request::Submit{"no-such-chain", std::nullopt, {}, {}, Channel::window});
  CHECK(no_chain.status().code() == Status::Code::not_found);
  auto no_version = e->apply(request::Submit{"flowtest", 7, {}, {}, Channel::window});
  CHECK(no_version.status().code() == Status::Code::not_found);
  auto no_matter = e->apply(request::Report{1, "zz", 0, Outcome::approved()});
  CHECK(no_matter.status().code() == Status::Code::invalid_input);
  CHECK(no_matter.status().message().find("zz") != std::string::npos);
  auto early = e->apply(request::Deliver{1, DeliveryMethod::express, "SF1"});
  CHECK(early.status().code() == Status::Code::invalid_input);
  CHECK(early.status().message().find("delivered when every matter is approved") != std::string::npos);
  auto claim_waiting = e->apply(request::Claim{1, "d", 0, "王五"});
  CHECK(claim_waiting.status().code() == Status::Code::invalid_input);
  auto claim_nobody = e->apply(request::Claim{1, "a", 0, ""});
  CHECK(claim_nobody.status().code() == Status::Code::invalid_input);
  CHECK(view(*e, 1).log.size() == before);

  // A claim of an open task is a note in the log and shows on the task.
  auto claim = e->apply(request::Claim{1, "a", 0, "王五"});
  REQUIRE(claim.is_ok());
  const CaseView v = view(*e, 1);
  CHECK(v.log.back().kind == "task-claimed");
  CHECK(v.log.back().result == "note");
  CHECK(task_of(v, "a").claimed_by == "王五");

  e->close();
  CHECK(e->apply(request::Withdraw{1, ""}).status().code() == Status::Code::unavailable);
  CHECK(e->load_chain_text(kFlowChain, "x.yaml").status().code() == Status::Code::unavailable);
}

TEST_CASE("engine.one_engine_per_store") {
  ScratchDir dir("engine-lock");
  TestClock clock;
  EngineOptions o = test_options(clock);
  auto first = open_engine(dir.store(), o);
  o.lock_wait = std::chrono::milliseconds(50);
  auto second = Engine::open(dir.store(), o);
  CHECK(second.status().code() == Status::Code::unavailable);
  first->close();
  auto third = Engine::open(dir.store(), o);
  CHECK(third.is_ok());
  EngineOptions bad = o;
  bad.threads = 0;
  CHECK(Engine::open(dir.store("other.db"), bad).status().code() == Status::Code::invalid_input);
}

TEST_CASE("engine.not_a_store" * doctest::test_suite("sqlite-only") *
          doctest::description("a text file where an SQLite file should be (PostgreSQL: engine.postgresql.not_a_store)")) {
  ScratchDir dir("engine-notastore");
  TestClock clock;
  {
    std::ofstream f(dir.file("text.db"));
    f << "this is not sqlite, just a text file long enough to have a header.....................................";
  }
  auto e = Engine::open(dir.file("text.db"), test_options(clock));
  CHECK(e.status().code() == Status::Code::invalid_input);
  CHECK(e.status().message().find("not a yilian store") != std::string::npos);
  auto r = Records::open(dir.file("none.db"));
  CHECK(r.status().code() == Status::Code::not_found);
}

TEST_CASE("engine.invalid_values_are_refused_with_every_problem_named") {
  ScratchDir dir("engine-invalid");
  TestClock clock;
  auto e = engine_with_chain(dir, clock);
  request::Submit bad = flow_application(false);
  bad.fields["x.flag"] = std::string("yes");        // a boolean field
  bad.fields["applicant.nmae"] = std::string("张三");  // no such field
  bad.materials.push_back("lease-contract");          // no such material
  auto r = e->apply(bad);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Status::Code::invalid_input);
  CHECK(r.status().message().find("3 invalid items") != std::string::npos);
  CHECK(r.status().message().find("x.flag") != std::string::npos);
  CHECK(r.status().message().find("applicant.name") != std::string::npos);  // the suggestion
  CHECK(e->stats().events == 0);
  CHECK(e->records().list({})->empty());
  // Refused by the flow core (step()), like every rule of a case: so a
  // refused application spends no case id and leaves no row.
  request::Submit agentless = flow_application(false);
  agentless.agent = Agent{"", "", ""};
  CHECK(e->apply(agentless).status().code() == Status::Code::invalid_input);
  CHECK(e->records().list({})->empty());
  // A supplement is checked the same way; a valid one is applied.
  auto first = e->apply(flow_application(false));
  REQUIRE(first.is_ok());
  CHECK(first->case_id == 1);
  CHECK(e->apply(request::Supplement{1, {{"x.flag", std::int64_t{3}}}, {}, false}).status().code() ==
        Status::Code::invalid_input);
  CHECK(e->apply(request::Supplement{1, {{"applicant.name", std::string("李四")}}, {}, false}).is_ok());
}

TEST_CASE("engine.apply_async_answers_on_an_io_thread_or_on_the_commit_thread") {
  ScratchDir dir("callback-on");
  TestClock clock;
  auto e = engine_with_chain(dir, clock);
  // The thread an answer ran on, by name, and whether the case was committed then.
  auto answer_on = [&](Engine::CallbackOn on) {
    auto got = std::make_shared<std::promise<std::pair<std::string, bool>>>();
    auto future = got->get_future();
    e->apply_async(
        flow_application(false),
        [&e, got](Result<Receipt> r) {
          char name[16] = {};
          pthread_getname_np(pthread_self(), name, sizeof name);
          got->set_value({name, r.is_ok() && e->records().case_view(r->case_id).is_ok()});
        },
        on);
    REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return future.get();
  };
  CHECK(answer_on(Engine::CallbackOn::engine_thread) == std::pair<std::string, bool>{"yilian-io", true});
  CHECK(answer_on(Engine::CallbackOn::commit_thread) == std::pair<std::string, bool>{"yilian-writer", true});
  // An answer that throws loses only itself: its case is committed and the
  // engine goes on.
  e->apply_async(flow_application(false), [](Result<Receipt>) { throw std::runtime_error("a caller's bug"); },
                 Engine::CallbackOn::commit_thread);
  auto next = e->apply(flow_application(false));
  REQUIRE_MESSAGE(next.is_ok(), next.status().to_string());
  CHECK(next->case_id == 4);
  CHECK(view(*e, 3).stage == CaseStage::running);
}

// A work queue read a page at a time: the pages together are the whole
// queue in its order, each task once; `keep` filters before the limit;
// a cursor no page gave is refused.
TEST_CASE("engine.a_work_queue_reads_in_pages_each_task_once") {
  ScratchDir dir("engine-pages");
  TestClock clock;
  auto e = engine_with_chain(dir, clock);  // no adapter: every task stays open
  for (int i = 0; i < 7; ++i) REQUIRE(e->apply(flow_application(i % 2 == 0)).is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  const Records& records = e->records();
  auto whole = records.work_queue("");
  REQUIRE(whole.is_ok());
  REQUIRE(whole->size() >= 10);
  auto key = [](const WorkItem& w) { return fmt::format("{}:{}", w.case_id, w.task.matter); };
  std::vector<std::string> expected;
  for (const WorkItem& w : *whole) expected.push_back(key(w));
  for (std::size_t limit : {1, 2, 3, 1000}) {
    CAPTURE(limit);
    std::vector<std::string> got;
    std::string after;
    int pages = 0;
    do {
      auto page = records.work_queue_page("", after, limit);
      REQUIRE_MESSAGE(page.is_ok(), page.status().to_string());
      CHECK(page->items.size() <= limit);
      for (const WorkItem& w : page->items) got.push_back(key(w));
      after = page->next;
      REQUIRE(++pages <= 100);
    } while (!after.empty());
    CHECK(got == expected);
    CHECK(pages == static_cast<int>((expected.size() + limit - 1) / limit));
  }
  // The filter applies before the limit: a page of 2 holds 2 kept tasks.
  const std::string first_matter = whole->front().task.matter;
  auto kept = records.work_queue_page("", "", 2, [&](const WorkItem& w) { return w.task.matter == first_matter; });
  REQUIRE(kept.is_ok());
  REQUIRE(kept->items.size() == 2);
  CHECK(kept->items[1].task.matter == first_matter);
  CHECK(kept->items[1].case_id > kept->items[0].case_id);
  // No limit: the whole queue, no next page.
  auto all = records.work_queue_page("", "", 0);
  REQUIRE(all.is_ok());
  CHECK(all->items.size() == expected.size());
  CHECK(all->next.empty());
  for (const char* bad : {"x", "1", "1.", ".1", "0.0", "1.2.3", "-1.0", "1.-2"}) {
    CAPTURE(bad);
    auto r = records.work_queue_page("", bad, 2);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Status::Code::invalid_input);
    CHECK(r.status().message().find("not a cursor") != std::string::npos);
  }
}

TEST_SUITE_END();

}  // namespace engine_test
