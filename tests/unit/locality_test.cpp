// Localities (`extends:` overlays) and validity (valid_from / valid_until):
// the loader's merge and its refusals, the locations of every diagnostic,
// loops, drops with dependents; validity at its boundary dates in the flow,
// the check and the analysis, and the overlap and gap warnings.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "calendar_fixture.h"
#include "cli_support.h"
#include "runtime/chain_registry.h"
#include "yilian/analysis.h"
#include "yilian/check.h"
#include "yilian/flow.h"
#include "yilian/load.h"

using namespace yilian;
namespace fs = std::filesystem;

namespace locality_test {

namespace {

const char* kBase = R"(id: base
version: 3
name: 基础链
lead: a
promised_days: 20
departments:
  a: { name: 甲局 }
  b: { name: 乙局 }
fields:
  applicant.name: { label: 申请人, type: string }
  x.flag: { label: 开关, type: boolean }
materials:
  lease: { name: 租赁合同 }
  licence: { name: 许可证 }
matters:
  - id: permit
    name: 许可
    department: b
    statutory_days: 20
    promised_days: 10
    fields: [applicant.name]
    materials: [lease]
    results: [licence]
    produces:
      permit.no: { label: 许可证号, type: string }
  - id: filing
    name: 备案
    department: a
    statutory_days: 5
    promised_days: 2
    after: [permit]
    fields: [permit.no]
    materials: [licence]
  - id: extra
    name: 附加事项
    department: b
    statutory_days: 5
    promised_days: 1
    when: x.flag == true
)";

/// A folder of chain files that lives as long as the test.
struct Folder {
  fs::path dir;
  explicit Folder(const std::string& name) : dir(fs::temp_directory_path() / ("yilian-locality-" + name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& file, const std::string& text) const {
    std::ofstream(dir / file) << text;
    return (dir / file).string();
  }
};

const Diagnostic* find(const Diagnostics& ds, std::string_view code) {
  for (const auto& d : ds)
    if (d.code == code) return &d;
  return nullptr;
}

std::string all(const Diagnostics& ds) {
  std::string out;
  for (const auto& d : ds) out += "\n  " + d.to_string();
  return out;
}

const OverlayChange* change(const Chain& c, std::string_view kind, std::string_view subject = "") {
  for (const auto& x : c.overlay)
    if (x.kind == kind && x.subject == subject) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("locality.merge.every_kind_of_change") {
  Folder f("merge");
  const std::string base = f.write("base.yaml", kBase);
  const std::string overlay = f.write("local.yaml", R"(id: local
extends: base
version: 1
name: 本地链
promised_days: 15
calendar: example-city
departments:
  approval: { name: 行政审批服务局 }
  a: { name: 甲局（本地） }
fields:
  local.note: { label: 本地说明, type: string }
materials:
  local-form: { name: 本地申请表 }
matters:
  - id: permit
    department: approval
    promised_days: 5
    visits: 0
  - id: local-step
    name: 本地事项
    department: a
    statutory_days: 3
    promised_days: 1
    after: [filing]
    fields: [local.note]
    materials: [local-form]
drop: [extra]
)");
  Loaded<ValidChain> r = load_chain(overlay);
  INFO(all(r.diagnostics));
  REQUIRE(r.ok());
  const Chain& c = *r.value();
  CHECK(c.id == "local");
  CHECK(c.version == 1);
  CHECK(c.name == "本地链");
  CHECK(c.extends == "base");
  REQUIRE(c.base_files.size() == 1);
  CHECK(c.base_files[0] == base);
  CHECK(c.promised_days == 15);
  CHECK(c.calendar == "example-city");
  CHECK(c.lead == "a");  // unchanged: the base's
  REQUIRE(c.find_department("approval"));
  CHECK(c.find_department("a")->name == "甲局（本地）");
  CHECK(c.find_department("b")->name == "乙局");
  const Matter* permit = c.find_matter("permit");
  REQUIRE(permit);
  CHECK(permit->department == "approval");
  CHECK(permit->promised_days == 5);
  CHECK(permit->statutory_days == 20);  // the base's
  CHECK(permit->visits == 0);
  CHECK(c.find_matter("extra") == nullptr);
  REQUIRE(c.find_matter("local-step"));
  CHECK(c.find_field("local.note"));
  CHECK(c.find_material("local-form"));
  CHECK(c.matters.size() == 3);

  // What `yilian validate` lists, each located in the overlay.
  for (auto [kind, subject] : std::vector<std::pair<std::string, std::string>>{
           {"chain-name", ""}, {"chain-promised-days", ""}, {"chain-calendar", ""}, {"department-added", "approval"},
           {"department-renamed", "a"}, {"field-added", "local.note"}, {"material-added", "local-form"},
           {"matter-department", "permit"}, {"matter-promised-days", "permit"}, {"matter-visits", "permit"},
           {"matter-added", "local-step"}, {"matter-dropped", "extra"}}) {
    CAPTURE(kind);
    const OverlayChange* x = change(c, kind, subject);
    REQUIRE(x);
    CHECK(x->where.file == overlay);
  }
  CHECK(change(c, "matter-department", "permit")->before == "b");
  CHECK(change(c, "matter-department", "permit")->after == "approval");
  CHECK(change(c, "department-renamed", "a")->before == "甲局");

  // Locations: what the overlay says points into the overlay, the rest into the base.
  CHECK(permit->department_where.file == overlay);
  CHECK(permit->department_where.line == 16);
  CHECK(permit->department_path == "matters[0].department");
  CHECK(permit->where.file == base);
  CHECK(permit->path == "matters[0]");
  CHECK(c.find_matter("filing")->where.file == base);
  CHECK(c.find_matter("local-step")->where.file == overlay);
  CHECK(c.find_matter("local-step")->path == "matters[1]");
  CHECK(c.find_department("approval")->where.file == overlay);
  CHECK(c.find_department("b")->where.file == base);
  CHECK(c.where.file == overlay);
  CHECK(c.source == overlay);
}

TEST_CASE("locality.locations.an_error_points_into_the_file_that_says_it") {
  Folder f("where");
  f.write("base.yaml", kBase);
  // The overlay moves `permit` to a department it misspells: the error is
  // the overlay's. The base's phase warning stays in the base.
  const std::string overlay = f.write("local.yaml", R"(id: local
extends: base
version: 1
departments:
  approval: { name: 行政审批服务局 }
matters:
  - id: permit
    department: aproval
)");
  Loaded<ValidChain> r = load_chain(overlay);
  CHECK_FALSE(r.ok());
  const Diagnostic* d = find(r.diagnostics, "unknown-department");
  REQUIRE(d);
  CHECK(d->where.file == overlay);
  CHECK(d->where.line == 8);
  CHECK(d->where.column == 17);
  CHECK(d->path == "matters[0].department");
  CHECK(d->hint == "did you mean `approval`?");

  // A warning about what the base says is located in the base: here the
  // base's phases take longer than the promise the overlay shortened.
  std::string phased_text = std::string(kBase).replace(0, 8, "id: phased-base");
  phased_text.insert(phased_text.find("    results: [licence]\n"), "    phases:\n      - { id: review, kind: review, days: 8 }\n");
  f.write("phased-base.yaml", phased_text);
  const std::string moved = f.write("moved.yaml", R"(id: moved
extends: phased-base
version: 1
departments:
  approval: { name: 行政审批服务局 }
matters:
  - id: permit
    department: approval
    promised_days: 5
  - id: extra
    department: approval
)");
  Loaded<ValidChain> m = load_chain(moved);
  INFO(all(m.diagnostics));
  REQUIRE(m.ok());
  const Diagnostic* phase = find(m.diagnostics, "phase-days");
  REQUIRE(phase);
  CHECK(phase->where.file == (f.dir / "phased-base.yaml").string());
  CHECK(phase->where.line == 16);
  // Department `b` handles no matter any more: the line bureau still
  // inspects, and an overlay is not warned about what its base declares.
  CHECK_FALSE(find(m.diagnostics, "unused-department"));
}

TEST_CASE("locality.refusals.what_an_overlay_may_not_change") {
  Folder f("refuse");
  f.write("base.yaml", kBase);
  const std::string overlay = f.write("local.yaml", R"(id: local
extends: base
version: 1
fields:
  applicant.name: { label: 名称, type: string }
materials:
  lease: { name: 租约 }
matters:
  - id: permit
    statutory_days: 10
    after: [extra]
    promised_days: 30
  - id: filing
    department: a
  - id: filing
    visits: 0
drop: [filing, nothing]
)");
  Loaded<ValidChain> r = load_chain(overlay);
  CHECK_FALSE(r.ok());
  std::map<std::string, int> codes;
  for (const auto& d : r.diagnostics)
    if (d.severity == Severity::error) {
      ++codes[d.code];
      CHECK(d.where.file == overlay);
    }
  INFO(all(r.diagnostics));
  CHECK(codes["overlay-redefines"] == 2);
  CHECK(codes["overlay-override"] == 2);  // statutory_days, after
  CHECK(codes["promise-exceeds-statute"] == 1);
  CHECK(codes["drop-and-change"] == 1);
  CHECK(codes["duplicate-id"] == 1);
  CHECK(codes["unknown-matter"] == 1);
  const Diagnostic* st = find(r.diagnostics, "overlay-override");
  REQUIRE(st);
  CHECK(st->message.find("cannot change `statutory_days` of base matter `permit`") != std::string::npos);
  CHECK(st->hint.find("三级四同") != std::string::npos);
}

TEST_CASE("locality.limits_with_units") {
  Folder f("units");
  f.write("base.yaml", kBase);
  // A promise with its unit, held to the base's statutory limit as a
  // chain's: one month probably does not fit in 20 working days (a warning,
  // taken); 8 working days cannot fit in 5 (an error, the base's 2 stays).
  const std::string overlay = f.write("local.yaml", R"(id: local
extends: base
version: 1
promised: "2 months"
statutory: "3 months"
matters:
  - id: permit
    promised: "1 month"
  - id: filing
    promised: "8 working days"
  - id: extra
    promised: 1个工作日
)");
  Loaded<std::shared_ptr<Chain>> p = parse_chain_file(overlay);
  INFO(all(p.diagnostics));
  const Chain& c = *p.value();
  CHECK(c.promised() == Limit{2, LimitUnit::months});
  CHECK(c.statutory() == Limit{3, LimitUnit::months});
  CHECK(c.find_matter("permit")->promised() == Limit{1, LimitUnit::months});
  CHECK(c.find_matter("filing")->promised() == Limit{2});
  CHECK(c.find_matter("extra")->promised() == Limit{1});
  std::vector<const Diagnostic*> promise;
  for (const auto& d : p.diagnostics)
    if (d.code == "promise-exceeds-statute") promise.push_back(&d);
  REQUIRE(promise.size() == 2);
  CHECK(promise[0]->severity == Severity::warning);
  CHECK(promise[0]->path == "matters[0].promised");
  CHECK(promise[0]->message ==
        "the promised limit (1 month) is probably longer than the statutory limit (20 working days) of base matter "
        "`permit`");
  CHECK(promise[1]->severity == Severity::error);
  CHECK(promise[1]->path == "matters[1].promised");
  CHECK(promise[1]->message ==
        "the promised limit (8 working days) is longer than the statutory limit (5 working days) of base matter "
        "`filing`");
  // What `validate` lists: the limits with their units.
  const OverlayChange* x = change(c, "matter-promised", "permit");
  REQUIRE(x);
  CHECK(x->before == "10 working days");
  CHECK(x->after == "1 month");
  CHECK(change(c, "chain-promised"));
  CHECK(change(c, "chain-promised")->after == "2 months");
  CHECK(change(c, "chain-statutory")->after == "3 months");
  CHECK(change(c, "matter-promised", "filing") == nullptr);  // refused: no change
  CHECK(change(c, "matter-promised", "extra") == nullptr);   // the same as the base's: no change

  // A promise in working days against a limit in calendar days is held
  // the same way (the shipped 民非 registration: "60 days").
  const std::string days = f.write("days.yaml", R"(id: days
extends: kindergarten-setup
version: 1
matters:
  - id: nonprofit-registration
    promised_days: 45
)");
  LoadOptions o;
  o.chain_dirs = {std::string(YILIAN_SOURCE_DIR) + "/chains"};
  Loaded<ValidChain> d = load_chain(days, o);
  INFO(all(d.diagnostics));
  REQUIRE(d.ok());
  const Diagnostic* w = find(d.diagnostics, "promise-exceeds-statute");
  REQUIRE(w);
  CHECK(w->severity == Severity::warning);
  CHECK(w->message.find("(45 working days) is probably longer than the statutory limit (60 days)") !=
        std::string::npos);

  const std::string valid = f.write("valid.yaml", R"(id: valid
extends: base
version: 1
promised: "2 months"
statutory: "3 months"
matters:
  - id: permit
    promised: "1 month"
)");
  const auto v = test::run_cli("validate " + valid);
  INFO(v.out);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("~ matter `permit`: promised: 10 working days → 1 month") != std::string::npos);
  CHECK(v.out.find("~ chain: promised: 20 working days → 2 months") != std::string::npos);
  CHECK(v.out.find("~ chain: statutory: (none) → 3 months") != std::string::npos);
}

TEST_CASE("locality.drop.a_matter_others_need_is_refused") {
  Folder f("drop");
  f.write("base.yaml", kBase);
  const std::string overlay = f.write("local.yaml", "id: local\nextends: base\nversion: 1\ndrop: [permit]\n");
  Loaded<ValidChain> r = load_chain(overlay);
  CHECK_FALSE(r.ok());
  std::vector<std::string> messages;
  for (const auto& d : r.diagnostics)
    if (d.code == "drop-needed") {
      messages.push_back(d.message);
      CHECK(d.where.file == overlay);
      CHECK(d.where.line == 4);
      CHECK(d.path == "drop[0]");
    }
  INFO(all(r.diagnostics));
  REQUIRE(messages.size() == 3);  // after, the produced number, the issued licence
  CHECK(messages[0].find("`filing` comes after it") != std::string::npos);
  CHECK(messages[1].find("`filing` needs `permit.no`, which only `permit` produces") != std::string::npos);
  CHECK(messages[2].find("`filing` needs material `licence`, which only `permit` issues") != std::string::npos);
  // Dropping the dependant with it is fine.
  const std::string both = f.write("both.yaml", "id: both\nextends: base\nversion: 1\ndrop: [permit, filing]\n");
  Loaded<ValidChain> ok = load_chain(both);
  INFO(all(ok.diagnostics));
  REQUIRE(ok.ok());
  CHECK(ok.value()->matters.size() == 1);
}

TEST_CASE("locality.extends.loops_unknown_bases_and_chains_of_overlays") {
  Folder f("loops");
  const std::string a = f.write("loop-a.yaml", "id: loop-a\nextends: loop-b\nversion: 1\n");
  f.write("loop-b.yaml", "id: loop-b\nextends: loop-a\nversion: 1\n");
  Loaded<ValidChain> r = load_chain(a);
  CHECK_FALSE(r.ok());
  const Diagnostic* cycle = find(r.diagnostics, "extends-cycle");
  REQUIRE(cycle);
  CHECK(cycle->message == "chains extend each other in a cycle: `loop-a` extends `loop-b` extends `loop-a`");
  CHECK(cycle->where.file == (f.dir / "loop-b.yaml").string());
  CHECK(find(r.diagnostics, "base-invalid"));

  const std::string unknown = f.write("lost.yaml", "id: lost\nextends: nowhere\nversion: 1\n");
  Loaded<ValidChain> u = load_chain(unknown);
  const Diagnostic* d = find(u.diagnostics, "unknown-chain");
  REQUIRE(d);
  CHECK(d->message == "no chain `nowhere` to extend");
  CHECK(d->where.line == 2);
  CHECK(d->where.column == 10);

  // A base found in a chain folder, and an overlay of an overlay.
  Folder lib("lib");
  lib.write("base.yaml", kBase);
  f.write("mid.yaml", "id: mid\nextends: base\nversion: 1\nmatters:\n  - { id: permit, promised_days: 8 }\n");
  const std::string top = f.write("top.yaml", "id: top\nextends: mid\nversion: 2\nmatters:\n  - { id: filing, promised_days: 1 }\n");
  LoadOptions o;
  o.chain_dirs = {lib.dir.string()};
  Loaded<ValidChain> t = load_chain(top, o);
  INFO(all(t.diagnostics));
  REQUIRE(t.ok());
  CHECK(t.value()->find_matter("permit")->promised_days == 8);
  CHECK(t.value()->find_matter("filing")->promised_days == 1);
  REQUIRE(t.value()->base_files.size() == 2);
  CHECK(t.value()->base_files[0] == (f.dir / "mid.yaml").string());
  CHECK(t.value()->base_files[1] == (lib.dir / "base.yaml").string());
  CHECK(t.value()->overlay.size() == 1);  // its own changes only
}

TEST_CASE("locality.engine.keeps_the_bases_with_the_overlay") {
  // The store keeps an overlay with its bases' texts: a case keeps the chain
  // it started on though the base file changes or goes.
  Folder f("engine");
  f.write("base.yaml", kBase);
  const std::string overlay = f.write("local.yaml", R"(id: local
extends: base
version: 1
departments:
  approval: { name: 行政审批服务局 }
matters:
  - id: permit
    department: approval
)");
  auto stored = detail::read_chain_file(overlay);
  REQUIRE(stored);
  CHECK(stored->text.find("#@yilian-base ") != std::string::npos);
  CHECK(stored->text.find("name: 基础链") != std::string::npos);
  fs::remove(f.dir / "base.yaml");
  detail::ChainRegistry registry({});
  auto entry = registry.compile(*stored);
  REQUIRE_MESSAGE(entry, entry.status().to_string());
  const Chain& c = (*entry)->flow->chain();
  CHECK(c.id == "local");
  CHECK(c.find_matter("permit")->department == "approval");
  CHECK(c.find_matter("filing")->where.line == 26);  // located in the base's text as it was
  // A chain that extends none is stored as it is.
  const std::string plain = f.write("plain.yaml", std::string(kBase).replace(0, 8, "id: plain"));
  auto p = detail::read_chain_file(plain);
  REQUIRE(p);
  CHECK(p->text.find("#@yilian-base") == std::string::npos);
}

TEST_CASE("locality.shipped_overlay.lanshan") {
  Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup-lanshan.yaml");
  INFO(all(r.diagnostics));
  REQUIRE(r.ok());
  for (const char* id : {"school-permit", "nonprofit-registration", "food-permit"})
    CHECK(r.value()->find_matter(id)->department == "approval");
  CHECK(r.value()->find_matter("health-evaluation")->department == "health");
  CHECK(r.value()->find_department("approval")->name == "兰山区行政审批服务局");
  const auto v = test::run_cli("validate chains/kindergarten-setup-lanshan.yaml");
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("extends kindergarten-setup") != std::string::npos);
  CHECK(v.out.find("+ department `approval` (兰山区行政审批服务局)") != std::string::npos);
  CHECK(v.out.find("~ matter `school-permit`: department: education → approval") != std::string::npos);
  const auto j = test::run_cli("validate chains/kindergarten-setup-lanshan.yaml --json");
  CHECK(j.exit_code == 0);
  CHECK(j.out.find("\"kind\": \"matter-department\"") != std::string::npos);
  const auto plan = test::run_cli("plan kindergarten-setup-lanshan --json");
  CHECK(plan.exit_code == 0);
}

// ---- validity ---------------------------------------------------------------

namespace {

const char* kVersions = R"(id: versions
version: 1
name: 版本链
lead: a
promised_days: 30
valid_from: 2020-01-01
departments:
  a: { name: 甲局 }
fields:
  applicant.name: { label: 申请人, type: string }
  old.only: { label: 旧规则所需, type: string }
materials:
  lease: { name: 租赁合同 }
  licence: { name: 许可证 }
matters:
  - id: reg
    name: 登记
    department: a
    statutory_days: 5
    promised_days: 1
    fields: [applicant.name]
  - id: permit-2015
    name: 许可
    department: a
    statutory_days: 20
    promised_days: 10
    after: [reg]
    valid_until: 2023-11-30
    fields: [old.only]
    materials: [lease]
    results: [licence]
  - id: permit
    name: 许可
    department: a
    statutory_days: 10
    promised_days: 5
    after: [reg]
    replaces: permit-2015
    valid_from: 2023-12-01
    results: [licence]
  - id: after-permit
    name: 后续事项
    department: a
    statutory_days: 5
    promised_days: 2
    after: [permit-2015, permit]
    materials: [licence]
)";

ValidChain versions() {
  Loaded<ValidChain> r = load_chain_text(kVersions, "versions.yaml");
  INFO(all(r.diagnostics));
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("validity.bounds_are_inclusive") {
  Validity v;
  v.from = Date::parse("2023-12-01");
  v.until = Date::parse("2024-05-31");
  CHECK_FALSE(v.contains(*Date::parse("2023-11-30")));
  CHECK(v.contains(*Date::parse("2023-12-01")));
  CHECK(v.contains(*Date::parse("2024-05-31")));
  CHECK_FALSE(v.contains(*Date::parse("2024-06-01")));
  CHECK(Validity{}.contains(Date::min()));
  CHECK(v.to_string() == "2023-12-01 to 2024-05-31");
  Validity before;
  before.until = Date::parse("2023-11-30");
  CHECK_FALSE(v.overlaps(before));
  before.until = Date::parse("2023-12-01");
  CHECK(v.overlaps(before));
}

TEST_CASE("validity.versions_load_without_warnings_and_analyse_by_day") {
  auto c = versions();
  Loaded<ValidChain> r = load_chain_text(kVersions, "versions.yaml");
  for (const auto& d : r.diagnostics) CHECK_MESSAGE(d.severity != Severity::warning, d.to_string());
  CHECK(c->dated());
  const auto periods = c->validity_periods();
  REQUIRE(periods.size() == 2);
  CHECK(periods[1] == *Date::parse("2023-12-01"));

  const Analysis old = analyse(c, nullptr, Date::parse("2023-11-30"));
  CHECK(old.not_in_force == std::vector<std::string>{"permit"});
  CHECK(old.critical_path.matters == std::vector<std::string>{"reg", "permit-2015", "after-permit"});
  CHECK(old.critical_path.promised_days == 13);
  const Analysis now = analyse(c, nullptr, Date::parse("2023-12-01"));
  CHECK(now.not_in_force == std::vector<std::string>{"permit-2015"});
  CHECK(now.critical_path.promised_days == 8);
  CHECK(now.serial_promised_days == 8);
}

TEST_CASE("validity.check_uses_the_matters_in_force_that_day") {
  auto c = versions();
  const FormChecker checker(*c);
  const FieldValues values{{"applicant.name", std::string("张三")}};
  // Up to 2023-11-30 the 2015 rules ask for old.only and the lease.
  const CheckResult old = checker.check(values, {}, Date::parse("2023-11-30"));
  CHECK_FALSE(old.complete);
  CHECK(old.missing.size() == 2);
  CHECK(old.not_in_force_matters == std::vector<std::string>{"permit"});
  // From 2023-12-01 they do not.
  const CheckResult now = checker.check(values, {}, Date::parse("2023-12-01"));
  CHECK(now.complete);
  CHECK(now.not_in_force_matters == std::vector<std::string>{"permit-2015"});
  CHECK(checker.complete(values, {}, Date::parse("2023-12-01")));
  CHECK_FALSE(checker.complete(values, {}, Date::parse("2023-11-30")));
  // Before the chain's own valid_from: the chain is refused.
  const CheckResult early = checker.check(values, {"lease"}, Date::parse("2019-12-31"));
  REQUIRE_FALSE(early.invalid.empty());
  CHECK(early.invalid.front().code == "not-in-force");
  CHECK(early.invalid.front().reason ==
        "chain `versions` is in force from 2020-01-01; a case accepted on 2019-12-31 cannot use it");
}

TEST_CASE("validity.flow_skips_matters_not_in_force_on_the_acceptance_date") {
  auto c = versions();
  auto fc = FlowChain::compile(c, test::cn_mainland());
  auto run = [&](const char* when, FieldValues values, std::vector<std::string> materials) {
    CaseState s = new_case(*fc, 1);
    std::vector<Command> out;
    const StepOutcome r =
        step(*fc, s, Event{*Instant::parse(when), event::Submitted{std::move(values), std::move(materials), Channel::window}}, out);
    return std::make_pair(r, s);
  };
  const FieldValues name{{"applicant.name", std::string("张三")}};
  // The versions come after `reg`: they are decided when it is approved.
  auto approve_reg = [&](CaseState& s, const char* when) {
    std::vector<Command> out;
    return step(*fc, s, Event{*Instant::parse(when), event::TaskApproved{0, 1, {}}}, out).result;
  };
  // Thursday 2023-11-30 09:00: accepted that day, the 2015 version applies.
  {
    FieldValues v = name;
    v["old.only"] = std::string("旧");
    auto [r, s] = run("2023-11-30T09:00", v, {"lease"});
    REQUIRE(r.result == StepResult::applied);
    REQUIRE(s.stage == CaseStage::running);
    CHECK(s.accepted_on == Date::parse("2023-11-30"));
    // Decided on the acceptance date, not on the day `reg` is approved.
    REQUIRE(approve_reg(s, "2023-12-04T10:00") == StepResult::applied);
    CHECK(s.tasks[2].status == TaskStatus::skipped);  // permit
    CHECK(s.tasks[2].note == "not in force on 2023-11-30 (from 2023-12-01)");
    CHECK(s.tasks[1].status == TaskStatus::dispatched);  // permit-2015
  }
  // 2023-11-30 after office hours: accepted on Friday 2023-12-01, the new
  // version applies, and the 2015 materials are not asked.
  {
    auto [r, s] = run("2023-11-30T18:00", name, {});
    REQUIRE(r.result == StepResult::applied);
    CHECK(s.stage == CaseStage::running);
    CHECK(s.accepted_on == Date::parse("2023-12-01"));
    REQUIRE(approve_reg(s, "2023-12-01T10:00") == StepResult::applied);
    CHECK(s.tasks[1].status == TaskStatus::skipped);
    CHECK(s.tasks[2].status == TaskStatus::dispatched);
    // after-permit waits for the version in force, and runs once it is approved.
    std::vector<Command> out;
    REQUIRE(step(*fc, s, Event{*Instant::parse("2023-12-05T10:00"), event::TaskApproved{2, 1, {}}}, out).result ==
            StepResult::applied);
    CHECK(s.tasks[3].status == TaskStatus::dispatched);
  }
  // The same application on 2023-11-30 lacks the 2015 items: one notice.
  {
    auto [r, s] = run("2023-11-30T09:00", name, {});
    REQUIRE(r.result == StepResult::applied);
    CHECK(s.stage == CaseStage::incomplete);
  }
  // Before the chain is in force: refused, with the reason.
  {
    auto [r, s] = run("2019-12-31T09:00", name, {});
    CHECK(r.result == StepResult::invalid);
    CHECK(r.reason == "chain versions v1 is in force from 2020-01-01; a case accepted on 2019-12-31 cannot use it");
    CHECK(s.stage == CaseStage::created);
  }
}

TEST_CASE("validity.an_incomplete_case_completed_after_the_chain_ends_is_refused") {
  std::string text = kVersions;
  text.insert(text.find("departments:"), "valid_until: 2023-12-31\n");
  Loaded<ValidChain> r = load_chain_text(text, "ending.yaml");
  INFO(all(r.diagnostics));
  REQUIRE(r.ok());
  auto fc = FlowChain::compile(r.value(), test::cn_mainland());
  CaseState s = new_case(*fc, 1);
  std::vector<Command> out;
  // Friday 2023-12-29: incomplete (the name is missing), one notice.
  REQUIRE(step(*fc, s, Event{*Instant::parse("2023-12-29T09:00"), event::Submitted{FieldValues{}, {}, Channel::window}}, out)
              .result == StepResult::applied);
  REQUIRE(s.stage == CaseStage::incomplete);
  // Completed on Tuesday 2024-01-02: it would be accepted after the chain's last day.
  const StepOutcome late = step(
      *fc, s, Event{*Instant::parse("2024-01-02T09:00"), event::Supplemented{{{"applicant.name", std::string("张三")}}, {}, true}},
      out);
  CHECK(late.result == StepResult::invalid);
  CHECK(late.reason ==
        "chain versions v1 is in force 2020-01-01 to 2023-12-31; a case accepted on 2024-01-02 cannot use it; withdraw "
        "the case and apply under the chain in force");
  CHECK(s.stage == CaseStage::incomplete);
  // The same supplement while the chain is in force is accepted.
  const StepOutcome in_time = step(
      *fc, s, Event{*Instant::parse("2023-12-29T10:00"), event::Supplemented{{{"applicant.name", std::string("张三")}}, {}, true}},
      out);
  CHECK(in_time.result == StepResult::applied);
  CHECK(s.stage == CaseStage::running);
  CHECK(s.accepted_on == Date::parse("2023-12-29"));
}

TEST_CASE("validity.chain_as_on_a_day_for_charts") {
  auto c = versions();
  const Chain old = chain_as_on(c, *Date::parse("2023-11-30"));
  REQUIRE(old.matters.size() == 3);
  CHECK(old.find_matter("permit") == nullptr);
  const Matter* last = old.find_matter("after-permit");
  REQUIRE(last);
  // after: [permit-2015, permit] -> permit-2015 (permit's own `reg` is implied by it).
  REQUIRE(last->after.size() == 1);
  CHECK(last->after[0].id == "permit-2015");
  const Chain now = chain_as_on(c, *Date::parse("2023-12-01"));
  CHECK(now.find_matter("permit-2015") == nullptr);
  REQUIRE(now.find_matter("after-permit")->after.size() == 1);
  CHECK(now.find_matter("after-permit")->after[0].id == "permit");
  CHECK(validate(now).error_count() == 0);
}

TEST_CASE("validity.remembered_verdicts_are_per_period") {
  auto c = versions();
  auto fc = FlowChain::compile(c, test::cn_mainland());
  CheckMemo memo;
  const Shared<FieldValues> values{FieldValues{{"applicant.name", std::string("张三")}}};
  const Shared<std::vector<std::string>> materials{std::vector<std::string>{}};
  CHECK_FALSE(fc->verdict(values, materials, *Date::parse("2023-11-30"), &memo).complete);
  CHECK(fc->verdict(values, materials, *Date::parse("2023-12-01"), &memo).complete);
  CHECK_FALSE(fc->verdict(values, materials, *Date::parse("2023-11-29"), &memo).complete);
}

TEST_CASE("validity.overlap_and_gap_are_warned_with_both_locations") {
  const std::string overlap = std::string(kVersions).replace(std::string(kVersions).find("valid_from: 2023-12-01"),
                                                             22, "valid_from: 2023-11-01");
  Loaded<ValidChain> o = load_chain_text(overlap, "overlap.yaml");
  // Overlapping versions that issue one licence are an error too: on the
  // days both are in force, the licence would be issued twice.
  CHECK_FALSE(o.ok());
  CHECK(find(o.diagnostics, "issued-twice"));
  const Diagnostic* w = find(o.diagnostics, "validity-overlap");
  REQUIRE(w);
  CHECK(w->severity == Severity::warning);
  CHECK(w->message == "matter `permit` (许可) replaces `permit-2015` (许可) (at overlap.yaml:28:18), but both are in "
                      "force from 2023-11-01 to 2023-11-30");
  CHECK(w->where.line == 39);
  const Diagnostic* n = find(o.diagnostics, "validity-other");
  REQUIRE(n);
  CHECK(n->severity == Severity::note);
  CHECK(n->where.line == 28);

  const std::string gap = std::string(kVersions).replace(std::string(kVersions).find("valid_from: 2023-12-01"), 22,
                                                         "valid_from: 2024-01-01");
  Loaded<ValidChain> g = load_chain_text(gap, "gap.yaml");
  REQUIRE(g.ok());
  const Diagnostic* gw = find(g.diagnostics, "validity-gap");
  REQUIRE(gw);
  CHECK(gw->message == "matter `permit` (许可) replaces `permit-2015` (许可) (at gap.yaml:28:18), but neither is in "
                       "force from 2023-12-01 to 2023-12-31");
  CHECK(gw->hint == "without a gap, `permit` is valid_from 2023-12-01, the day after valid_until 2023-11-30 of "
                    "`permit-2015`");
}

TEST_CASE("validity.shipped_versions.hotel_food_permit") {
  const auto before = test::run_cli("plan hotel-restaurant --start 2023-11-30 --json");
  REQUIRE(before.exit_code == 0);
  CHECK(before.out.find("\"as_of\": \"2023-11-30\"") != std::string::npos);
  CHECK(before.out.find("\"not_in_force\": [\n    \"food-permit\"\n  ]") != std::string::npos);
  const auto after = test::run_cli("plan hotel-restaurant --start 2023-12-01 --json");
  REQUIRE(after.exit_code == 0);
  CHECK(after.out.find("\"not_in_force\": [\n    \"food-permit-2015\"\n  ]") != std::string::npos);
  const auto check = test::run_cli(
      "check hotel-restaurant examples/applications/hotel-restaurant-complete.yaml --date 2023-11-30 --json");
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("\"not_in_force_matters\"") != std::string::npos);
}

}  // namespace locality_test
