// Adapter faults over HTTP: a department server on loopback that fails,
// stalls, answers garbage, answers twice, or is not there at all. Cases
// still finish or raise incidents; nothing hangs (every wait has a limit).
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <map>

#include <nlohmann/json.hpp>

#include "../unit/engine_fixture.h"
#include "yilian/text.h"

using namespace yilian;
using namespace yilian::test;

namespace http_fault_test {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

/// A department system on 127.0.0.1:<port>. The request path picks its
/// behaviour: /ok, /fail-twice (HTTP 500 to the first two requests of a
/// key), /stall (never answers), /slow-first (answers the first request of
/// a key after 800 ms, later ones at once), /garbage (200 with a body that
/// is not an outcome), /accepted (202, no body), /reject, /gbk (502 with an
/// error page that is not UTF-8), /huge (a 50 MiB answer with its
/// Content-Length), /told (a suspension told 4294967306 days).
class FakeDepartment {
 public:
  FakeDepartment() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~FakeDepartment() {
    {
      std::lock_guard g(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    accept_thread_.join();
    for (auto& t : handlers_) t.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int requests(const std::string& key) {
    std::lock_guard g(mu_);
    return seen_[key];
  }
  std::string last_idempotency_key() {
    std::lock_guard g(mu_);
    return last_key_;
  }
  std::string body(const std::string& key) {
    std::lock_guard g(mu_);
    return bodies_[key];
  }

 private:
  void accept_loop() {
    for (;;) {
      tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      {
        std::lock_guard g(mu_);
        if (stopping_) return;
      }
      if (ec) continue;
      std::lock_guard g(mu_);
      handlers_.emplace_back([this, sock = std::move(s)]() mutable { serve(std::move(sock)); });
    }
  }

  void serve(tcp::socket s) {
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(s, buffer, req, ec);
    if (ec) return;
    const std::string path(req.target());
    const std::string key(req["Idempotency-Key"]);
    int n = 0;
    {
      std::lock_guard g(mu_);
      n = ++seen_[key];
      last_key_ = key;
      bodies_[key] = req.body();
    }
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    // Only matter a produces a value (a.kind); other approvals carry none.
    const auto task = nlohmann::json::parse(req.body(), nullptr, false);
    const bool is_a = task.is_object() && task.value("matter", "") == "a";
    const std::string approved =
        is_a ? R"({"outcome":"approved","produced":{"a.kind":"small"}})" : R"({"outcome":"approved"})";
    if (path == "/ok") {
      res.body() = approved;
    } else if (path == "/reject") {
      res.body() = R"({"outcome":"rejected","reason":"材料不符"})";
    } else if (path == "/fail-twice") {
      if (n <= 2) {
        res.result(http::status::internal_server_error);
        res.body() = "database unavailable";
      } else {
        res.body() = approved;
      }
    } else if (path == "/stall") {
      std::unique_lock g(mu_);
      cv_.wait(g, [&] { return stopping_; });
      return;
    } else if (path == "/slow-first") {
      if (n == 1) {
        std::unique_lock g(mu_);
        if (cv_.wait_for(g, std::chrono::milliseconds(800), [&] { return stopping_; })) return;
      }
      res.body() = approved;
    } else if (path == "/garbage") {
      res.body() = "<html>maintenance</html>";
    } else if (path == "/gbk") {
      // An error page in GBK (服务器错误), a stray 0xFF, a sequence that
      // would clear the operator's screen, and more text than is kept.
      res.result(http::status::bad_gateway);
      res.set(http::field::content_type, "text/html; charset=GBK");
      res.body() = "\xB7\xFE\xCE\xF1\xC6\xF7\xB4\xED\xCE\xF3 \xFF \x1b[2J";
      for (int i = 0; i < 100; ++i) res.body() += "许可证";
    } else if (path == "/huge") {
      res.body() = std::string(50u << 20, 'x');  // 50 MiB, with its Content-Length
    } else if (path == "/told") {
      res.body() = R"({"outcome":"suspended","suspension":"expert-review","told_days":4294967306})";
    } else if (path == "/accepted") {
      res.result(http::status::accepted);
    } else {
      res.result(http::status::not_found);
    }
    res.prepare_payload();
    http::write(s, res, ec);
    s.shutdown(tcp::socket::shutdown_both, ec);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread accept_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> handlers_;
  std::map<std::string, int> seen_;
  std::string last_key_;
  std::map<std::string, std::string> bodies_;
};

AdapterConfig http_to(const std::string& url) {
  AdapterConfig c;
  c.kind = AdapterConfig::Kind::http;
  c.url = url;
  c.connect_timeout = std::chrono::milliseconds(500);
  c.io_timeout = std::chrono::milliseconds(300);
  return c;
}

std::unique_ptr<Engine> engine_for(const ScratchDir& dir, TestClock& clock, EngineOptions o = {}) {
  if (!o.clock) o = test_options(clock);
  auto e = open_engine(dir.file("cases.db"), o);
  REQUIRE(e->load_chain_text(kFlowChain, "flowtest.yaml").is_ok());
  return e;
}

}  // namespace

TEST_CASE("engine.http.failures_are_retried_until_the_department_answers") {
  FakeDepartment dept;
  ScratchDir dir("http-retry");
  TestClock clock;
  auto e = engine_for(dir, clock);
  REQUIRE(e->bind("x", http_to(dept.url("/fail-twice"))).is_ok());
  REQUIRE(e->bind("y", http_to(dept.url("/ok"))).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return view(*e, 1).stage == CaseStage::ready; }, std::chrono::seconds(20)));
  const CaseView v = view(*e, 1);
  CHECK(dept.requests("1:a:1") == 3);
  CHECK(count_log(v, "delivery-failed") == 4);  // a and d: two HTTP 500s each
  CHECK(v.log[1].detail_json.find("HTTP 500") != std::string::npos);
  // The body is the task as JSON, with only the department's data.
  CHECK(dept.body("1:a:1").find("\"key\":\"1:a:1\"") != std::string::npos);
  CHECK(dept.body("1:a:1").find("applicant.name") != std::string::npos);
  CHECK(dept.body("1:b:1").find("\"department\":\"y\"") != std::string::npos);
  CHECK(dept.body("1:b:1").find("applicant.name") == std::string::npos);
}

TEST_CASE("engine.http.a_stalled_or_garbled_department_raises_an_incident") {
  FakeDepartment dept;
  ScratchDir dir("http-stall");
  TestClock clock;
  auto e = engine_for(dir, clock);
  REQUIRE(e->bind("x", http_to(dept.url("/stall"))).is_ok());
  REQUIRE(e->bind("y", http_to(dept.url("/garbage"))).is_ok());
  std::atomic<int> incidents{0};
  e->set_listener([&](const Notification& n) {
    if (n.kind == Notification::Kind::incident) ++incidents;
  });
  REQUIRE(e->apply(flow_application(true)).is_ok());  // a (x) and e (y) at once
  REQUIRE(eventually([&] { return incidents == 2; }, std::chrono::seconds(20)));
  const CaseView v = view(*e, 1);
  CHECK(task_of(v, "a").status == TaskStatus::incident);
  INFO(task_of(v, "a").note);
  CHECK(task_of(v, "a").note.find("no answer in time") != std::string::npos);
  CHECK(task_of(v, "e").status == TaskStatus::incident);
  CHECK(task_of(v, "e").note.find("not JSON") != std::string::npos);
  CHECK(dept.requests("1:a:1") == 3);
  CHECK(v.stage == CaseStage::running);
  // The department is back: an operator retries, a new attempt goes out.
  REQUIRE(e->bind("x", http_to(dept.url("/ok"))).is_ok());
  REQUIRE(e->apply(request::Retry{1, "a"}).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::approved; }, std::chrono::seconds(20)));
  CHECK(dept.requests("1:a:2") == 1);
}

