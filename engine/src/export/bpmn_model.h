// The BPMN export in three steps over one model: build the process graph
// from the chain (bpmn_model.cpp), lay it out (bpmn_layout.cpp), write the
// XML (bpmn_xml.cpp). Internal; unit tests inspect the model directly.
#pragma once

#include <string>
#include <vector>

#include "yilian/bpmn.h"
#include "yilian/chain.h"

namespace yilian::detail::bpmn {

enum class NodeKind {
  start_event, end_event, service_task, parallel_gateway, exclusive_gateway, boundary_timer, sub_process
};

/// What a node does in the pattern (docs/bpmn.md).
enum class Role {
  accept,         ///< the start event: acceptance at the lead department
  accept_fork,    ///< parallel split after acceptance (more than one first matter)
  join,           ///< parallel join before a matter with several dependencies
  scope,          ///< embedded sub-process around a conditional matter
  scope_start,    ///< its start event
  applies,        ///< its exclusive split: the task, or (default) straight to the end
  task,           ///< the matter's service task
  applied,        ///< the sub-process's end event after the task
  skipped,        ///< the sub-process's end event when the matter does not apply
  fork,           ///< parallel split after a matter with several successors
  timer,          ///< non-interrupting boundary timer of the promised limit
  overdue,        ///< end event reached when the timer fires
  delivery_join,  ///< parallel join before delivery
  delivery,       ///< the delivery task (统一出件) at the lead department
  done,           ///< the end event
};

/// Sub-columns of a layout block, left to right. A conditional matter's
/// sub-process spans col_start to col_end.
enum Column { col_join = 0, col_start, col_applies, col_task, col_end, col_fork, col_count };

struct Point {
  double x = 0, y = 0;
};
struct Bounds {
  double x = 0, y = 0, w = 0, h = 0;
  [[nodiscard]] double cx() const { return x + w / 2; }
  [[nodiscard]] double cy() const { return y + h / 2; }
  [[nodiscard]] double right() const { return x + w; }
  [[nodiscard]] double bottom() const { return y + h; }
};

struct Node {
  std::string id;
  NodeKind kind = NodeKind::service_task;
  Role role = Role::task;
  std::string name;
  std::string department;      ///< lane
  int matter = -1;             ///< index in Chain::matters; -1 for chain-level nodes
  int parent = -1;             ///< the sub-process (node index) it lies in, or -1
  int item = -1;               ///< layout row owner (index in Model::items)
  Column column = col_task;    ///< sub-column within its item's block
  std::vector<int> incoming;   ///< flow indices
  std::vector<int> outgoing;
  int attached_to = -1;        ///< boundary timer: the task's node index
  int default_flow = -1;       ///< exclusive split: the default flow (matter does not apply)
  Bounds bounds;
  Bounds label;                ///< explicit label bounds when w > 0
};

struct Flow {
  std::string id;
  int source = -1, target = -1;   ///< node indices
  std::string name;
  const Condition* condition = nullptr;  ///< the `when` of an "applies" split's task flow
  bool is_default = false;
  bool between_items = false;     ///< joins two rows of the layout (long edge)
  std::vector<Point> waypoints;
};

/// One row owner of the layout: the acceptance, a matter, or the delivery.
struct Item {
  int matter = -1;               ///< chain index, -1 for acceptance and delivery
  std::string department;
  int block = 0;                 ///< layout block: 0 acceptance, 1 + stage, last delivery
  int reach = 0;                 ///< last block its outgoing edges run through
  std::vector<int> nodes;        ///< node indices
  std::vector<int> preds;        ///< items it follows (for row sharing)
  int row = 0;                   ///< row within its lane (layout)
};

struct Lane {
  std::string department;
  std::string id;
  std::string name;
  int rows = 1;
  std::vector<int> nodes;        ///< top-level node indices, in creation order
  Bounds bounds;
};

struct Model {
  const Chain* chain = nullptr;
  std::string process_id;
  std::vector<int> exported;     ///< chain indices of exported matters, topological order
  std::vector<int> skipped;      ///< chain indices the scenario leaves out
  std::vector<int> decided;      ///< chain indices whose condition the scenario made true
  std::vector<Node> nodes;
  std::vector<Flow> flows;
  std::vector<Item> items;
  std::vector<Lane> lanes;
  int blocks = 0;                ///< number of layout blocks
  Bounds pool;
};

/// Builds the process graph (nodes, flows, lanes, items) of a valid chain.
[[nodiscard]] Model build_model(const Chain& chain, const BpmnOptions& options);
/// Sets bounds, lane bounds and waypoints (the BPMNDI layout).
void layout(Model& model);
/// Writes the BPMN 2.0 XML.
[[nodiscard]] std::string write_xml(const Model& model, const BpmnOptions& options);

/// The condition with field labels instead of keys, 且/或/非 for and/or/not
/// (gateway labels shown to analysts).
[[nodiscard]] std::string condition_label(const Chain& chain, const Expr& e);

}  // namespace yilian::detail::bpmn
