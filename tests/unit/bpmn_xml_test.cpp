// The BPMN document: FEEL translation, XML escaping, the BPMN 2.0 XSD's
// element order, the Zeebe extensions, the diagram layout, and reading
// scenario values.
#include <doctest/doctest.h>

#include <algorithm>

#include "bpmn_support.h"
#include "export/bpmn_model.h"
#include "yilian/bpmn.h"
#include "yilian/field_values.h"

namespace bpmn_xml_test {

namespace {

using bpmn_test::Element;

std::string feel(const char* when) {
  auto c = yilian::parse_condition(when);
  REQUIRE(c.is_ok());
  return yilian::to_feel(*c);
}

std::vector<const Element*> all_of(const Element& root) {
  std::vector<const Element*> out;
  root.all(out);
  return out;
}

const Element* by_id(const std::vector<const Element*>& all, const std::string& id) {
  for (const auto* e : all)
    if (e->attr("id") == id) return e;
  return nullptr;
}

/// Rank of a child in its parent's content model (BPMN 2.0 XSD); children
/// must appear with ranks that never decrease.
int rank(const std::string& parent, const std::string& child) {
  if (parent == "bpmn:definitions")
    return child == "bpmn:import" ? 0 : child == "bpmn:extension" ? 1 : child == "bpmndi:BPMNDiagram" ? 3 : 2;
  if (child == "bpmn:documentation") return 0;
  if (child == "bpmn:extensionElements") return 1;
  if (parent == "bpmn:process") return child == "bpmn:laneSet" ? 2 : 3;
  if (child == "bpmn:incoming") return 2;
  if (child == "bpmn:outgoing") return 3;
  if (child == "bpmn:conditionExpression") return 4;
  if (child == "bpmn:timerEventDefinition") return 5;  // after outgoing (tCatchEvent)
  if (child == "bpmn:flowNodeRef") return 2;
  return 6;  // flow elements inside a sub-process, after incoming/outgoing
}

}  // namespace

TEST_CASE("export.bpmn.feel.translation") {
  CHECK(feel("site.children_area > 1000") == "site.children_area > 1000");
  CHECK(feel("school.nature == 'nonprofit'") == "school.nature = \"nonprofit\"");
  CHECK(feel("a.b != true") == "a.b != true");
  CHECK(feel("a.b <= 3.25") == "a.b <= 3.25");
  CHECK(feel("a.kind in ['x', 'y']") == "list contains([\"x\", \"y\"], a.kind)");
  CHECK(feel("a.kind not in ['x']") == "not(list contains([\"x\"], a.kind))");
  CHECK(feel("not a.open == true") == "not(a.open = true)");
  CHECK(feel("(a.x == 1 or a.y == 2) and a.z == 3") == "(a.x = 1 or a.y = 2) and a.z = 3");
  CHECK(feel("a.x == 1 or a.y == 2 and a.z == 3") == "a.x = 1 or (a.y = 2 and a.z = 3)");
  CHECK(feel("a.s == 'say \"hi\" \\\\ back'").find("\"say \\\"hi\\\" \\\\") != std::string::npos);
  CHECK(feel("a.s == \"it's\"") == "a.s = \"it's\"");
  CHECK(feel("a.n > -5") == "a.n > -5");
  CHECK(feel("a.flag") == "a.flag");
}

TEST_CASE("export.bpmn.feel.paths_and_timers") {
  CHECK(yilian::feel_path("applicant.name") == "applicant.name");
  CHECK(yilian::feel_path("school.in.for") == "school.`in`.`for`");
  CHECK(yilian::feel_path("a.x-y") == "a.`x-y`");
  CHECK(yilian::timer_duration(15) == "P21D");
  CHECK(yilian::timer_duration(5) == "P7D");
  CHECK(yilian::timer_duration(1) == "P2D");
  CHECK(yilian::timer_duration(8) == "P12D");   // 11.2 rounds up
  CHECK(yilian::timer_duration(10) == "P14D");  // exactly 14, not 15
  CHECK(yilian::timer_duration(0) == "P1D");    // on the spot
  CHECK(yilian::timer_duration(10, 1.0) == "P10D");
}

TEST_CASE("export.bpmn.xml.escaping_and_well_formed") {
  const auto chain = bpmn_test::fixture("escaping.yaml");
  const std::string xml = yilian::to_bpmn(*chain);
  std::unique_ptr<Element> root;
  try {
    root = bpmn_test::XmlReader(xml).parse();
  } catch (const std::exception& e) {
    FAIL("not well-formed: " << e.what());
  }
  const auto all = all_of(*root);
  // Names come back exactly as the chain spells them.
  CHECK(by_id(all, "intake") == nullptr);
  const Element* task = by_id(all, "Task_intake");
  REQUIRE(task);
  CHECK(task->attr("name") == "受理 <预审> & \"核对\"");
  CHECK(by_id(all, "bpmn-escaping")->attr("name") == "特殊字符 <链> & \"引号\" 'single'");
  CHECK(by_id(all, "Lane_front-desk")->attr("name") == "综合窗口 <A&B>");
  // The process documentation keeps the description's line break.
  CHECK(by_id(all, "bpmn-escaping")->children.front()->text.find("a < b && c > d; 换行\n第二行") != std::string::npos);
  // Conditions: FEEL with quotes inside, decoded back to the exact text.
  std::vector<std::string> conditions;
  for (const auto* e : all)
    if (e->name == "bpmn:conditionExpression") {
      CHECK(e->attr("xsi:type") == "bpmn:tFormalExpression");
      conditions.push_back(e->text);
    }
  REQUIRE(conditions.size() == 3);
  CHECK(std::count(conditions.begin(), conditions.end(),
                   "=(list contains([\"a&b\", \"c<d\"], venue.kind) or venue.area >= 120.5) and not(venue.open = false)") == 1);
  CHECK(std::count(conditions.begin(), conditions.end(),
                   "=not(list contains([\"e\\\"f\", \"g'h\"], venue.kind)) and venue.rating < 3.25") == 1);
  CHECK(std::count(conditions.begin(), conditions.end(), "=not(venue.area > 1000 or venue.open != true)") == 1);
  // Raw text: no unescaped specials survive in attributes.
  CHECK(xml.find("name=\"受理 &lt;预审&gt; &amp; &quot;核对&quot;\"") != std::string::npos);
}

TEST_CASE("export.bpmn.xml.xsd_element_order") {
  for (const char* f : {"branching.yaml", "escaping.yaml", "diamond.yaml"}) {
    CAPTURE(f);
    const auto root = bpmn_test::XmlReader(yilian::to_bpmn(*bpmn_test::fixture(f))).parse();
    CHECK(root->name == "bpmn:definitions");
    CHECK(root->attr("xmlns:zeebe") == "http://camunda.org/schema/zeebe/1.0");
    CHECK(root->attr("modeler:executionPlatform") == "Camunda Cloud");
    CHECK(root->attr("targetNamespace") != "");
    std::vector<const Element*> all{root.get()};
    root->all(all);
    for (const auto* e : all) {
      int last = -1;
      for (const auto& c : e->children) {
        const int r = rank(e->name, c->name);
        CHECK_MESSAGE(r >= last, e->name << " " << e->attr("id") << ": " << c->name << " out of order");
        last = std::max(last, r);
      }
    }
    // Lanes before flow elements; collaboration and process before the diagram.
    CHECK(root->children.back()->name == "bpmndi:BPMNDiagram");
  }
}

TEST_CASE("export.bpmn.xml.zeebe_extensions") {
  const auto chain = bpmn_test::fixture("branching.yaml");
  const auto root = bpmn_test::XmlReader(yilian::to_bpmn(*chain)).parse();
  const auto all = all_of(*root);
  for (const auto& mt : chain->matters) {
    CAPTURE(mt.id);
    const Element* task = by_id(all, "Task_" + mt.id);
    REQUIRE(task);
    CHECK(task->name == "bpmn:serviceTask");
    const Element* ext = nullptr;
    for (const auto& c : task->children)
      if (c->name == "bpmn:extensionElements") ext = c.get();
    REQUIRE(ext);
    std::vector<std::string> inputs, outputs;
    std::string type, matter_header;
    for (const auto* e : all_of(*ext)) {
      if (e->name == "zeebe:taskDefinition") type = e->attr("type");
      if (e->name == "zeebe:input") inputs.push_back(e->attr("target") + "<-" + e->attr("source"));
      if (e->name == "zeebe:output") outputs.push_back(e->attr("target") + "<-" + e->attr("source"));
      if (e->name == "zeebe:header" && e->attr("key") == "matter") matter_header = e->attr("value");
    }
    CHECK(type == "dept-" + mt.department);
    CHECK(matter_header == mt.id);
    REQUIRE(inputs.size() == mt.fields.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) CHECK(inputs[i] == mt.fields[i].id + "<-=" + mt.fields[i].id);
    CHECK(outputs.size() == mt.produces.size());
    // The timer: non-interrupting, on this task, promised days in calendar days.
    const Element* timer = by_id(all, "Timer_" + mt.id);
    REQUIRE(timer);
    CHECK(timer->attr("cancelActivity") == "false");
    CHECK(timer->attr("attachedToRef") == "Task_" + mt.id);
    std::string duration;
    for (const auto* e : all_of(*timer))
      if (e->name == "bpmn:timeDuration") duration = e->text;
    CHECK(duration == yilian::timer_duration(mt.promised_days));
  }
  CHECK(by_id(all, "Task_school-permit")->attr("name") == "民办幼儿园办学许可");
}

TEST_CASE("export.bpmn.layout.no_overlaps_and_inside_lanes") {
  using namespace yilian::detail::bpmn;
  for (const char* f : {"branching.yaml", "diamond.yaml", "escaping.yaml", "single.yaml"}) {
    CAPTURE(f);
    const auto chain = bpmn_test::fixture(f);
    Model m = build_model(*chain, {});
    layout(m);
    auto overlap = [](const Bounds& a, const Bounds& b) {
      return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
    };
    for (std::size_t i = 0; i < m.nodes.size(); ++i) {
      const Node& a = m.nodes[i];
      CHECK(a.bounds.w > 0);
      for (std::size_t j = i + 1; j < m.nodes.size(); ++j) {
        const Node& b = m.nodes[j];
        const bool related = a.attached_to == static_cast<int>(j) || b.attached_to == static_cast<int>(i) ||
                             a.parent == static_cast<int>(j) || b.parent == static_cast<int>(i);
        if (!related) CHECK_MESSAGE(!overlap(a.bounds, b.bounds), a.id << " overlaps " << b.id);
      }
      // Inside the lane of its department, and children inside their sub-process.
      const auto lane = std::find_if(m.lanes.begin(), m.lanes.end(), [&](const Lane& l) { return l.department == a.department; });
      REQUIRE(lane != m.lanes.end());
      CHECK(a.bounds.y >= lane->bounds.y);
      CHECK(a.bounds.bottom() <= lane->bounds.bottom());
      CHECK(a.bounds.x >= lane->bounds.x);
      CHECK(a.bounds.right() <= lane->bounds.right());
      if (a.parent >= 0 && a.kind != NodeKind::boundary_timer) {
        const Bounds& p = m.nodes[static_cast<std::size_t>(a.parent)].bounds;
        CHECK(a.bounds.x > p.x);
        CHECK(a.bounds.right() < p.right());
      }
    }
    for (const auto& fl : m.flows) {
      CAPTURE(fl.id);
      REQUIRE(fl.waypoints.size() >= 2);
      for (std::size_t k = 1; k < fl.waypoints.size(); ++k)
        CHECK((fl.waypoints[k].x == fl.waypoints[k - 1].x || fl.waypoints[k].y == fl.waypoints[k - 1].y));
      // Starts at its source's border, ends at its target's left edge or top.
      const Bounds& z = m.nodes[static_cast<std::size_t>(fl.target)].bounds;
      const auto& end = fl.waypoints.back();
      CHECK(((end.x == z.x && end.y > z.y && end.y < z.bottom()) || (end.y == z.y || end.x == z.x)));
    }
  }
}

TEST_CASE("load.field_values.shapes_and_types") {
  const auto chain = bpmn_test::fixture("branching.yaml");
  auto flat = yilian::parse_field_values("site.children_area: 1200\nschool.nature: for-profit\n", "f.yaml", chain.get());
  CHECK_FALSE(flat.diagnostics.has_errors());
  CHECK(std::get<std::int64_t>(flat.value().at("site.children_area")) == 1200);
  auto nested = yilian::parse_field_values(R"({"site": {"children_area": 999.5}, "school": {"serves_meals": false}})",
                                           "n.json", chain.get());
  CHECK_FALSE(nested.diagnostics.has_errors());
  CHECK(std::get<double>(nested.value().at("site.children_area")) == 999.5);
  CHECK(std::get<bool>(nested.value().at("school.serves_meals")) == false);
  auto app = yilian::parse_field_values("chain: bpmn-branching\nfields:\n  school.nature: nonprofit\n  canteen.area: ~\n",
                                        "a.yaml", chain.get());
  CHECK_FALSE(app.diagnostics.has_errors());
  CHECK(app.value().size() == 1);  // a null is no value
  // Errors: every one reported, with its line.
  auto bad = yilian::parse_field_values(
      "chain: other\nfields:\n  school.nature: public\n  school.serves_meals: 'yes'\n  site.childern_area: 5\n",
      "b.yaml", chain.get());
  REQUIRE(bad.diagnostics.error_count() == 4);
  CHECK_FALSE(bad.has_value());
  std::vector<std::string> codes;
  for (const auto& d : bad.diagnostics) codes.push_back(d.code);
  CHECK(codes == std::vector<std::string>{"chain-mismatch", "bad-enum", "bad-value", "unknown-field"});
  CHECK(bad.diagnostics.items()[3].hint == "did you mean `site.children_area`?");
  CHECK(bad.diagnostics.items()[3].where.line == 5);
}

TEST_CASE("export.bpmn.options.no_diagram_and_timer_factor") {
  const auto chain = bpmn_test::fixture("single.yaml");
  yilian::BpmnOptions o;
  o.diagram = false;
  o.calendar_days_per_working_day = 1.0;
  o.execution_platform_version = "8.6.0";
  const std::string xml = yilian::to_bpmn(*chain, o);
  CHECK(xml.find("bpmndi:") == std::string::npos);
  CHECK(xml.find("<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P5D</bpmn:timeDuration>") != std::string::npos);
  CHECK(xml.find("modeler:executionPlatformVersion=\"8.6.0\"") != std::string::npos);
  CHECK_NOTHROW(bpmn_test::XmlReader(xml).parse());
}

}  // namespace bpmn_xml_test