TEST_CASE("engine.http.an_answer_after_the_engine_gave_up_is_recorded_not_applied") {
  FakeDepartment dept;
  ScratchDir dir("http-twice");
  TestClock clock;
  EngineOptions o = test_options(clock);
  o.adapter_timeout = std::chrono::milliseconds(300);  // the engine gives up first …
  auto e = engine_for(dir, clock, o);
  AdapterConfig slow = http_to(dept.url("/slow-first"));
  slow.io_timeout = std::chrono::milliseconds(3000);  // … the connection still takes the late answer
  REQUIRE(e->bind("x", slow).is_ok());
  REQUIRE(e->bind("y", http_to(dept.url("/accepted"))).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  // a answers twice: the retry at once, then the first request after 800 ms.
  REQUIRE(eventually([&] { return count_log(view(*e, 1), "task-approved", "ignored") >= 1; }, std::chrono::seconds(20)));
  CaseView v = view(*e, 1);
  CHECK(dept.requests("1:a:1") == 2);
  CHECK(count_log(v, "task-approved", "applied") == 1);
  CHECK(task_of(v, "a").status == TaskStatus::approved);
  // b was accepted (202): it waits, without a timeout, for a report.
  REQUIRE(eventually([&] { return dept.requests("1:b:1") == 1; }));
  REQUIRE(e->wait_idle(std::chrono::seconds(10)));
  CHECK(task_of(view(*e, 1), "b").status == TaskStatus::dispatched);
  CHECK(e->stats().inflight == 0);
  CHECK(dept.last_idempotency_key() == "1:b:1");
  REQUIRE(e->apply(request::Report{1, "b", 1, Outcome::approved()}).is_ok());
  CHECK(task_of(view(*e, 1), "b").status == TaskStatus::approved);
}

TEST_CASE("engine.http.a_department_that_is_not_there_and_a_refusal") {
  ScratchDir dir("http-refused");
  TestClock clock;
  // A port nobody listens on: bind one, note it, close it.
  unsigned short port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  FakeDepartment dept;
  auto e = engine_for(dir, clock);
  REQUIRE(e->bind("x", http_to("http://127.0.0.1:" + std::to_string(port) + "/tasks")).is_ok());
  REQUIRE(e->bind("y", http_to(dept.url("/reject"))).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(20)));
  CHECK(task_of(view(*e, 1), "a").note.find("connecting") != std::string::npos);
  // A second case on a chain where y decides: the refusal ends the case.
  REQUIRE(e->bind("x", http_to(dept.url("/ok"))).is_ok());
  auto second = e->apply(flow_application(false));
  REQUIRE(second.is_ok());
  REQUIRE(eventually([&] { return view(*e, second->case_id).stage == CaseStage::rejected; }, std::chrono::seconds(20)));
  CHECK(view(*e, second->case_id).reason.find("材料不符") != std::string::npos);
  // Bad bindings are refused with a reason.
  CHECK(e->bind("x", http_to("https://example.org/")).code() == Status::Code::invalid_input);
  CHECK(e->bind("x", http_to("http://:80/")).code() == Status::Code::invalid_input);
  CHECK(e->bind("x", http_to("http://host:99999/")).code() == Status::Code::invalid_input);
}

