// The engine when adapters misbehave and when it restarts: exceptions,
// silence and late answers become retries, then incidents; dispatches,
// alert timers and retry timers survive a restart.
#include <doctest/doctest.h>

#include <fstream>

#include "engine_fixture.h"

using namespace yilian;
using namespace yilian::test;

namespace engine_faults_test {

namespace {

std::unique_ptr<Engine> engine_with_chain(const std::string& path, const EngineOptions& o) {
  auto e = open_engine(path, o);
  auto loaded = e->load_chain_text(kFlowChain, "flowtest.yaml");
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().to_string());
  return e;
}

}  // namespace

TEST_SUITE_BEGIN("durable");

TEST_CASE("engine.faults.exceptions_retry_then_incident_then_operator_retry") {
  ScratchDir dir("faults-throw");
  TestClock clock;
  EngineOptions o = test_options(clock);
  auto e = engine_with_chain(dir.store(), o);
  std::atomic<int> calls{0};
  auto thrower = std::make_shared<ScriptedAdapter>([&](const Task&, const Completion&) {
    ++calls;
    throw std::runtime_error("department system down");
  });
  REQUIRE(e->register_adapter("x", thrower).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  CaseView v = view(*e, 1);
  CHECK(task_of(v, "a").status == TaskStatus::incident);
  CHECK(task_of(v, "a").note.find("department system down") != std::string::npos);
  CHECK(calls == 3);  // the policy's three deliveries
  CHECK(count_log(v, "delivery-failed", "note") == 3);
  CHECK(count_log(v, "task-incident", "applied") == 1);
  // The deliveries carry their number; the key stays that of attempt 1.
  const auto seen = thrower->seen();
  REQUIRE(seen.size() == 3);
  for (std::uint32_t i = 0; i < 3; ++i) {
    CHECK(seen[i].key == "1:a:1");
    CHECK(seen[i].delivery == i + 1);
  }
  // An operator retries once the system is back: a new attempt.
  auto good = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("small")}}));
  REQUIRE(e->register_adapter("x", good).is_ok());
  auto r = e->apply(request::Retry{1, "a"});
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  v = view(*e, 1);
  CHECK(task_of(v, "a").status == TaskStatus::approved);
  CHECK(task_of(v, "a").attempt == 2);
  CHECK(good->seen().front().key == "1:a:2");
  // Retrying a task that is not in incident is refused.
  CHECK(e->apply(request::Retry{1, "a"}).status().code() == Status::Code::invalid_input);
}

// An adapter that answers inside dispatch() and then throws: the answer
// stands (the engine collects such answers and queues them together, and
// the exception must not overtake them), and nothing is retried.
TEST_CASE("engine.faults.an_answer_given_before_the_adapter_throws_stands") {
  ScratchDir dir("faults-answer-throw");
  TestClock clock;
  auto e = engine_with_chain(dir.store(), test_options(clock));
  std::atomic<int> calls{0};
  auto adapter = std::make_shared<ScriptedAdapter>([&](const Task& t, const Completion& c) {
    ++calls;
    c.report(Outcome::approved(t.matter == "a" ? FieldValues{{"a.kind", std::string("small")}} : FieldValues{}));
    throw std::runtime_error("the connection dropped after the answer");
  });
  REQUIRE(e->register_adapter("x", adapter).is_ok());
  REQUIRE(e->register_adapter("y", adapter).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  const CaseView v = view(*e, 1);
  CHECK(v.stage == CaseStage::ready);
  for (const char* m : {"a", "b", "d"}) {
    CAPTURE(m);
    CHECK(task_of(v, m).status == TaskStatus::approved);
  }
  CHECK(count_log(v, "delivery-failed", "note") == 0);
  CHECK(calls == 3);  // one delivery each, none again
}

TEST_CASE("engine.faults.silence_times_out_and_a_late_answer_is_ignored") {
  ScratchDir dir("faults-silent");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.adapter_timeout = std::chrono::milliseconds(50);
  auto e = engine_with_chain(dir.store(), o);
  // The first delivery gets no answer in time; the second is approved.
  auto adapter = std::make_shared<ScriptedAdapter>([](const Task& t, const Completion& c) {
    if (t.delivery >= 2) c.report(Outcome::approved({{"a.kind", std::string("small")}}));
  });
  REQUIRE(e->register_adapter("x", adapter).is_ok());
  REQUIRE(e->register_adapter("y", std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); })).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::approved; }));
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  CaseView v = view(*e, 1);
  CHECK(count_log(v, "delivery-failed") == 1);
  CHECK(v.log[1].detail_json.find("no answer within 50 ms") != std::string::npos);
  // Now the first delivery's answer arrives, late: recorded, not applied.
  Completion first;
  {
    std::lock_guard g(adapter->mu);
    first = adapter->handles.front();
  }
  first.report(Outcome::approved({{"a.kind", std::string("big")}}));
  REQUIRE(eventually([&] { return count_log(view(*e, 1), "task-approved", "ignored") == 1; }));
  v = view(*e, 1);
  CHECK(task_of(v, "c").status == TaskStatus::skipped);  // a.kind stays small
  CHECK(count_log(v, "task-approved", "applied") == 1);
}

