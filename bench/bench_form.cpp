// The one form and the one notice:
//  1. merge_form() of a generated chain of 500 matters × 40 fields drawn from
//     a catalogue of 3,000 keys (target < 10 ms), with realistic Chinese
//     labels so that the duplicate search does real work;
//  2. 100,000 application checks against the kindergarten chain with one
//     precompiled FormChecker on one thread (target ≥ 200,000 checks/s).
// Medians of several runs; nothing is asserted.
//
//   bench_form [--runs N] [--checks N] [--chain chains/kindergarten-setup.yaml]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstring>
#include <random>

#include "yilian/application.h"
#include "yilian/check.h"
#include "yilian/form.h"
#include "yilian/load.h"
#include "allocator.h"

namespace {

using namespace yilian;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

/// CPU time of this thread, in ms: on a shared machine the thread is often
/// descheduled, and wall time then measures the neighbours.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Timer {
  Clock::time_point wall = Clock::now();
  double cpu = cpu_ms();
  [[nodiscard]] double wall_ms() const { return ms_since(wall); }
  [[nodiscard]] double cpu_elapsed_ms() const { return cpu_ms() - cpu; }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Characters that make up form labels, so generated labels look like real ones.
constexpr std::string_view kHan =
    "申请人企业名称法定代表身份证号码联系电话地址经营场所面积建筑注册资本从业员数量日期许可备案登记"
    "食品药安全管理消防卫生设施设备质量负责执业师资格证书编号类型范围性质开办资金园长教职工幼儿班级"
    "户外活动场地租赁合同到期权属竣工验收施工单位供餐餐饮厨房座位客房床位治安保卫招牌文字长度高度"
    "灯光照明烟草零售距离仓库储存冷藏冷冻医疗器械保健特殊中药饮片税务银行账户社会保险缴费基数职工";

std::vector<std::string> han_chars() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kHan.size(); i += 3) out.emplace_back(kHan.substr(i, 3));
  return out;
}

/// A chain of `matters` matters, each asking `per_matter` fields of a
/// catalogue of `catalogue` keys and 5 of 400 materials; every tenth matter
/// is conditional, every twentieth produces a datum a later one uses.
Chain generate(int matters, int per_matter, int catalogue, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto han = han_chars();
  Chain c;
  c.id = "generated";
  c.name = "生成链";
  c.lead = "d0";
  for (int d = 0; d < 20; ++d) c.departments.push_back(Department{fmt::format("d{}", d), fmt::format("部门{}", d), {}, {}});
  const FieldType types[] = {FieldType::string, FieldType::integer, FieldType::date, FieldType::phone, FieldType::area,
                             FieldType::boolean, FieldType::id_card};
  for (int f = 0; f < catalogue; ++f) {
    Field fl;
    fl.key = fmt::format("g{}.k{}", f % 50, f);
    const int len = uniform(4, 9);
    for (int i = 0; i < len; ++i) fl.label += han[static_cast<std::size_t>(uniform(0, static_cast<int>(han.size()) - 1))];
    fl.type = types[f % 7];
    fl.where = {"generated.yaml", f + 1, 3};
    c.fields.push_back(std::move(fl));
  }
  c.fields.push_back(Field{"gen.flag", "条件开关", "", FieldType::boolean});
  for (int m = 0; m < 400; ++m) c.materials.push_back(Material{fmt::format("mat{}", m), fmt::format("材料{}", m)});
  for (int m = 0; m < matters; ++m) {
    Matter mt;
    mt.id = fmt::format("m{}", m);
    mt.name = fmt::format("事项{}", m);
    mt.department = fmt::format("d{}", uniform(0, 19));
    std::vector<int> picked;
    while (static_cast<int>(picked.size()) < per_matter) {
      const int f = uniform(0, catalogue - 1);
      if (std::find(picked.begin(), picked.end(), f) == picked.end()) picked.push_back(f);
    }
    for (int f : picked) mt.fields.push_back(Ref{c.fields[static_cast<std::size_t>(f)].key, {}});
    for (int k = 0; k < 5; ++k) mt.materials.push_back(Ref{fmt::format("mat{}", uniform(0, 399)), {}});
    std::sort(mt.materials.begin(), mt.materials.end(), [](const Ref& a, const Ref& b) { return a.id < b.id; });
    mt.materials.erase(std::unique(mt.materials.begin(), mt.materials.end(),
                                   [](const Ref& a, const Ref& b) { return a.id == b.id; }),
                       mt.materials.end());
    if (m % 10 == 5) mt.when = parse_condition("gen.flag == true").value();
    if (m % 20 == 0) mt.produces.push_back(Field{fmt::format("out.m{}", m), fmt::format("{}号", mt.name), "", FieldType::string,
                                                 true, {}, {}, {}, "", "", Prefer::unset, mt.id});
    if (m % 20 == 1 && m > 1) mt.fields.push_back(Ref{fmt::format("out.m{}", m - 1), {}});
    c.matters.push_back(std::move(mt));
  }
  c.build_index();
  return c;
}

