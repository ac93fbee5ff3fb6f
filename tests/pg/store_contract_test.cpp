// The store contract (engine/src/runtime/store.h), one suite run unchanged
// against both backends: an SQLite file and a PostgreSQL database.
#include <doctest/doctest.h>
#include <openssl/sha.h>

#include <thread>

#include "engine_fixture.h"
#include "pg_fixture.h"
#include "runtime/audit.h"
#include "runtime/store.h"

using namespace yilian;
using namespace yilian::test;
using namespace yilian::detail;
using namespace std::chrono_literals;

namespace store_contract_test {

namespace {

Hash hash_of(const std::string& s) {
  Hash h{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), h.data());
  return h;
}

std::unique_ptr<Store> open(const std::string& location, StoreOptions o = {}) {
  auto s = open_store(location, o);
  REQUIRE_MESSAGE(s.is_ok(), s.status().to_string());
  return std::move(*s);
}

EntryRow entry(CaseId id, std::uint64_t seq, const std::string& body) {
  EntryRow e;
  e.case_id = id;
  e.seq = seq;
  e.at = 1'700'000'000 + static_cast<std::int64_t>(seq);
  e.kind = "submitted";
  e.result = EntryResult::applied;
  e.body = body;
  e.hash = hash_of(body);
  return e;
}

CaseRow case_row(CaseId id, std::uint64_t seq, CaseStage stage, const std::string& state, const std::string& data = "") {
  CaseRow c;
  c.id = id;
  c.chain = "flowtest";
  c.version = 1;
  c.stage = stage;
  c.alert = AlertLevel::yellow;
  c.submitted_at = Instant{1'700'000'000};
  c.seq = seq;
  c.last_hash = hash_of(state);
  c.state = state;
  c.data = data;
  c.write_data = !data.empty();
  return c;
}

/// Bytes a text column could not hold: NUL and every other byte value.
std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

void contract(const std::string& location) {
  auto store = open(location);

  SUBCASE("a new store is empty and sealed at zero") {
    CHECK(*store->last_case_id() == 0);
    CHECK(*store->count_open() == 0);
    CHECK(store->chains()->empty());
    CHECK(*store->last_position() == 0);
    auto seal = store->seal();
    REQUIRE(seal.is_ok());
    REQUIRE(seal->has_value());
    CHECK((*seal)->entries == 0);
    CHECK(store->retry_timers()->empty());
    CHECK(store->claims(std::nullopt)->empty());
  }

  SUBCASE("chains: one text per version, a changed text needs a new version") {
    StoredChain c{"flowtest", 1, "id: flowtest\n", "flowtest.yaml", sha256_hex("id: flowtest\n")};
    REQUIRE(store->put_chain(c).is_ok());
    REQUIRE(store->put_chain(c).is_ok());  // the same again: nothing changes
    StoredChain changed = c;
    changed.text = "id: flowtest\nname: x\n";
    changed.sha256 = sha256_hex(changed.text);
    const Status refused = store->put_chain(changed);
    CHECK(refused.code() == Status::Code::conflict);
    CHECK(refused.message().find("raise `version:`") != std::string::npos);
    changed.version = 2;
    REQUIRE(store->put_chain(changed).is_ok());
    auto all = store->chains();
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].version == 1);
    CHECK((*all)[1].text == changed.text);
    CHECK(*store->latest_chain_version("flowtest") == 2);
    CHECK(!store->latest_chain_version("other")->has_value());
    auto one = store->chain("flowtest", 1);
    REQUIRE(one->has_value());
    CHECK((*one)->sha256 == c.sha256);
    CHECK((*one)->file_name == "flowtest.yaml");
    CHECK(!store->chain("flowtest", 3)->has_value());
  }