TEST_CASE("engine.faults.an_answer_the_flow_refuses_is_a_failed_delivery") {
  ScratchDir dir("faults-refused");
  TestClock clock;
  EngineOptions o = test_options(clock);
  auto e = engine_with_chain(dir.store(), o);
  // Approves without the value matter a declares it produces, twice, then
  // with it: retried, not lost and not stuck.
  auto sloppy = std::make_shared<ScriptedAdapter>([](const Task& t, const Completion& c) {
    if (t.delivery < 3) c.report(Outcome::approved({}));
    else c.report(Outcome::approved({{"a.kind", std::string("small")}}));
  });
  REQUIRE(e->register_adapter("x", sloppy).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  CaseView v = view(*e, 1);
  CHECK(task_of(v, "a").status == TaskStatus::approved);
  CHECK(count_log(v, "delivery-failed", "note") == 2);
  CHECK(sloppy->count() == 3);
  // An adapter that never gets it right ends in an incident naming the value.
  ScratchDir dir2("faults-refused-always");
  auto e2 = engine_with_chain(dir2.store(), o);
  auto wrong = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("huge")}}));
  REQUIRE(e2->register_adapter("x", wrong).is_ok());
  REQUIRE(e2->apply(flow_application(false)).is_ok());
  REQUIRE(e2->wait_idle(std::chrono::seconds(10)));
  v = view(*e2, 1);
  CHECK(task_of(v, "a").status == TaskStatus::incident);
  CHECK_MESSAGE(task_of(v, "a").note.find("answer was refused") != std::string::npos, task_of(v, "a").note);
  CHECK(task_of(v, "a").note.find("a.kind") != std::string::npos);
  CHECK(count_log(v, "delivery-failed", "note") == 3);
  CHECK(wrong->count() == 3);
  CHECK(e2->stats().inflight == 0);
}

TEST_CASE("engine.faults.failed_reports_and_accepted_tasks") {
  ScratchDir dir("faults-failed");
  TestClock clock;
  EngineOptions o = test_options(clock);
  auto e = engine_with_chain(dir.store(), o);
  // failed() twice, then approved on the third delivery.
  auto flaky = std::make_shared<ScriptedAdapter>([](const Task& t, const Completion& c) {
    if (t.delivery < 3) c.failed("HTTP 503");
    else c.report(Outcome::approved({{"a.kind", std::string("small")}}));
  });
  REQUIRE(e->register_adapter("x", flaky).is_ok());
  // y accepts and decides later, through a request (a department system's callback).
  auto later = std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); });
  REQUIRE(e->register_adapter("y", later).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return later->count() == 1; }));
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  CaseView v = view(*e, 1);
  CHECK(task_of(v, "a").status == TaskStatus::approved);
  CHECK(count_log(v, "delivery-failed") == 2);
  CHECK(task_of(v, "b").status == TaskStatus::dispatched);
  CHECK(e->stats().inflight == 0);  // accepted: no timeout runs for b
  const Task b = later->seen().front();
  auto r = e->apply(request::Report{1, b.matter, b.attempt, Outcome::supplement({"场地平面图"}, "缺图纸")});
  REQUIRE(r.is_ok());
  v = view(*e, 1);
  CHECK(task_of(v, "b").status == TaskStatus::supplement);
  CHECK(task_of(v, "b").requested == std::vector<std::string>{"场地平面图"});
  CHECK(v.notices == 1);
  // The applicant supplies: b goes back to y as attempt 2.
  REQUIRE(e->apply(request::Supplement{1, {}, {"lease"}, true}).is_ok());
  REQUIRE(eventually([&] { return later->count() == 2; }));
  CHECK(later->seen().back().key == "1:b:2");
  CHECK(view(*e, 1).visits == 2);
}