/// Applications to a chain: the given complete and incomplete ones, and
/// variants with one field dropped, one value made invalid, one material
/// dropped, in a fixed pseudo-random mix.
std::vector<Application> applications(const std::vector<Application>& seeds, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Application> out;
  out.reserve(n);
  while (out.size() < n) {
    Application a = seeds[out.size() % seeds.size()];
    switch (rng() % 4) {
      case 0: break;
      case 1:
        if (!a.fields.empty()) {
          auto it = a.fields.begin();
          std::advance(it, static_cast<long>(rng() % a.fields.size()));
          a.fields.erase(it);
        }
        break;
      case 2:
        if (!a.fields.empty()) {
          auto it = a.fields.begin();
          std::advance(it, static_cast<long>(rng() % a.fields.size()));
          it->second = std::string("无效的值");
        }
        break;
      case 3:
        if (!a.materials.empty()) a.materials.erase(a.materials.begin() + static_cast<long>(rng() % a.materials.size()));
        break;
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  bool merge_only = false;
  std::size_t checks = 100'000;
  std::string chain_path = std::string(YILIAN_SOURCE_DIR) + "/chains/kindergarten-setup.yaml";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--checks") && i + 1 < argc) checks = static_cast<std::size_t>(std::atol(argv[++i]));
    else if (!std::strcmp(argv[i], "--chain") && i + 1 < argc) chain_path = argv[++i];
    else if (!std::strcmp(argv[i], "--merge-only")) merge_only = true;
  }

  // 1. Merge of a large generated chain.
  const Chain big = generate(500, 40, 3000, 42);
  std::vector<double> merge_ms, merge_cpu;
  std::size_t fields = 0, materials = 0, warnings = 0;
  int before = 0, after = 0;
  for (int r = 0; r < runs; ++r) {
    const Timer t;
    const Form f = merge_form(big);
    merge_cpu.push_back(t.cpu_elapsed_ms());
    merge_ms.push_back(t.wall_ms());
    fields = f.fields.size();
    materials = f.materials.size();
    warnings = f.diagnostics.warning_count();
    before = f.stats.fields_before;
    after = f.stats.fields_after;
  }
  fmt::print("allocator: {}\n", yilian::programs::allocator_name());
  fmt::print("merge_form, 500 matters x 40 fields, 3,000-key catalogue: median {:.2f} ms CPU (min {:.2f}, max {:.2f}), "
             "{:.2f} ms wall; {} fields, {} materials, {} duplicate warnings, {} -> {} fields asked\n",
             median(merge_cpu), *std::min_element(merge_cpu.begin(), merge_cpu.end()),
             *std::max_element(merge_cpu.begin(), merge_cpu.end()), median(merge_ms), fields, materials, warnings, before,
             after);

  if (merge_only) return 0;

  // 2. Checks against the kindergarten chain.
  Loaded<ValidChain> loaded = load_chain(chain_path);
  if (!loaded.ok()) {
    fmt::print(stderr, "cannot load {}\n", chain_path);
    return 2;
  }
  std::vector<double> build_ms;
  for (int r = 0; r < runs; ++r) {
    const Timer t;
    const FormChecker c(*loaded.value());
    build_ms.push_back(t.cpu_elapsed_ms());
  }
  const FormChecker checker(*loaded.value());
  std::vector<Application> seeds;
  for (const char* name : {"kindergarten-setup-complete.yaml", "kindergarten-setup-incomplete.yaml"}) {
    Loaded<Application> a = load_application(std::string(YILIAN_SOURCE_DIR) + "/examples/applications/" + name);
    if (a.ok()) seeds.push_back(a.value());
  }
  if (seeds.empty()) {
    fmt::print(stderr, "no example applications found\n");
    return 2;
  }
  // Each application is checked right after it is read in practice, so its
  // values are in the cache: the two examples in turn (complete and
  // incomplete), then a pool of 1,000 distinct applications checked in turn
  // until `checks` checks are done (a 4 MB working set, mostly in L3), then
  // as many distinct applications as checks (cold input, memory-bound: the
  // time goes to reading the applications' map nodes).
  auto measure = [&](const std::vector<Application>& pool, const char* what) {
    std::vector<double> per_cpu_second, per_wall_second;
    std::size_t complete = 0, problems = 0;
    for (int r = 0; r < runs; ++r) {
      complete = problems = 0;
      const Timer t;
      for (std::size_t i = 0; i < checks; ++i) {
        const Application& a = pool[i % pool.size()];
        const CheckResult res = checker.check(a.fields, a.materials);
        complete += res.complete ? 1 : 0;
        problems += res.missing.size() + res.invalid.size();
      }
      per_cpu_second.push_back(static_cast<double>(checks) / (t.cpu_elapsed_ms() / 1000.0));
      per_wall_second.push_back(static_cast<double>(checks) / (t.wall_ms() / 1000.0));
    }
    const double cpu = median(per_cpu_second);
    fmt::print("check x {}, {} (kindergarten, one thread): median {:.0f} checks per CPU second (min {:.0f}, max {:.0f}; "
               "{:.2f} us/check), {:.0f} per wall second; {} complete, {} problems per round\n",
               checks, what, cpu, *std::min_element(per_cpu_second.begin(), per_cpu_second.end()),
               *std::max_element(per_cpu_second.begin(), per_cpu_second.end()), 1e6 / cpu, median(per_wall_second),
               complete, problems);
  };
  fmt::print("FormChecker build (kindergarten): median {:.3f} ms CPU\n", median(build_ms));
  measure(seeds, "the two examples in turn (input in cache)");
  measure(applications(seeds, 1000, 7), "pool of 1,000 distinct applications");
  measure(applications(seeds, checks, 7), "all distinct (cold input)");
  return 0;
}
