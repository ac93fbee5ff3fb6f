// Data minimisation: what a department (or a matter) may see.
#include <doctest/doctest.h>

#include "yilian/application.h"
#include "yilian/field_view.h"
#include "yilian/form.h"
#include "yilian/form_export.h"
#include "yilian/load.h"

using namespace yilian;

namespace form_department_test {

namespace {

Form fixture_form() {
  Loaded<ValidChain> r = load_chain(std::string(YILIAN_SOURCE_DIR) + "/tests/form/chains/form-check.yaml");
  REQUIRE(r.ok());
  return merge_form(*r.value());
}

FieldValues hotel_values() {
  Loaded<Application> a = load_application(std::string(YILIAN_SOURCE_DIR) + "/tests/applications/hotel-complete.yaml");
  REQUIRE(a.ok());
  FieldValues v = a->fields;
  v["food.licence_no"] = std::string("JY13703020012345");  // as if produced
  return v;
}

std::vector<std::string> keys(const FieldValues& v) {
  std::vector<std::string> out;
  for (const auto& [k, x] : v) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("form.department.fields") {
  const Form f = fixture_form();
  CHECK(department_fields(f, "police") ==
        std::vector<std::string>{"applicant.legal_rep", "applicant.legal_rep_id", "applicant.name", "applicant.uscc",
                                 "hotel.rooms", "hotel.security_officer", "site.address"});
  // tax: its matter's fields plus what the chain shares (`sees`).
  CHECK(department_fields(f, "tax") ==
        std::vector<std::string>{"applicant.name", "applicant.phone", "applicant.uscc", "venue.description"});
  CHECK(department_fields(f, "nobody").empty());
}

TEST_CASE("form.department.view_only_applicable_matters") {
  const Form f = fixture_form();
  const FieldValues v = hotel_values();
  // Police handles the lodging permit, which applies to this hotel.
  CHECK(keys(department_view(f, "police", v)) ==
        std::vector<std::string>{"applicant.legal_rep", "applicant.legal_rep_id", "applicant.name", "applicant.uscc",
                                 "hotel.rooms", "hotel.security_officer", "site.address"});
  // The market department's matters (registration, food permit) do not
  // apply: it sees nothing of this application, not even the name.
  CHECK(department_view(f, "market", v).empty());
  // Fire: its matter's fields only; never the ID number or the rooms.
  const FieldValues fire = department_view(f, "fire", v);
  CHECK(keys(fire) == std::vector<std::string>{"applicant.name", "applicant.phone", "applicant.uscc", "site.address",
                                               "site.area", "venue.opening_date"});
  CHECK(std::get<std::string>(fire.at("applicant.name")) == "淄川区般阳宾馆有限公司");
  // Nobody sees the fields that only decide conditions.
  for (const char* d : {"market", "fire", "police", "tax"}) {
    const FieldValues dv = department_view(f, d, v);
    CHECK(dv.count("applicant.registered") == 0);
    CHECK(dv.count("venue.serves_food") == 0);
  }
  CHECK(department_view(f, "nobody", v).empty());
  // Tax: its matter's fields and what the chain shares with it (`sees`),
  // when the application holds them.
  CHECK(keys(department_view(f, "tax", v)) == std::vector<std::string>{"applicant.name", "applicant.phone", "applicant.uscc"});
  FieldValues described = v;
  described["venue.description"] = std::string("客房 40 间");
  CHECK(keys(department_view(f, "tax", described)) == department_fields(f, "tax"));
}

TEST_CASE("form.department.view_undecided_counts_as_applying") {
  const Form f = fixture_form();
  FieldValues v = hotel_values();
  v.erase("venue.serves_food");  // the food permit is now undecided
  const FieldValues market = department_view(f, "market", v);
  CHECK(market.count("site.area") == 1);
  CHECK(market.count("applicant.legal_rep_id") == 0);  // registration: registered == true, so it does not apply
  CHECK(market.count("food.licence_no") == 1);          // the food permit produces it
}

TEST_CASE("form.department.matter_view_and_form") {
  const Form f = fixture_form();
  const FieldValues v = hotel_values();
  CHECK(keys(matter_view(f, "fire-check", v)) ==
        std::vector<std::string>{"applicant.name", "applicant.phone", "applicant.uscc", "site.address", "site.area",
                                 "venue.opening_date"});
  CHECK(matter_view(f, "no-such-matter", v).empty());

  const Form police = department_form(f, "police");
  CHECK(police.fields.size() == 7);
  REQUIRE(police.matters.size() == 1);
  CHECK(police.matters[0].id == "hotel-permit");
  CHECK(police.matters[0].fields.size() == 7);
  for (std::size_t i : police.matters[0].fields) CHECK(i < police.fields.size());
  CHECK(police.find_material("security-rules"));
  CHECK_FALSE(police.find_material("kitchen-layout"));
  CHECK(department_form(f, "").fields.size() == f.fields.size());
  CHECK(department_form(f, "nobody").fields.empty());
}

TEST_CASE("form.department.counts_and_names_are_the_departments") {
  const Form f = fixture_form();
  const Form police = department_form(f, "police");
  // Its one matter: 7 fields (the credit code comes from registration) and
  // 3 materials (the fire permit is issued by fire-check); not the chain's.
  CHECK(police.stats.fields_before == 7);
  CHECK(police.stats.fields_after == 6);
  CHECK(police.stats.materials_before == 3);
  CHECK(police.stats.materials_after == 2);
  CHECK(police.stats.materials_reduction == doctest::Approx(1.0 / 3));
  CHECK(police.stats.targets.size() == 2);
  CHECK(f.stats.fields_before > police.stats.fields_before);
  const Form nobody = department_form(f, "nobody");
  CHECK(nobody.stats.fields_before == 0);
  CHECK(nobody.stats.fields_after == 0);
  // The Markdown states the department's counts above its rows, and names
  // every matter that uses a field, of its own department or another.
  const std::string md = form_to_markdown(police);
  CHECK(md.find("本表合并了 1 个事项：申请人填写 6 项信息、提交 2 份材料；各事项分别申请时共需填写 7 项、提交 3 份") !=
        std::string::npos);
  CHECK(md.find("营业执照登记、食品经营许可、消防安全检查、旅馆业特种行业许可、税务信息确认") != std::string::npos);
  for (const char* id : {"registration", "food-permit", "fire-check", "hotel-permit", "tax-registration"}) {
    CAPTURE(id);
    CHECK(md.find(std::string("| ") + id) == std::string::npos);
    CHECK(md.find(std::string("、") + id) == std::string::npos);
  }
}

TEST_CASE("form.department.select_points_at_the_values_a_view_copies") {
  const Form f = fixture_form();
  const DepartmentViews views(f);
  FieldValues applicant = hotel_values();
  applicant.erase("food.licence_no");
  applicant["applicant.name"] = std::string("as the applicant wrote it");
  // What matters produced is read first (CaseState::value): the name here
  // shadows the applicant's.
  FieldValues produced{{"food.licence_no", std::string("JY13703020012345")},
                       {"applicant.name", std::string("淄川区般阳宾馆有限公司")}};
  auto both = [&](std::string_view k) -> const Value* {
    const Value* v = find_value(produced, k);
    return v ? v : find_value(applicant, k);
  };
  for (const char* d : {"market", "fire", "police", "tax", "nobody"}) {
    CAPTURE(d);
    const auto picked = views.select(d, produced, applicant);
    const FieldValues copied = views.view(d, both);
    REQUIRE(picked.size() == copied.size());
    auto c = copied.begin();
    for (const auto* kv : picked) {
      CHECK(kv->first == c->first);
      CHECK(kv->second == c->second);
      // Each pair is one of the two maps' own, not a copy.
      const bool in_produced = produced.count(kv->first) == 1;
      CHECK(kv == &*(in_produced ? produced.find(kv->first) : applicant.find(kv->first)));
      ++c;
    }
  }
  const auto fire = views.select("fire", produced, applicant);
  REQUIRE_FALSE(fire.empty());
  CHECK(fire.front()->first == "applicant.name");
  CHECK(std::get<std::string>(fire.front()->second) == "淄川区般阳宾馆有限公司");
}

TEST_CASE("form.department.a_field_view_keeps_what_it_points_at") {
  auto maps = std::make_shared<std::pair<FieldValues, FieldValues>>();
  maps->first = {{"b", std::int64_t{2}}, {"d", std::string("four")}};
  maps->second = {{"a", true}, {"c", std::string("三")}};
  std::vector<const FieldValues::value_type*> entries{&*maps->second.find("a"), &*maps->first.find("b"),
                                                      &*maps->second.find("c"), &*maps->first.find("d")};
  FieldView view(maps, entries);
  maps.reset();  // the view alone keeps the maps alive
  const FieldView copy = view;
  view = FieldView();
  CHECK(view.empty());
  REQUIRE(copy.size() == 4);
  std::string order;
  for (const auto& [k, v] : copy) order += k;
  CHECK(order == "abcd");
  CHECK(copy.count("c") == 1);
  CHECK(copy.count("e") == 0);
  CHECK(copy.find("e") == copy.end());
  CHECK(copy.find("b")->second == Value{std::int64_t{2}});
  REQUIRE(copy.value("c") != nullptr);
  CHECK(std::get<std::string>(*copy.value("c")) == "三");
  CHECK(copy.value("") == nullptr);
  CHECK(copy.end() - copy.begin() == 4);
  // A map converts to an owning view, and a view copies back to a map.
  const FieldValues as_map = FieldValues(copy);
  CHECK(as_map == FieldValues{{"a", true}, {"b", std::int64_t{2}}, {"c", std::string("三")}, {"d", std::string("four")}});
  CHECK(FieldView(as_map) == copy);
  CHECK_FALSE(FieldView(FieldValues{{"a", true}}) == copy);
  CHECK_FALSE(FieldView(FieldValues{{"a", false}, {"b", std::int64_t{2}}, {"c", std::string("三")},
                                    {"d", std::string("four")}}) == copy);
}

}  // namespace form_department_test