TEST_CASE("engine.recovery.parked_and_accepted_dispatches_are_reissued") {
  ScratchDir dir("recovery");
  TestClock clock;
  EngineOptions o = test_options(clock);
  const std::string db = dir.store();
  {
    auto e = engine_with_chain(db, o);
    // No adapter for x: a waits; y accepts e (flag true).
    auto y = std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); });
    REQUIRE(e->register_adapter("y", y).is_ok());
    REQUIRE(e->apply(flow_application(true)).is_ok());
    REQUIRE(e->wait_idle(std::chrono::seconds(10)));
    CHECK(e->stats().parked == 1);
    CHECK(y->count() == 1);
  }
  // A restart: both open tasks are handed over again, with the same keys.
  auto e = open_engine(db, o);
  CHECK(e->stats().recovered_cases == 1);
  CHECK(e->stats().open_cases == 1);
  CHECK(e->stats().parked == 2);  // nothing is registered yet
  auto all = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("small")}}));
  REQUIRE(e->register_adapter("*", all).is_ok());
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  std::set<std::string> keys;
  for (const auto& t : all->seen()) keys.insert(t.key);
  CHECK(keys.count("1:a:1") == 1);
  CHECK(keys.count("1:e:1") == 1);
  CHECK(view(*e, 1).stage == CaseStage::ready);
  // Without auto-delivery an operator delivers.
  auto d = e->apply(request::Deliver{1, DeliveryMethod::express, "SF1234"});
  REQUIRE(d.is_ok());
  CHECK(d->stage == CaseStage::delivered);
  CHECK(view(*e, 1).tracking == "SF1234");
}

TEST_CASE("engine.recovery.retry_timers_survive_a_restart") {
  ScratchDir dir("recovery-retry");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.retry.first_delay = std::chrono::milliseconds(300);
  o.retry.max_delay = std::chrono::milliseconds(300);
  o.retry.jitter = 0;
  const std::string db = dir.store();
  {
    auto e = engine_with_chain(db, o);
    auto failing = std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.failed("down"); });
    REQUIRE(e->register_adapter("x", failing).is_ok());
    REQUIRE(e->apply(flow_application(false)).is_ok());
    REQUIRE(eventually([&] { return count_log(view(*e, 1), "delivery-failed") == 1; }));
    // Closed before the retry falls due.
  }
  auto e = open_engine(db, o);
  auto good = std::make_shared<ScriptedAdapter>(ScriptedAdapter::approve_all({{"a.kind", std::string("small")}}));
  REQUIRE(e->register_adapter("*", good).is_ok());
  REQUIRE(eventually([&] { return good->count() >= 1; }));
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  const auto first = good->seen().front();
  CHECK(first.key == "1:a:1");
  CHECK(first.delivery == 2);  // the stored retry, not a fresh first delivery
  CHECK(view(*e, 1).stage == CaseStage::ready);
}