  SUBCASE("a batch is written whole: log, seal, cases, data, timers, claims, owners, keys") {
    const std::string state1 = "state-1" + all_bytes(), data1 = "data-1" + all_bytes();
    Batch b;
    b.entries = {entry(1, 1, "one-1"), entry(2, 1, "two-1"), entry(1, 2, "one-2" + all_bytes())};
    b.cases = {case_row(1, 2, CaseStage::running, state1, data1), case_row(2, 1, CaseStage::delivered, "state-2")};
    b.timers_put = {RetryTimer{1, 0, 2, 3, 5000}, RetryTimer{2, 1, 1, 1, 4000}};
    b.claims = {ClaimRow{1, 0, 1, "王五", 1'700'000'100}};
    b.owners = {{1, "window-1"}, {2, "portal"}};
    b.keys = {IdempotencyRow{"window-1", "k-1", "fp-1", 1, 42}};
    REQUIRE(store->commit(b).is_ok());

    CHECK(*store->last_case_id() == 2);
    CHECK(*store->count_open() == 1);
    auto c1 = store->load_case(1, true);
    REQUIRE(c1->has_value());
    CHECK((*c1)->state == state1);
    CHECK((*c1)->data == data1);
    CHECK((*c1)->stage == CaseStage::running);
    CHECK((*c1)->alert == AlertLevel::yellow);
    CHECK((*c1)->seq == 2);
    CHECK((*c1)->last_hash == hash_of(state1));
    CHECK((*c1)->submitted_at.seconds == 1'700'000'000);
    auto c2 = store->load_case(2, false);
    REQUIRE(c2->has_value());
    CHECK((*c2)->data.empty());
    CHECK(!store->load_case(3, true)->has_value());

    std::vector<CaseId> open_ids, all_ids;
    REQUIRE(store->scan_cases(true, [&](CaseRow&& c) { open_ids.push_back(c.id); }).is_ok());
    REQUIRE(store->scan_cases(false, [&](CaseRow&& c) { all_ids.push_back(c.id); }).is_ok());
    CHECK(open_ids == std::vector<CaseId>{1});
    CHECK(all_ids == std::vector<CaseId>{1, 2});

    std::vector<std::string> bodies;
    REQUIRE(store->read_log(1, [&](EntryRow&& e) { bodies.push_back(e.body); }).is_ok());
    CHECK(bodies == std::vector<std::string>{"one-1", "one-2" + all_bytes()});
    std::vector<std::pair<CaseId, std::uint64_t>> by_case;
    REQUIRE(store->scan_log([&](EntryRow&& e) { by_case.emplace_back(e.case_id, e.seq); }).is_ok());
    CHECK(by_case == std::vector<std::pair<CaseId, std::uint64_t>>{{1, 1}, {1, 2}, {2, 1}});

    // The seal chains the entries' hashes in the order appended; positions
    // follow that order.
    Seal expected;
    std::vector<Hash> appended;
    for (const EntryRow& e : b.entries) seal_add(expected, e.hash);
    REQUIRE(store->scan_log_hashes([&](const Hash& h) { appended.push_back(h); }).is_ok());
    CHECK(appended == std::vector<Hash>{b.entries[0].hash, b.entries[1].hash, b.entries[2].hash});
    CHECK(**store->seal() == expected);
    CHECK(*store->last_position() == 3);
    std::vector<std::uint64_t> positions;
    std::vector<std::string> after;
    REQUIRE(store->scan_log_after(1, 10, [&](EntryRow&& e) {
                     positions.push_back(e.position);
                     after.push_back(e.body);
                   }).is_ok());
    CHECK(positions == std::vector<std::uint64_t>{2, 3});
    CHECK(after == std::vector<std::string>{"two-1", "one-2" + all_bytes()});
    positions.clear();
    REQUIRE(store->scan_log_after(0, 1, [&](EntryRow&& e) { positions.push_back(e.position); }).is_ok());
    CHECK(positions == std::vector<std::uint64_t>{1});

    auto timers = store->retry_timers();
    REQUIRE(timers->size() == 2);
    CHECK((*timers)[0].case_id == 2);  // by due time
    CHECK((*timers)[1].attempt == 2);
    CHECK((*timers)[1].delivery == 3);
    auto claims = store->claims(CaseId{1});
    REQUIRE(claims->size() == 1);
    CHECK((*claims)[0].officer == "王五");
    CHECK(store->claims(CaseId{2})->empty());
    CHECK(*store->case_owner(1) == "window-1");
    CHECK(store->case_owner(3)->empty());
    CHECK(*store->cases_of("portal") == std::vector<CaseId>{2});
    auto key = store->idempotency("window-1", "k-1");
    REQUIRE(key->has_value());
    CHECK((*key)->fingerprint == "fp-1");
    CHECK((*key)->case_id == 1);
    CHECK(!store->idempotency("window-1", "k-2")->has_value());

    SUBCASE("a later batch updates rows, replaces timers and claims, keeps data unless written") {
      Batch next;
      next.entries = {entry(1, 3, "one-3")};
      next.cases = {case_row(1, 3, CaseStage::ready, "state-1b")};
      next.timers_del = {{1, 0}};
      next.timers_put = {RetryTimer{2, 1, 2, 2, 9000}};
      next.claims = {ClaimRow{1, 0, 1, "李四", 1'700'000'200}};
      REQUIRE(store->commit(next).is_ok());
      auto c = store->load_case(1, true);
      CHECK((*c)->stage == CaseStage::ready);
      CHECK((*c)->data == data1);
      auto t = store->retry_timers();
      REQUIRE(t->size() == 1);
      CHECK((*t)[0].due_ms == 9000);
      CHECK((*store->claims(CaseId{1}))[0].officer == "李四");
      seal_add(expected, next.entries[0].hash);
      CHECK(**store->seal() == expected);
      CHECK(*store->last_position() == 4);
    }

    SUBCASE("a batch that fails writes nothing") {
      Batch bad;
      bad.entries = {entry(1, 3, "one-3")};
      bad.cases = {case_row(1, 3, CaseStage::ready, "state-1b")};
      bad.keys = {IdempotencyRow{"window-1", "k-1", "fp-again", 1, 43}};  // the key is taken
      CHECK_FALSE(store->commit(bad).is_ok());
      CHECK((*store->load_case(1, false))->stage == CaseStage::running);
      CHECK(**store->seal() == expected);
      CHECK(*store->last_position() == 3);
      // and the store takes the next batch
      Batch good;
      good.entries = {entry(1, 3, "one-3")};
      REQUIRE(store->commit(good).is_ok());
      CHECK(*store->last_position() == 4);
    }

    SUBCASE("another connection sees what was committed, and its data version moves") {
      auto reader = open(location, StoreOptions{.create = false, .read_only = true});
      const auto before = *reader->data_version();
      CHECK((*reader->load_case(1, true))->data == data1);
      Batch next;
      next.cases = {case_row(1, 2, CaseStage::ready, "state-1c")};
      REQUIRE(store->commit(next).is_ok());
      CHECK(*reader->data_version() != before);
      CHECK((*reader->load_case(1, false))->stage == CaseStage::ready);
    }
  }

  SUBCASE("material files: written with their entry, listed without bytes, read back byte for byte") {
    Batch b;
    b.entries = {entry(3, 1, "sub"), entry(3, 2, "file")};
    b.cases = {case_row(3, 2, CaseStage::running, "s")};
    const std::string bytes = "%PDF-1.7\n" + all_bytes();
    b.files = {FileRow{MaterialFile{3, 2, "lease", "租赁合同.pdf", "application/pdf", bytes.size(), sha256_hex(bytes),
                                    Instant{1'700'000'100}},
                       bytes}};
    REQUIRE(store->commit(b).is_ok());
    auto files = store->files(3);
    REQUIRE(files.is_ok());
    REQUIRE(files->size() == 1);
    const MaterialFile& f = (*files)[0];
    CHECK(f.case_id == 3);
    CHECK(f.seq == 2);
    CHECK(f.material == "lease");
    CHECK(f.name == "租赁合同.pdf");
    CHECK(f.media_type == "application/pdf");
    CHECK(f.bytes == bytes.size());
    CHECK(f.sha256 == sha256_hex(bytes));
    CHECK(f.at == Instant{1'700'000'100});
    CHECK(store->files(4)->empty());
    auto content = store->file_content(3, 2);
    REQUIRE(content.is_ok());
    REQUIRE(content->has_value());
    CHECK(**content == bytes);
    CHECK_FALSE(store->file_content(3, 1)->has_value());
    int scanned = 0;
    REQUIRE(store->scan_files([&](const FileRow& r) {
                   ++scanned;
                   CHECK(r.content == bytes);
                   CHECK(r.file.seq == 2);
                 }).is_ok());
    CHECK(scanned == 1);
    // A second file for the same entry is refused, and with it the batch.
    Batch again;
    again.entries = {entry(3, 3, "other")};
    again.files = {FileRow{f, bytes}};
    CHECK_FALSE(store->commit(again).is_ok());
    CHECK(*store->last_position() == 2);
  }

  SUBCASE("the holder registry: the latest value per key, one licence per kind and number") {
    const Date day = *Date::parse("2025-03-05");
    Batch b;
    b.holders = {HolderRecord{"91371302MA3C4L7Q5H",
                              {{"applicant.name", std::string("沂蒙优选"), 1}, {"applicant.staff", std::int64_t{12}, 1}},
                              {{"business-licence", "91371302MA3C4L7Q5H", "区市场监督管理局", day, std::nullopt, 1},
                               {"food-business-licence", "JY123", "区市场监督管理局", day, day + 1826, 1}}}};
    REQUIRE(store->commit(b).is_ok());
    Batch later;  // a later case of the same holder: the name changed, the licence re-issued
    later.holders = {HolderRecord{"91371302MA3C4L7Q5H",
                                  {{"applicant.name", std::string("沂蒙优选商贸"), 4}},
                                  {{"business-licence", "91371302MA3C4L7Q5H", "区市场监督管理局", day + 30, std::nullopt, 4}}}};
    REQUIRE(store->commit(later).is_ok());
    auto r = store->holder_record("91371302MA3C4L7Q5H");
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    CHECK(r->holder == "91371302MA3C4L7Q5H");
    REQUIRE(r->values.size() == 2);
    CHECK(r->values[0].key == "applicant.name");
    CHECK(r->values[0].value == Value(std::string("沂蒙优选商贸")));
    CHECK(r->values[0].from_case == 4);
    CHECK(r->values[1].value == Value(std::int64_t{12}));
    REQUIRE(r->licences.size() == 2);
    CHECK(r->licences[0].kind == "business-licence");
    CHECK(r->licences[0].issued_on == day + 30);
    CHECK(r->licences[0].from_case == 4);
    CHECK_FALSE(r->licences[0].valid_until.has_value());
    CHECK(r->licences[1].number == "JY123");
    CHECK(r->licences[1].valid_until == day + 1826);
    // For audit verify: every row, one record per row.
    int values = 0, licences = 0;
    REQUIRE(store->scan_registry([&](const HolderRecord& row) {
                   CHECK(row.holder == "91371302MA3C4L7Q5H");
                   CHECK(row.values.size() + row.licences.size() == 1);
                   values += static_cast<int>(row.values.size());
                   licences += static_cast<int>(row.licences.size());
                   if (!row.licences.empty() && row.licences[0].kind == "food-business-licence")
                     CHECK(row.licences[0].valid_until == day + 1826);
                 }).is_ok());
    CHECK(values == 2);
    CHECK(licences == 2);
    auto none = store->holder_record("110105194912310021");
    REQUIRE(none.is_ok());
    CHECK(none->values.empty());
    CHECK(none->licences.empty());
  }

  SUBCASE("the highest case id survives a reopening") {
    Batch b;
    b.cases = {case_row(7, 0, CaseStage::created, "s")};
    REQUIRE(store->commit(b).is_ok());
    auto again = open(location);
    CHECK(*again->last_case_id() == 7);
  }

  SUBCASE("the inbox: pending, taken, answered; withdrawn only while pending") {
    auto sender = open(location, StoreOptions{.create = false});
    auto put = sender->inbox_put({R"({"request":"a"})", R"({"request":"b"})"});
    REQUIRE(put.is_ok());
    REQUIRE(put->size() == 2);
    const auto a = (*put)[0], b = (*put)[1];
    const auto c = (*sender->inbox_put({R"({"request":"c"})"}))[0];
    CHECK(a < b);
    CHECK(b < c);
    CHECK(*sender->inbox_withdraw(c));  // still pending: gone for good
    auto taken = store->inbox_take(0, 10);
    REQUIRE(taken->size() == 2);
    CHECK((*taken)[0].id == a);
    CHECK((*taken)[0].request == R"({"request":"a"})");
    CHECK((*taken)[1].id == b);
    CHECK(store->inbox_take(0, 10)->empty());  // taken once
    CHECK_FALSE(*sender->inbox_withdraw(a));   // taken: the engine answers it
    CHECK(sender->inbox_results({a, b})->empty());
    Batch answer;
    answer.inbox_done = {{a, R"({"ok":true})"}};
    REQUIRE(store->commit(answer).is_ok());
    auto answered = sender->inbox_results({a, b, c});  // b taken, c withdrawn: only a's answer
    REQUIRE(answered.is_ok());
    REQUIRE(answered->size() == 1);
    CHECK((*answered)[0].first == a);
    CHECK((*answered)[0].second == R"({"ok":true})");
    REQUIRE(sender->inbox_delete({a}).is_ok());
    CHECK(sender->inbox_results({a})->empty());
    CHECK(sender->inbox_results({})->empty());
    // b was taken by an engine that stopped before answering: the next engine offers it again.
    REQUIRE(store->inbox_release_taken().is_ok());
    auto again = store->inbox_take(0, 10);
    REQUIRE(again->size() == 1);
    CHECK((*again)[0].id == b);
  }

  SUBCASE("wake-ups: a put request and a batch of answers notify listeners (PostgreSQL); SQLite has none") {
    auto inbox = store->listen(kInboxChannel);
    auto answers = store->listen(kAnswerChannel);
    REQUIRE(inbox.is_ok());
    REQUIRE(answers.is_ok());
    if (!is_postgres_uri(location)) {
      CHECK(*inbox == nullptr);  // the engine and senders poll
      CHECK(*answers == nullptr);
      return;
    }
    REQUIRE(*inbox != nullptr);
    REQUIRE(*answers != nullptr);
    CHECK_FALSE(*(*inbox)->wait(std::chrono::milliseconds(0)));
    auto sender = open(location, StoreOptions{.create = false});
    const auto a = (*sender->inbox_put({R"({"request":"a"})"}))[0];
    CHECK(*(*inbox)->wait(std::chrono::seconds(5)));
    CHECK_FALSE(*(*inbox)->wait(std::chrono::milliseconds(0)));  // consumed
    CHECK_FALSE(*(*answers)->wait(std::chrono::milliseconds(0)));  // nothing answered yet
    REQUIRE(store->inbox_take(0, 10)->size() == 1);
    Batch answer;
    answer.inbox_done = {{a, R"({"ok":true})"}};
    REQUIRE(store->commit(answer).is_ok());
    CHECK(*(*answers)->wait(std::chrono::seconds(5)));
  }

}

}  // namespace

TEST_CASE("store.contract.sqlite") {
  ScratchDir dir("contract");
  contract(dir.file("cases.db"));
}

TEST_CASE("store.contract.postgresql") {
  // A fresh database for each subcase run (doctest re-enters the test case).
  contract(pg_database("contract"));
}

TEST_CASE("store.postgresql.a_database_without_a_store") {
  const std::string uri = pg_database("missing");
  auto refused = open_store(uri, StoreOptions{.create = false});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == Status::Code::not_found);
  CHECK(refused.status().message().find("no such store") != std::string::npos);
  // A database of something else is not taken for a store.
  pg_admin("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES('format', 'other')", uri);
  auto other = open_store(uri, StoreOptions{});
  REQUIRE_FALSE(other.is_ok());
  CHECK(other.status().code() == Status::Code::invalid_input);
  CHECK(other.status().message().find("not a yilian store") != std::string::npos);
  // A server that is not there: an error naming the URI without its password.
  auto down = open_store("postgresql://someone:secret@127.0.0.1:1/nothing", StoreOptions{});
  REQUIRE_FALSE(down.is_ok());
  CHECK(down.status().message().find("secret") == std::string::npos);
  CHECK(down.status().message().find("127.0.0.1:1") != std::string::npos);
}

TEST_CASE("store.postgresql.one_writer_and_the_lock_goes_with_its_session") {
  const std::string uri = pg_database("writer");
  auto first = open(uri);
  auto second = open(uri);
  CHECK(*store_writer(uri) == WriterKind::none);
  REQUIRE(first->take_writer(WriterKind::live, 0ms).is_ok());
  CHECK(*store_writer(uri) == WriterKind::live);
  const Status refused = second->take_writer(WriterKind::one_off, 50ms);
  CHECK(refused.code() == Status::Code::unavailable);
  CHECK(refused.message().find("another engine") != std::string::npos);
  // The holder's session ends (a crash, a kill, a cut network): the lock is free.
  first.reset();
  REQUIRE(second->take_writer(WriterKind::one_off, 5000ms).is_ok());
  CHECK(*store_writer(uri) == WriterKind::one_off);
}

}  // namespace store_contract_test
