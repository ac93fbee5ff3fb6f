// BPMN 2.0 XML of a laid-out model, in the element order of the BPMN 2.0
// XSD (definitions: rootElements then BPMNDiagram; process: documentation,
// extensionElements, laneSet, flowElements; a flow node: documentation,
// extensionElements, incoming, outgoing, then event definitions), with
// Camunda 8 / Zeebe extension elements.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "export/bpmn_model.h"
#include "export/xml_escape.h"

namespace yilian::detail::bpmn {
namespace {

constexpr std::string_view kExporterVersion = "0.1.0";

std::string esc_text(std::string_view s) { return xml_text(s); }
std::string esc_attr(std::string_view s) { return xml_attr(s); }

std::string num(double v) { return fmt::format("{}", v); }

std::string_view tag(NodeKind k) {
  switch (k) {
    case NodeKind::start_event: return "bpmn:startEvent";
    case NodeKind::end_event: return "bpmn:endEvent";
    case NodeKind::service_task: return "bpmn:serviceTask";
    case NodeKind::parallel_gateway: return "bpmn:parallelGateway";
    case NodeKind::exclusive_gateway: return "bpmn:exclusiveGateway";
    case NodeKind::boundary_timer: return "bpmn:boundaryEvent";
    case NodeKind::sub_process: return "bpmn:subProcess";
  }
  return "bpmn:task";
}

std::string dept_name(const Chain& c, const std::string& id) {
  const Department* d = c.find_department(id);
  return d ? d->name : id;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

class Writer {
 public:
  Writer(const Model& m, const BpmnOptions& o) : m_(m), c_(*m.chain), o_(o) {
    children_.resize(m.nodes.size() + 1);
    inner_flows_.resize(m.nodes.size() + 1);
    for (std::size_t i = 0; i < m.nodes.size(); ++i)
      children_[static_cast<std::size_t>(m.nodes[i].parent + 1)].push_back(static_cast<int>(i));
    for (std::size_t f = 0; f < m.flows.size(); ++f)
      inner_flows_[static_cast<std::size_t>(node(m.flows[f].source).parent + 1)].push_back(static_cast<int>(f));
  }

  std::string run() {
    out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out_ += fmt::format(
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
        "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" "
        "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" "
        "xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\" "
        "xmlns:modeler=\"http://camunda.org/schema/modeler/1.0\" "
        "id=\"Definitions_{0}\" targetNamespace=\"urn:yilian:chain:{0}:{1}\" "
        "exporter=\"yilian\" exporterVersion=\"{2}\" "
        "modeler:executionPlatform=\"Camunda Cloud\" modeler:executionPlatformVersion=\"{3}\">\n",
        esc_attr(m_.process_id), c_.version, kExporterVersion, esc_attr(o_.execution_platform_version));
    collaboration();
    process();
    if (o_.diagram) diagram();
    out_ += "</bpmn:definitions>\n";
    return std::move(out_);
  }

 private:
  void line(int indent, std::string_view s) {
    out_.append(static_cast<std::size_t>(indent) * 2, ' ');
    out_ += s;
    out_ += '\n';
  }

  void documentation(int indent, const std::string& text) {
    if (text.empty()) return;
    line(indent, fmt::format("<bpmn:documentation>{}</bpmn:documentation>", esc_text(text)));
  }

  void collaboration() {
    line(1, fmt::format("<bpmn:collaboration id=\"Collaboration_{}\">", esc_attr(m_.process_id)));
    line(2, fmt::format("<bpmn:participant id=\"Participant_{0}\" name=\"{1}\" processRef=\"{0}\" />",
                        esc_attr(m_.process_id), esc_attr(fmt::format("{}（{} v{}）", c_.name, c_.id, c_.version))));
    line(1, "</bpmn:collaboration>");
  }

  std::string process_doc() const {
    std::string d = fmt::format("{}（{}，第 {} 版）", c_.name, c_.id, c_.version);
    if (!c_.description.empty()) d += "\n" + c_.description;
    d += fmt::format("\n牵头部门：{}（{}），一窗受理、统一出件。", dept_name(c_, c_.lead), c_.lead);
    d += fmt::format("\n整链承诺时限：{}", label(c_.promised()));
    if (auto stat = c_.statutory()) d += fmt::format("；法定时限：{}", label(*stat));
    d += "。";
    if (o_.scenario) {
      std::vector<std::string> skipped, decided;
      for (int i : m_.skipped) skipped.push_back(c_.matters[static_cast<std::size_t>(i)].id);
      for (int i : m_.decided) decided.push_back(c_.matters[static_cast<std::size_t>(i)].id);
      d += "\n按给定表单预先判断条件：";
      d += skipped.empty() ? "无不适用事项" : "不适用（已略去）：" + join(skipped, ", ");
      if (!decided.empty()) d += "；适用（条件已去掉）：" + join(decided, ", ");
      d += "。";
    }
    d += "\n由 yilian 从链定义生成（yilian graph --format bpmn）；请修改链定义后重新生成，而不是编辑本文件。";
    return d;
  }

  void process() {
    line(1, fmt::format("<bpmn:process id=\"{}\" name=\"{}\" isExecutable=\"true\">", esc_attr(m_.process_id),
                        esc_attr(c_.name)));
    documentation(2, process_doc());
    line(2, fmt::format("<bpmn:laneSet id=\"LaneSet_{}\">", esc_attr(m_.process_id)));
    for (const auto& lane : m_.lanes) {
      line(3, fmt::format("<bpmn:lane id=\"{}\" name=\"{}\">", esc_attr(lane.id), esc_attr(lane.name)));
      for (int n : lane.nodes)
        line(4, fmt::format("<bpmn:flowNodeRef>{}</bpmn:flowNodeRef>", esc_text(node(n).id)));
      line(3, "</bpmn:lane>");
    }
    line(2, "</bpmn:laneSet>");
    flow_elements(-1, 2);
    line(1, "</bpmn:process>");
  }

  /// The nodes and flows directly inside `scope` (-1: the process).
  void flow_elements(int scope, int indent) {
    for (int n : children_[static_cast<std::size_t>(scope + 1)]) flow_node(n, indent);
    for (int f : inner_flows_[static_cast<std::size_t>(scope + 1)]) sequence_flow(m_.flows[static_cast<std::size_t>(f)], indent);
  }

  const Node& node(int i) const { return m_.nodes[static_cast<std::size_t>(i)]; }
  const Matter* matter(const Node& n) const {
    return n.matter >= 0 ? &c_.matters[static_cast<std::size_t>(n.matter)] : nullptr;
  }

  /// The condition in words with labels, then as written: 经营类型 ≠ “宾馆”（`venue.type != 'hotel'`）.
  std::string when_words(const Matter& mt) const {
    return fmt::format("{}（`{}`）", condition_label(c_, mt.when.root()), mt.when.text());
  }

  std::string task_doc(const Matter& mt) const {
    std::string d = fmt::format("事项：{}（{}）\n实施部门：{}（{}）\n事项类型：{}", mt.name, mt.id,
                                dept_name(c_, mt.department), mt.department, to_string(mt.kind));
    if (!mt.code.empty()) d += "；实施编码：" + mt.code;
    d += fmt::format("\n承诺办结时限：{}", label(mt.promised()));
    if (mt.promised().in_working_days())
      d += fmt::format("；计时器 {}，按每个工作日 {} 个日历日近似（BPMN 没有工作日历）",
                       timer_duration(mt.promised(), o_.calendar_days_per_working_day), o_.calendar_days_per_working_day);
    else
      d += fmt::format("；计时器 {}", timer_duration(mt.promised(), o_.calendar_days_per_working_day));
    d += fmt::format("\n法定办结时限：{}", label(mt.statutory()));
    if (mt.uncounted_days() > 0) d += fmt::format("；另有不计时环节 {} 个工作日（行政许可法第四十五条）", mt.uncounted_days());
    if (!mt.basis.empty()) d += "\n设定依据：" + mt.basis;
    if (!mt.after.empty()) {
      std::vector<std::string> a;
      for (const auto& r : mt.after) a.push_back(r.id);
      d += "\n前置事项：" + join(a, ", ");
    }
    if (mt.conditional()) d += "\n适用条件：" + when_words(mt);
    if (!mt.description.empty()) d += "\n" + mt.description;
    return d;
  }

  void zeebe_task(int indent, const Node& n, const Matter* mt) {
    line(indent, "<bpmn:extensionElements>");
    line(indent + 1, fmt::format("<zeebe:taskDefinition type=\"dept-{}\" />", esc_attr(n.department)));
    std::vector<std::string> inputs, outputs;
    std::set<std::string> roots;
    if (mt) {
      for (const auto& f : mt->fields) inputs.push_back(f.id);
      for (const auto& f : mt->produces) outputs.push_back(f.key);
      for (const auto& k : inputs) roots.insert(k.substr(0, k.find('.')));
    }
    if (!inputs.empty() || !outputs.empty()) {
      line(indent + 1, "<zeebe:ioMapping>");
      for (const auto& k : inputs)
        line(indent + 2, fmt::format("<zeebe:input source=\"={}\" target=\"{}\" />", esc_attr(feel_path(k)), esc_attr(k)));
      for (const auto& k : outputs)
        line(indent + 2, fmt::format("<zeebe:output source=\"={}\" target=\"{}\" />", esc_attr(feel_path(k)), esc_attr(k)));
      line(indent + 1, "</zeebe:ioMapping>");
    }
    line(indent + 1, "<zeebe:taskHeaders>");
    auto header = [&](std::string_view k, const std::string& v) {
      line(indent + 2, fmt::format("<zeebe:header key=\"{}\" value=\"{}\" />", k, esc_attr(v)));
    };
    header("kind", mt ? "matter" : "delivery");
    header("chain", c_.id);
    header("chainVersion", std::to_string(c_.version));
    header("department", n.department);
    if (mt) {
      header("matter", mt->id);
      header("promisedDays", std::to_string(mt->promised_days));
      header("statutoryDays", std::to_string(mt->statutory_days));
      if (!roots.empty()) header("fetchVariables", join({roots.begin(), roots.end()}, ","));
    }
    line(indent + 1, "</zeebe:taskHeaders>");
    line(indent, "</bpmn:extensionElements>");
  }

  void flow_node(int index, int indent) {
    const Node& n = node(index);
    std::string attrs = fmt::format("id=\"{}\"", esc_attr(n.id));
    if (!n.name.empty()) attrs += fmt::format(" name=\"{}\"", esc_attr(n.name));
    if (n.kind == NodeKind::boundary_timer)
      attrs += fmt::format(" cancelActivity=\"false\" attachedToRef=\"{}\"", esc_attr(node(n.attached_to).id));
    if (n.default_flow >= 0)
      attrs += fmt::format(" default=\"{}\"", esc_attr(m_.flows[static_cast<std::size_t>(n.default_flow)].id));
    const std::string_view t = tag(n.kind);
    line(indent, fmt::format("<{} {}>", t, attrs));
    const Matter* mt = matter(n);
    switch (n.role) {
      case Role::accept:
        documentation(indent + 1, fmt::format("{}一窗受理：申请材料齐全、符合法定形式，整链开始计时。", dept_name(c_, c_.lead)));
        break;
      case Role::task: documentation(indent + 1, task_doc(*mt)); break;
      case Role::delivery:
        documentation(indent + 1, fmt::format("{}统一出件：各事项办结后，办理结果在同一窗口一次交付（可快递送达）。",
                                     dept_name(c_, c_.lead)));
        break;
      case Role::scope:
        documentation(indent + 1, fmt::format("条件事项“{}”：适用条件 {}；适用时办理，不适用时直接结束，"
                                              "后续事项不再等待它。", mt->name, when_words(*mt)));
        break;
      case Role::applies:
        documentation(indent + 1, fmt::format("事项“{}”是否适用：{}", mt->name, when_words(*mt)));
        break;
      case Role::timer:
        documentation(indent + 1, fmt::format("承诺办结时限 {}，计时 {}{}；不中断办理，到期转督办。", label(mt->promised()),
                                     timer_duration(mt->promised(), o_.calendar_days_per_working_day),
                                     mt->promised().in_working_days()
                                         ? fmt::format("（每个工作日按 {} 个日历日近似）", o_.calendar_days_per_working_day)
                                         : std::string()));
        break;
      default: break;
    }
    if (n.kind == NodeKind::service_task) zeebe_task(indent + 1, n, mt);
    for (int f : n.incoming)
      line(indent + 1, fmt::format("<bpmn:incoming>{}</bpmn:incoming>", esc_text(m_.flows[static_cast<std::size_t>(f)].id)));
    for (int f : n.outgoing)
      line(indent + 1, fmt::format("<bpmn:outgoing>{}</bpmn:outgoing>", esc_text(m_.flows[static_cast<std::size_t>(f)].id)));
    if (n.kind == NodeKind::boundary_timer) {
      line(indent + 1, fmt::format("<bpmn:timerEventDefinition id=\"TimerDefinition_{}\">", esc_attr(mt->id)));
      line(indent + 2, fmt::format("<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">{}</bpmn:timeDuration>",
                          timer_duration(mt->promised(), o_.calendar_days_per_working_day)));
      line(indent + 1, "</bpmn:timerEventDefinition>");
    }
    if (n.kind == NodeKind::sub_process) flow_elements(index, indent + 1);
    line(indent, fmt::format("</{}>", t));
  }

  void sequence_flow(const Flow& f, int indent) {
    std::string attrs = fmt::format("id=\"{}\"", esc_attr(f.id));
    if (!f.name.empty()) attrs += fmt::format(" name=\"{}\"", esc_attr(f.name));
    attrs += fmt::format(" sourceRef=\"{}\" targetRef=\"{}\"", esc_attr(node(f.source).id), esc_attr(node(f.target).id));
    if (!f.condition) {
      line(indent, fmt::format("<bpmn:sequenceFlow {} />", attrs));
      return;
    }
    line(indent, fmt::format("<bpmn:sequenceFlow {}>", attrs));
    documentation(indent + 1, "when: " + f.condition->text());
    line(indent + 1, fmt::format("<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">={}</bpmn:conditionExpression>",
                        esc_text(to_feel(*f.condition))));
    line(indent, "</bpmn:sequenceFlow>");
  }

  void bounds(int indent, const Bounds& b) {
    line(indent, fmt::format("<dc:Bounds x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" />", num(b.x), num(b.y), num(b.w),
                             num(b.h)));
  }

  void diagram() {
    line(1, fmt::format("<bpmndi:BPMNDiagram id=\"Diagram_{}\">", esc_attr(m_.process_id)));
    line(2, fmt::format("<bpmndi:BPMNPlane id=\"Plane_{0}\" bpmnElement=\"Collaboration_{0}\">", esc_attr(m_.process_id)));
    line(3, fmt::format("<bpmndi:BPMNShape id=\"Participant_{0}_di\" bpmnElement=\"Participant_{0}\" isHorizontal=\"true\">",
                        esc_attr(m_.process_id)));
    bounds(4, m_.pool);
    line(3, "</bpmndi:BPMNShape>");
    for (const auto& lane : m_.lanes) {
      line(3, fmt::format("<bpmndi:BPMNShape id=\"{0}_di\" bpmnElement=\"{0}\" isHorizontal=\"true\">", esc_attr(lane.id)));
      bounds(4, lane.bounds);
      line(3, "</bpmndi:BPMNShape>");
    }
    // Tasks before their boundary events, so modelers draw timers on top.
    for (const auto& n : m_.nodes) {
      std::string extra = n.kind == NodeKind::exclusive_gateway ? " isMarkerVisible=\"true\""
                          : n.kind == NodeKind::sub_process     ? " isExpanded=\"true\""
                                                                : "";
      line(3, fmt::format("<bpmndi:BPMNShape id=\"{0}_di\" bpmnElement=\"{0}\"{1}>", esc_attr(n.id), extra));
      bounds(4, n.bounds);
      if (n.label.w > 0) {
        line(4, "<bpmndi:BPMNLabel>");
        bounds(5, n.label);
        line(4, "</bpmndi:BPMNLabel>");
      }
      line(3, "</bpmndi:BPMNShape>");
    }
    for (const auto& f : m_.flows) {
      line(3, fmt::format("<bpmndi:BPMNEdge id=\"{0}_di\" bpmnElement=\"{0}\">", esc_attr(f.id)));
      for (const auto& p : f.waypoints) line(4, fmt::format("<di:waypoint x=\"{}\" y=\"{}\" />", num(p.x), num(p.y)));
      line(3, "</bpmndi:BPMNEdge>");
    }
    line(2, "</bpmndi:BPMNPlane>");
    line(1, "</bpmndi:BPMNDiagram>");
  }

  const Model& m_;
  const Chain& c_;
  const BpmnOptions& o_;
  std::vector<std::vector<int>> children_;     ///< by parent + 1: node indices
  std::vector<std::vector<int>> inner_flows_;  ///< by parent + 1 of the source: flow indices
  std::string out_;
};

}  // namespace

std::string write_xml(const Model& m, const BpmnOptions& o) { return Writer(m, o).run(); }

}  // namespace yilian::detail::bpmn

namespace yilian {

std::string to_bpmn(const Chain& chain, const BpmnOptions& options) {
  detail::bpmn::Model m = detail::bpmn::build_model(chain, options);
  if (options.diagram) detail::bpmn::layout(m);
  return detail::bpmn::write_xml(m, options);
}

}  // namespace yilian
