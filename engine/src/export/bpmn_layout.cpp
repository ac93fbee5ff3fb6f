// A layered left-to-right layout for the BPMN diagram (BPMNDI).
//
// Columns: one block per stage of the chain (the longest path of `after`),
// with the acceptance before the first and the delivery after the last.
// Inside a block, gateways and tasks keep their own sub-columns: join,
// then for a conditional matter its sub-process (start, "applies?" split,
// task, end events), then fork.
//
// Rows: every matter owns a row in its department's lane from its block up
// to the last block its outgoing flows run through, so a flow that skips
// stages runs along its source's own row and never crosses a shape. A matter
// takes over a predecessor's row when that row ends just before it (a
// straight line), otherwise the first free row, otherwise a new one. Flows
// change rows only in the gaps between blocks, each on its own vertical
// track. Inside a conditional matter's sub-process the default flow runs
// above the task to the "不适用" end; the timer and its end event sit below.
#include <algorithm>
#include <array>
#include <map>

#include "export/bpmn_model.h"

namespace yilian::detail::bpmn {
namespace {

constexpr double kTaskW = 150, kTaskH = 80, kGateway = 50, kEvent = 36;
constexpr double kRowAbove = 60;     // room for the default flow above a task
constexpr double kRowH = 250;        // a row: default flow, task, timer and its end event
constexpr double kSkipY = 32;        // the default flow and the "不适用" end, from the row top
constexpr double kScopePad = 4;      // a sub-process inside its row, top and bottom
constexpr double kScopeSide = 20;    // a sub-process around its first and last sub-column
constexpr double kColGap = 40;       // between sub-columns of a block
constexpr double kGapBase = 50;      // between blocks, before vertical tracks
constexpr double kGapStep = 10;      // per vertical track
constexpr int kGapTracks = 12;       // tracks before they are reused
constexpr double kPoolX = 100, kPoolY = 80;
constexpr double kLabelBand = 30;    // participant and lane name bands

void size_nodes(Model& m) {
  for (auto& n : m.nodes) {
    switch (n.kind) {
      case NodeKind::service_task: n.bounds.w = kTaskW, n.bounds.h = kTaskH; break;
      case NodeKind::parallel_gateway:
      case NodeKind::exclusive_gateway: n.bounds.w = n.bounds.h = kGateway; break;
      case NodeKind::sub_process: break;  // spans its children (layout)
      default: n.bounds.w = n.bounds.h = kEvent;
    }
  }
}

/// Rows within each lane (see the file comment).
void assign_rows(Model& m) {
  for (const auto& f : m.flows) {
    if (!f.between_items) continue;
    auto& src = m.items[static_cast<std::size_t>(m.nodes[static_cast<std::size_t>(f.source)].item)];
    const auto& dst = m.items[static_cast<std::size_t>(m.nodes[static_cast<std::size_t>(f.target)].item)];
    src.reach = std::max(src.reach, dst.block - 1);
  }
  std::map<std::string, std::vector<int>> rows_last;  // lane -> last item of each row
  std::vector<int> order(m.items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return m.items[static_cast<std::size_t>(a)].block < m.items[static_cast<std::size_t>(b)].block;
  });
  for (int idx : order) {
    Item& it = m.items[static_cast<std::size_t>(idx)];
    auto& rows = rows_last[it.department];
    int chosen = -1;
    for (std::size_t r = 0; r < rows.size() && chosen < 0; ++r) {
      const Item& last = m.items[static_cast<std::size_t>(rows[r])];
      const bool follows = std::find(it.preds.begin(), it.preds.end(), rows[r]) != it.preds.end();
      if (follows && last.reach <= it.block - 1) chosen = static_cast<int>(r);
    }
    for (std::size_t r = 0; r < rows.size() && chosen < 0; ++r)
      if (m.items[static_cast<std::size_t>(rows[r])].reach < it.block - 1) chosen = static_cast<int>(r);
    if (chosen < 0) {
      chosen = static_cast<int>(rows.size());
      rows.push_back(idx);
    }
    rows[static_cast<std::size_t>(chosen)] = idx;
    it.row = chosen;
  }
  for (auto& lane : m.lanes) lane.rows = std::max<int>(1, static_cast<int>(rows_last[lane.department].size()));
}

}  // namespace

