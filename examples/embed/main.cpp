// Embedding yilian: open an engine on a store file, serve every department
// with an in-process adapter, submit a kindergarten case and print its
// timeline once the results are delivered.
//
//   embed CHAINS/kindergarten-setup.yaml [STORE.db]
//
// Without STORE.db the case lives in a scratch file that is removed at the
// end. See docs/library.md for a walk through this program.
#include <yilian/check.h>
#include <yilian/engine.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

/// A department "system" inside the program: it approves every task at
/// once and fills in what the matter produces. A real adapter would call
/// the department's own system here, asynchronously, and report later.
class Department final : public yilian::Adapter {
 public:
  void dispatch(const yilian::Task& task, yilian::Completion done) override {
    std::printf("  → %-24s %-8s key %s, %zu fields\n", task.matter.c_str(), task.department.c_str(), task.key.c_str(),
                task.fields.size());
    yilian::FieldValues produced;
    const std::string n = std::to_string(task.case_id);
    if (task.matter == "school-permit") produced["school.permit_no"] = "教民140302" + n;
    if (task.matter == "nonprofit-registration") {
      // A credit code with its GB 32100 check character: the engine refuses
      // an approval whose produced values break the field's rules.
      const std::string first17 = "52370302MJ" + std::string(7 - std::min<std::size_t>(7, n.size()), '0') + n;
      produced["applicant.uscc"] = first17 + yilian::uscc_check_char(first17);
    }
    if (task.matter == "food-permit") produced["food.licence_no"] = "JY137030200000" + n;
    done.report(yilian::Outcome::approved(std::move(produced)));
  }
};

/// The one form of the kindergarten chain, filled in (一表申请).
yilian::request::Submit application() {
  using yilian::Value;
  yilian::request::Submit s;
  s.chain = "kindergarten-setup";
  s.fields = {
      {"sponsor.type", Value{std::string("natural-person")}}, {"sponsor.name", Value{std::string("刘建国")}},
      {"applicant.name", Value{std::string("淄川区阳光幼儿园")}}, {"applicant.legal_rep", Value{std::string("刘建国")}},
      {"applicant.legal_rep_id", Value{std::string("370304197809201235")}},
      {"applicant.contact", Value{std::string("李明")}}, {"applicant.phone", Value{std::string("13800138000")}},
      {"applicant.bank_account", Value{std::string("37050163612000001234")}}, {"applicant.capital", Value{std::int64_t{120}}},
      {"site.address", Value{std::string("山东省淄博市淄川区般阳路88号")}}, {"site.area", Value{1200.0}},
      {"site.children_area", Value{800.0}}, {"site.outdoor_area", Value{600.0}},
      {"site.ownership", Value{std::string("leased")}}, {"school.classes", Value{std::int64_t{6}}},
      {"school.capacity", Value{std::int64_t{180}}}, {"school.age_range", Value{std::string("3-6")}},
      {"school.principal", Value{std::string("王芳")}}, {"school.principal_id", Value{std::string("370303199003152027")}},
      {"school.staff", Value{std::int64_t{30}}}, {"school.teachers", Value{std::int64_t{14}}},
      {"school.health_staff", Value{std::int64_t{2}}}, {"school.serves_meals", Value{true}},
      {"school.opening_date", Value{std::string("2025-09-01")}}, {"canteen.area", Value{80.0}},
      {"canteen.diners", Value{std::int64_t{200}}}, {"food.manager", Value{std::string("赵强")}},
      {"building.completion_date", Value{std::string("2025-01-15")}},
      {"building.contractor", Value{std::string("淄博建工集团有限公司")}},
      {"school.seeks_inclusive", Value{false}},
  };
  s.materials = {"application-report", "sponsor-identity", "asset-proof", "charter", "board-roster",
                 "principal-credentials", "staff-credentials", "staff-health-certificates", "site-title",
                 "building-safety-report", "floor-plan", "facility-inventory", "air-quality-report",
                 "completion-report", "fire-facility-test", "as-built-drawings", "legal-rep-id-card",
                 "tax-agreement", "canteen-layout", "food-safety-rules", "staff-roster",
                 "registration-application", "fund-registration-form"};
  return s;
}

int fail(const yilian::Status& s) {
  std::fprintf(stderr, "embed: %s\n", s.to_string().c_str());
  return s.code() == yilian::Status::Code::invalid_input ? 1 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: embed CHAIN.yaml [STORE.db]\n");
    return 2;
  }
  const bool scratch = argc == 2;
  const std::string store = scratch ? (std::filesystem::temp_directory_path() /
                                       ("yilian-embed-" + std::to_string(::getpid()) + ".db")).string()
                                    : argv[2];

  // A scratch store is removed however the program ends.
  struct Scratch {
    std::string path;
    ~Scratch() {
      std::error_code ec;
      if (!path.empty())
        for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix, ec);
    }
  } scratch_store{scratch ? store : std::string()};

  yilian::EngineOptions options;
  options.auto_deliver = yilian::DeliveryMethod::electronic;  // electronic licences: no second visit
  auto opened = yilian::Engine::open(store, options);
  if (!opened) return fail(opened.status());
  yilian::Engine& engine = **opened;

  auto chain = engine.load_chain_file(argv[1]);  // stored by (id, version); its calendar is found beside it
  if (!chain) return fail(chain.status());
  if (yilian::Status s = engine.register_adapter("*", std::make_shared<Department>()); !s) return fail(s);

  std::printf("%s v%d: submitting one case\n", chain->name.c_str(), chain->version);
  auto receipt = engine.apply(application());  // returns once the event is durable
  if (!receipt) return fail(receipt.status());
  if (!engine.wait_idle(std::chrono::seconds(30))) return fail(yilian::Status::io("the case did not settle in 30 s"));

  auto view = engine.records().case_view(receipt->case_id);
  if (!view) return fail(view.status());
  std::printf("case %llu %s after %zu events (accepted %s, deadline %s)\n",
              static_cast<unsigned long long>(view->id), std::string(yilian::to_string(view->stage)).c_str(),
              view->log.size(), view->accepted_on ? view->accepted_on->to_string().c_str() : "-",
              view->deadline ? view->deadline->to_string().c_str() : "-");
  for (const auto& entry : view->log)
    std::printf("  #%-2llu %s  %s\n", static_cast<unsigned long long>(entry.seq), entry.at.to_string().c_str(),
                entry.summary.c_str());
  engine.close();
  return view->stage == yilian::CaseStage::delivered ? 0 : 1;
}