TEST_CASE("engine.http.an_error_page_that_is_not_utf8_is_stored_valid") {
  FakeDepartment dept;
  ScratchDir dir("http-gbk");
  TestClock clock;
  auto e = engine_for(dir, clock);
  REQUIRE(e->bind("x", http_to(dept.url("/gbk"))).is_ok());
  REQUIRE(e->apply(flow_application(false)).is_ok());
  REQUIRE(eventually([&] { return task_of(view(*e, 1), "a").status == TaskStatus::incident; }, std::chrono::seconds(20)));
  auto read = e->records().case_view(1);
  REQUIRE_MESSAGE(read.is_ok(), read.status().to_string());
  const std::string note = task_of(*read, "a").note;
  INFO(note);
  CHECK(valid_utf8(note) == note);
  CHECK(note.find("HTTP 502: \xEF\xBF\xBD") != std::string::npos);
  // 200 bytes kept, cut on a character boundary, then the mark.
  CHECK(note.find("\xE2\x80\xA6 [11 bytes that are not UTF-8 shown as U+FFFD]") != std::string::npos);
  CHECK(printable(note).find("\\x1b[2J") != std::string::npos);
}

TEST_CASE("engine.http.an_oversized_answer_and_an_impossible_told_length_are_refused") {
  FakeDepartment dept;
  ScratchDir dir("http-limits");
  TestClock clock;
  auto e = engine_for(dir, clock);
  AdapterConfig huge = http_to(dept.url("/huge"));
  // Time enough to build and send the answer on a loaded machine: the
  // limit, not a timeout, must end the delivery (read whole, it would be
  // "not JSON").
  huge.io_timeout = std::chrono::milliseconds(5000);
  REQUIRE(e->bind("x", huge).is_ok());
  REQUIRE(e->bind("y", http_to(dept.url("/told"))).is_ok());
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(e->apply(flow_application(true)).is_ok());  // a (x) and e (y) at once
  REQUIRE(eventually([&] {
    const CaseView v = view(*e, 1);
    return task_of(v, "a").status == TaskStatus::incident && task_of(v, "e").status == TaskStatus::incident;
  }, std::chrono::seconds(30)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
  const CaseView v = view(*e, 1);
  // The 1 MiB limit holds for an answer that announces its length.
  INFO(task_of(v, "a").note);
  CHECK(task_of(v, "a").note.find("body limit") != std::string::npos);
  // 4294967306 is not cut to 32 bits (10): refused, nothing suspended.
  INFO(task_of(v, "e").note);
  CHECK(task_of(v, "e").note.find("`told_days` 4294967306 is out of range") != std::string::npos);
  CHECK(count_log(v, "task-suspended") == 0);
}

}  // namespace http_fault_test