TEST_CASE("engine.recovery.alert_timers_survive_a_restart") {
  ScratchDir dir("recovery-alert");
  TestClock clock;
  EngineOptions o = test_options(clock);
  const std::string db = dir.store();
  {
    auto e = engine_with_chain(db, o);
    REQUIRE(e->register_adapter("*", std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); })).is_ok());
    REQUIRE(e->apply(flow_application(false)).is_ok());
    REQUIRE(e->wait_idle(std::chrono::seconds(10)));
    CHECK(task_of(view(*e, 1), "a").alert == AlertLevel::green);
  }
  // a's 5 working days from 03-03 end 03-10; on 03-12 it is late. The
  // engine reopens while a is still on time (its timer armed from the
  // store), so the alert cannot fire before the listener is there; then
  // the clock moves on.
  clock.set("2025-03-05T08:00");
  auto e = open_engine(db, o);
  std::vector<Notification> heard;
  std::mutex mu;
  e->set_listener([&](const Notification& n) {
    std::lock_guard g(mu);
    heard.push_back(n);
  });
  clock.set("2025-03-12T08:00");
  e->fire_due_timers();
  REQUIRE(eventually([&] { return count_log(view(*e, 1), "timer-fired") == 1; }));
  const CaseView v = view(*e, 1);
  CHECK(task_of(v, "a").alert == AlertLevel::red);
  CHECK(task_of(v, "a").supervision == Supervision::first_level);
  CHECK(task_of(v, "a").overdue_days == 2);
  REQUIRE(eventually([&] {
    std::lock_guard g(mu);
    return std::any_of(heard.begin(), heard.end(), [](const Notification& n) {
      return n.kind == Notification::Kind::alert && n.matter == "a" && n.text.find("red") != std::string::npos;
    });
  }));
  auto late = e->records().overdue();
  REQUIRE(late.is_ok());
  REQUIRE_FALSE(late->empty());
  CHECK(late->front().department == "x");
  CHECK(late->front().alert == AlertLevel::red);
}

TEST_CASE("engine.versioning.a_case_finishes_on_its_version") {
  ScratchDir dir("versioning");
  TestClock clock;
  EngineOptions o = test_options(clock);
  auto e = engine_with_chain(dir.store(), o);
  auto manual = std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); });
  REQUIRE(e->register_adapter("*", manual).is_ok());
  auto v1 = e->apply(flow_application(false));
  REQUIRE(v1.is_ok());
  // Version 2 adds a matter f after d.
  std::string text2 = kFlowChain;
  text2.replace(text2.find("version: 1"), 10, "version: 2");
  text2 += "  - { id: f, name: 事项己, department: x, statutory_days: 5, promised_days: 1, after: [d] }\n";
  auto loaded = e->load_chain_text(text2, "flowtest-v2.yaml");
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().to_string());
  CHECK(loaded->version == 2);
  // The same version with a different text is a conflict; the same text is fine.
  std::string changed = kFlowChain;
  changed.replace(changed.find("promised_days: 15"), 17, "promised_days: 14");
  CHECK(e->load_chain_text(changed, "changed.yaml").status().code() == Status::Code::conflict);
  CHECK(e->load_chain_text(kFlowChain, "again.yaml").is_ok());
  CHECK(e->chains().size() == 2);

  auto v2 = e->apply(flow_application(false));
  REQUIRE(v2.is_ok());
  CHECK(view(*e, v2->case_id).version == 2);
  CHECK(view(*e, v2->case_id).tasks.size() == 6);
  CHECK(view(*e, v1->case_id).version == 1);

  // Drive the v1 case to the end, across a restart (recovery uses the stored v1 text).
  auto finish = [&](Engine& eng, CaseId id) {
    for (int round = 0; round < 10; ++round) {
      bool any = false;
      for (const auto& t : view(eng, id).tasks)
        if (t.status == TaskStatus::dispatched) {
          FieldValues produced;  // only a declares a produced value
          if (t.matter == "a") produced["a.kind"] = std::string("small");
          auto r = eng.apply(request::Report{id, t.matter, 0, Outcome::approved(produced)});
          REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
          any = true;
        }
      if (!any) break;
    }
  };
  finish(*e, v1->case_id);
  e->close();
  e = open_engine(dir.store(), o);
  finish(*e, v2->case_id);
  CHECK(view(*e, v1->case_id).stage == CaseStage::ready);
  CHECK(view(*e, v1->case_id).tasks.size() == 5);
  CHECK(view(*e, v2->case_id).stage == CaseStage::ready);
  CHECK(task_of(view(*e, v2->case_id), "f").status == TaskStatus::approved);
  // A submission may name the version.
  auto named = e->apply(request::Submit{"flowtest", 1, flow_application().fields, {"lease"}, Channel::online});
  REQUIRE(named.is_ok());
  CHECK(view(*e, named->case_id).version == 1);
  CHECK(view(*e, named->case_id).visits == 0);  // online
}