void layout(Model& m) {
  size_nodes(m);
  assign_rows(m);

  // Lanes, top to bottom; the centre line of each item's row.
  std::map<std::string, double> lane_top;
  double y = kPoolY;
  for (auto& lane : m.lanes) {
    lane_top[lane.department] = y;
    lane.bounds = {kPoolX + kLabelBand, y, 0, lane.rows * kRowH};
    y += lane.bounds.h;
  }
  std::vector<double> row_top(m.items.size());
  for (std::size_t i = 0; i < m.items.size(); ++i)
    row_top[i] = lane_top[m.items[i].department] + m.items[i].row * kRowH;
  auto centre_y = [&](const Node& n) { return row_top[static_cast<std::size_t>(n.item)] + kRowAbove + kTaskH / 2; };
  // Where flows attach: the row's centre line (a sub-process is taller).
  auto port_y = [&](const Node& n) { return n.role == Role::scope ? centre_y(n) : n.bounds.cy(); };

  // Vertical tracks: flows between rows whose ends are not on one line,
  // grouped by the block they enter, ordered by target then source height.
  std::vector<std::vector<int>> tracks(static_cast<std::size_t>(m.blocks));
  for (std::size_t f = 0; f < m.flows.size(); ++f) {
    const Flow& fl = m.flows[f];
    if (!fl.between_items) continue;
    const Node& s = m.nodes[static_cast<std::size_t>(fl.source)];
    const Node& t = m.nodes[static_cast<std::size_t>(fl.target)];
    if (centre_y(s) == centre_y(t)) continue;
    tracks[static_cast<std::size_t>(m.items[static_cast<std::size_t>(t.item)].block)].push_back(static_cast<int>(f));
  }
  for (auto& tr : tracks)
    std::stable_sort(tr.begin(), tr.end(), [&](int a, int b) {
      const Flow& fa = m.flows[static_cast<std::size_t>(a)];
      const Flow& fb = m.flows[static_cast<std::size_t>(b)];
      const double ta = centre_y(m.nodes[static_cast<std::size_t>(fa.target)]);
      const double tb = centre_y(m.nodes[static_cast<std::size_t>(fb.target)]);
      if (ta != tb) return ta < tb;
      return centre_y(m.nodes[static_cast<std::size_t>(fa.source)]) < centre_y(m.nodes[static_cast<std::size_t>(fb.source)]);
    });

  // Blocks and their sub-columns, left to right.
  std::vector<std::array<double, col_count>> col_w(static_cast<std::size_t>(m.blocks));
  for (auto& w : col_w) w.fill(0);
  for (const auto& n : m.nodes) {
    if (n.role == Role::timer || n.role == Role::overdue || n.role == Role::scope) continue;
    auto& w = col_w[static_cast<std::size_t>(m.items[static_cast<std::size_t>(n.item)].block)][n.column];
    w = std::max(w, n.bounds.w);
  }
  std::vector<std::array<double, col_count>> col_x(static_cast<std::size_t>(m.blocks));
  std::vector<double> gap_left(static_cast<std::size_t>(m.blocks), 0);
  double x = kPoolX + 2 * kLabelBand + 30;
  for (std::size_t b = 0; b < col_x.size(); ++b) {
    if (b > 0) {
      gap_left[b] = x;
      const auto n = std::min<std::size_t>(tracks[b].size(), kGapTracks);
      x += kGapBase + kGapStep * static_cast<double>(n > 0 ? n - 1 : 0);
    }
    bool any = false;
    for (int c = 0; c < col_count; ++c) {
      // Room for a sub-process's border before its start and after its end.
      if (c == col_start && col_w[b][col_start] > 0) x += kScopeSide;
      col_x[b][static_cast<std::size_t>(c)] = x;
      if (col_w[b][static_cast<std::size_t>(c)] > 0) {
        x += col_w[b][static_cast<std::size_t>(c)] + kColGap;
        any = true;
        if (c == col_end && col_w[b][col_start] > 0) x += kScopeSide;
      }
    }
    if (any) x -= kColGap;
  }
  const double right = x + 40;

  // Nodes: centred in their sub-column and row; timers on their task's
  // lower edge, their end events below.
  for (auto& n : m.nodes) {
    if (n.role == Role::timer || n.role == Role::overdue) continue;
    const auto b = static_cast<std::size_t>(m.items[static_cast<std::size_t>(n.item)].block);
    const double top = row_top[static_cast<std::size_t>(n.item)];
    if (n.role == Role::scope) {
      const double left = col_x[b][col_start] - kScopeSide;
      n.bounds = {left, top + kScopePad, col_x[b][col_end] + col_w[b][col_end] + kScopeSide - left, kRowH - 2 * kScopePad};
      continue;
    }
    const double cx = col_x[b][n.column] + col_w[b][n.column] / 2;
    const double cy = n.role == Role::skipped ? top + kSkipY : centre_y(n);
    n.bounds.x = cx - n.bounds.w / 2;
    n.bounds.y = cy - n.bounds.h / 2;
  }
  for (auto& n : m.nodes) {
    if (n.role != Role::timer) continue;
    const Bounds& task = m.nodes[static_cast<std::size_t>(n.attached_to)].bounds;
    n.bounds.x = task.x + 30 - kEvent / 2;
    n.bounds.y = task.bottom() - kEvent / 2;
    n.label = {n.bounds.cx() + 6, task.bottom() + 22, 56, 14};
    Node& end = m.nodes[static_cast<std::size_t>(m.flows[static_cast<std::size_t>(n.outgoing.front())].target)];
    end.bounds.x = n.bounds.cx() + 90 - kEvent / 2;
    end.bounds.y = task.bottom() + 55 - kEvent / 2;
  }

  // Event names below their circle (modelers would guess the same, but an
  // explicit label keeps them clear of the flows).
  for (auto& n : m.nodes)
    if ((n.kind == NodeKind::start_event || n.kind == NodeKind::end_event) && !n.name.empty())
      n.label = {n.bounds.cx() - 40, n.bounds.bottom() + 4, 80, 14};

  // Waypoints.
  std::vector<double> track_x(m.flows.size(), 0);
  for (std::size_t b = 0; b < tracks.size(); ++b)
    for (std::size_t i = 0; i < tracks[b].size(); ++i)
      track_x[static_cast<std::size_t>(tracks[b][i])] =
          gap_left[b] + kGapBase / 2 + kGapStep * static_cast<double>(i % kGapTracks);
  for (std::size_t f = 0; f < m.flows.size(); ++f) {
    Flow& fl = m.flows[f];
    const Node& s = m.nodes[static_cast<std::size_t>(fl.source)];
    const Node& t = m.nodes[static_cast<std::size_t>(fl.target)];
    const Bounds& a = s.bounds;
    const Bounds& z = t.bounds;
    if (s.role == Role::timer) {
      fl.waypoints = {{a.cx(), a.bottom()}, {a.cx(), z.cy()}, {z.x, z.cy()}};
    } else if (fl.is_default) {
      fl.waypoints = {{a.cx(), a.y}, {a.cx(), z.cy()}, {z.x, z.cy()}};
    } else if (port_y(s) == port_y(t)) {
      fl.waypoints = {{a.right(), port_y(s)}, {z.x, port_y(t)}};
    } else {
      const double tx = track_x[f];
      fl.waypoints = {{a.right(), port_y(s)}, {tx, port_y(s)}, {tx, port_y(t)}, {z.x, port_y(t)}};
    }
  }

  m.pool = {kPoolX, kPoolY, right - kPoolX, y - kPoolY};
  for (auto& lane : m.lanes) lane.bounds.w = m.pool.w - kLabelBand;
}

}  // namespace yilian::detail::bpmn