TEST_CASE("engine.group_commit_shares_transactions") {
  ScratchDir dir("group-commit");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.group_commit_window = std::chrono::microseconds(2000);
  auto e = engine_with_chain(dir.store(), o);
  constexpr int n = 400;
  std::atomic<int> done{0}, ok{0};
  for (int i = 0; i < n; ++i)
    e->apply_async(flow_application(i % 2 == 0), [&](Result<Receipt> r) {
      if (r.is_ok()) ++ok;
      ++done;
    });
  REQUIRE(eventually([&] { return done == n; }));
  CHECK(ok == n);
  const EngineStats s = e->stats();
  CHECK(s.events == n);
  CHECK(s.commits < n / 4);  // arriving together, they shared transactions
  CHECK(s.open_cases == n);
  auto listed = e->records().list({});
  REQUIRE(listed.is_ok());
  CHECK(listed->size() == n);
  CHECK(listed->front().id == n);  // newest first
}

TEST_CASE("engine.pipeline.answers_and_commands_follow_the_commit_and_keep_each_case's_order") {
  // The committer steps batch n+1 while the writer commits batch n. Whatever
  // an adapter or a caller is told must already be in the store (read here
  // through a connection of its own), and every case's log must come out
  // in order, hash-chained, however the batches overlapped.
  ScratchDir dir("pipeline");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.auto_deliver = DeliveryMethod::electronic;
  o.group_commit_window = std::chrono::microseconds(300);
  o.group_commit_max = 16;  // many small batches, so that they overlap
  const std::string db = dir.store();
  auto e = engine_with_chain(db, o);
  auto reader = Records::open(db);
  REQUIRE(reader.is_ok());
  std::mutex rd_mu;
  std::atomic<int> dispatches{0}, unseen_dispatches{0}, unseen_receipts{0};
  auto adapter = std::make_shared<ScriptedAdapter>([&](const Task& t, const Completion& c) {
    ++dispatches;
    {
      std::lock_guard g(rd_mu);
      auto v = (*reader)->case_view(t.case_id);
      bool stored = false;
      if (v.is_ok())
        for (const auto& tv : v->tasks)
          if (tv.matter == t.matter && tv.key == t.key && tv.status == TaskStatus::dispatched) stored = true;
      if (!stored) ++unseen_dispatches;
    }
    c.report(Outcome::approved(t.matter == "a" ? FieldValues{{"a.kind", std::string("big")}} : FieldValues{}));
  });
  REQUIRE(e->register_adapter("*", adapter).is_ok());
  constexpr int n = 300;
  std::atomic<int> done{0}, ok{0};
  for (int i = 0; i < n; ++i)
    e->apply_async(flow_application(i % 2 == 0), [&](Result<Receipt> r) {
      if (r.is_ok()) {
        ++ok;
        std::lock_guard g(rd_mu);
        auto v = (*reader)->case_view(r->case_id);
        if (!v.is_ok() || v->log.size() < r->seq) ++unseen_receipts;
      }
      ++done;
    });
  REQUIRE(eventually([&] { return done == n; }, std::chrono::seconds(30)));
  CHECK(ok == n);
  REQUIRE(eventually([&] { return e->stats().open_cases == 0 && e->wait_idle(std::chrono::milliseconds(0)); },
                     std::chrono::seconds(30)));
  CHECK(unseen_receipts == 0);
  CHECK(unseen_dispatches == 0);
  const EngineStats s = e->stats();
  CHECK(s.commits > 10);  // the batches really were many
  int approved = 0;
  for (CaseId id = 1; id <= n; ++id) {
    const CaseView v = view(*e, id);
    REQUIRE(v.stage == CaseStage::delivered);
    for (std::size_t i = 0; i < v.log.size(); ++i) REQUIRE(v.log[i].seq == i + 1);
    CHECK(v.log.front().kind == "submitted");
    CHECK(v.log.back().kind == "delivered");
    for (const auto& t : v.tasks)
      if (t.status == TaskStatus::approved) ++approved;
    CHECK(count_log(v, "task-approved", "applied") >= 4);  // x.flag decides whether one matter applies
  }
  CHECK(dispatches == approved);  // every task handed over once: none lost, none doubled
  reader->reset();
  e->close();
  auto audit = verify_audit(db);
  REQUIRE(audit.is_ok());
  CHECK(audit->ok());
  CHECK(audit->cases == n);
}

TEST_CASE("engine.client_goes_through_a_running_engine's_inbox") {
  ScratchDir dir("client-inbox");
  TestClock clock;
  EngineOptions o = test_options(clock);
  const std::string db = dir.store();
  Client::Options co;
  co.calendar_dirs = o.calendar_dirs;
  co.clock = clock.fn();
  co.wait = std::chrono::seconds(10);
  {
    // No engine runs: the client records by itself.
    auto c = Client::open(db, co);
    REQUIRE_MESSAGE(c.is_ok(), c.status().to_string());
    CHECK_FALSE((*c)->remote());
    REQUIRE((*c)->load_chain_file(std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml").is_ok());
  }
  auto e = open_engine(db, o);
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  auto manual = std::make_shared<ScriptedAdapter>([](const Task&, const Completion& c) { c.accepted(); });
  REQUIRE(e->register_adapter("*", manual).is_ok());
  auto c = Client::open(db, co);
  REQUIRE_MESSAGE(c.is_ok(), c.status().to_string());
  CHECK((*c)->remote());
  auto submitted = (*c)->apply(flow_application(false));
  REQUIRE_MESSAGE(submitted.is_ok(), submitted.status().to_string());
  CHECK(submitted->case_id == 1);
  REQUIRE(eventually([&] { return manual->count() == 1; }));
  auto approved = (*c)->apply(request::Report{1, "a", 0, Outcome::approved({{"a.kind", std::string("small")}})});
  REQUIRE_MESSAGE(approved.is_ok(), approved.status().to_string());
  CHECK(approved->result == StepResult::applied);
  // Errors come back through the inbox too.
  auto refused = (*c)->apply(request::Deliver{1, DeliveryMethod::express, ""});
  CHECK(refused.status().code() == Status::Code::invalid_input);
  auto missing = (*c)->apply(request::Withdraw{99, ""});
  CHECK(missing.status().code() == Status::Code::not_found);
  REQUIRE(eventually([&] { return manual->count() == 2; }));  // b
  CHECK(task_of(view(*e, 1), "a").status == TaskStatus::approved);
}

TEST_CASE("engine.chain_files_too_large_or_missing_are_refused_by_engine_and_client_alike") {
  ScratchDir dir("chain-file-limits");
  const std::string big = dir.file("big.yaml");
  {
    std::ofstream out(big);
    const std::string line(1023, '#');
    for (int i = 0; i < 4200; ++i) out << line << '\n';  // just over 4 MiB of comments
  }
  const std::string absent = dir.file("absent.yaml");
  auto check = [&](Result<ChainInfo> too_big, Result<ChainInfo> missing) {
    REQUIRE_FALSE(too_big.is_ok());
    CHECK(too_big.status().code() == Status::Code::invalid_input);
    CHECK(too_big.status().message().find("larger than 4 MiB") != std::string::npos);
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.status().code() == Status::Code::io_error);
    CHECK(missing.status().message().find("cannot read") != std::string::npos);
  };
  const std::string db = dir.store();
  {
    TestClock clock;
    auto e = open_engine(db, test_options(clock));
    check(e->load_chain_file(big), e->load_chain_file(absent));
  }
  auto client = Client::open(db);  // no engine at work on the store: the client writes it itself
  REQUIRE(client.is_ok());
  check((*client)->load_chain_file(big), (*client)->load_chain_file(absent));
}

TEST_SUITE_END();

}  // namespace engine_faults_test
