// The simulation report: one HTML page, inline CSS and SVG, no script and
// nothing fetched, so it opens anywhere (a browser, an e-mail attachment,
// an intranet without internet access).
#include <fmt/format.h>

#include "analysis/graph.h"
#include "export/sim_charts.h"
#include "export/svg.h"
#include "yilian/analysis.h"
#include "yilian/report.h"

namespace yilian {
namespace {

using detail::svg::esc;
using detail::svg::label;

constexpr const char* kReportStyle = R"~(
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d8dee6; --accent: #2f6db5; --late: #c2410c; --ok: #3a9e5c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f8fa;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.55; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 2px 0; color: var(--muted); }
h2 { font-size: 19px; margin: 0 0 4px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 18px 0; }
section > p.lead { margin: 0 0 10px; color: var(--muted); }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 10px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.kpi b { display: block; font-size: 22px; }
.kpi span { color: var(--muted); font-size: 13px; }
figure { margin: 0; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figure.wide svg { max-width: none; }
svg text { font-family: inherit; fill: var(--ink); }
svg .tick, svg .note, svg .slack, svg .legend { font-size: 11px; fill: var(--muted); }
svg .axis-title { font-size: 12px; fill: var(--muted); }
svg .label, svg .value, svg .panel-title { font-size: 13px; }
svg .label.critical { font-weight: 700; }
svg .grid { stroke: #eef1f4; }
svg .axis { stroke: #9aa5b1; }
svg .bar { fill: var(--accent); }
svg .bar.late { fill: #e08a5d; }
svg .bar.bottleneck { stroke: var(--late); stroke-width: 2; }
svg .bar.chain { fill: var(--accent); }
svg .bar.separate { fill: #b9c2cc; }
svg .saved { font-size: 13px; fill: var(--ok); font-weight: 700; }
svg .limit { stroke-width: 2; }
svg .limit.promised { stroke: var(--late); }
svg .limit.statutory { stroke: #7a1f1f; stroke-dasharray: 6 4; }
svg .limit.reference { stroke: var(--late); stroke-dasharray: 4 4; stroke-width: 1; }
svg .quantile { stroke: var(--muted); stroke-dasharray: 2 3; }
svg .marker-label { font-size: 12px; }
svg .marker-label.promised { fill: var(--late); }
svg .series { fill: none; stroke-width: 2; }
svg .legend-line { stroke-width: 3; }
svg .gantt-bar { fill: #8fb3de; }
svg .gantt-bar.critical { fill: var(--late); }
svg .node rect { fill: #fff; stroke: #8795a5; stroke-width: 1.2; }
svg .node.terminal rect { fill: #e8f0fa; stroke: var(--accent); }
svg .node.critical > rect:first-of-type { stroke: var(--late); stroke-width: 2.2; }
svg .node.conditional > rect:first-of-type { stroke-dasharray: 6 4; }
svg .node-title { font-size: 13px; font-weight: 700; }
svg .node-sub { font-size: 11px; fill: var(--muted); }
svg .node-when { font-size: 10px; fill: var(--muted); }
svg .edge { fill: none; stroke: #55606e; stroke-width: 1.4; }
svg .edge.conditional { stroke-dasharray: 5 4; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.bottleneck td { background: #fff4ec; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
)~";

std::string pct(double x) { return label(100 * x, 1) + "%"; }

std::string dept_name(const Chain& c, const std::string& id) {
  const Department* d = c.find_department(id);
  return d ? d->name : id;
}

std::string kpi(const std::string& value, const std::string& what) {
  return fmt::format(R"~(<div class="kpi"><b>{}</b><span>{}</span></div>)~", esc(value), esc(what));
}

std::string matter_table(const Chain& c, const RegimeResult& r, const std::string& bottleneck) {
  std::string s =
      R"~(<table id="table-matters"><thead><tr><th>事项 Matter</th><th>部门</th><th class="n">平均等待</th><th class="n">p90 等待</th>)~"
      R"~(<th class="n">平均办理</th><th class="n">利用率</th><th class="n">适用</th><th class="n">补正</th><th class="n">不予许可</th></tr></thead><tbody>)~";
  for (const auto& m : r.matters) {
    const Matter* mt = c.find_matter(m.id);
    s += fmt::format(
        R"~(<tr{}><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>)~",
        m.id == bottleneck ? R"~( class="bottleneck")~" : "", esc(mt ? mt->name : m.id), esc(dept_name(c, m.department)),
        label(m.wait_days.mean, 2), label(m.wait_days.p90, 2), label(m.service_days.mean, 2), pct(m.utilisation),
        r.cases ? pct(static_cast<double>(m.applied) / static_cast<double>(r.cases)) : "–", m.supplements, m.rejections);
  }
  return s + "</tbody></table>";
}

std::string department_table(const Chain& c, const RegimeResult& r, const std::string& bottleneck) {
  std::string s =
      R"~(<table id="table-departments"><thead><tr><th>部门 Department</th><th class="n">人员</th><th class="n">利用率</th>)~"
      R"~(<th class="n">平均排队</th><th class="n">最长排队</th></tr></thead><tbody>)~";
  for (const auto& d : r.departments)
    s += fmt::format(R"~(<tr{}><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>)~",
                     d.id == bottleneck ? R"~( class="bottleneck")~" : "", esc(dept_name(c, d.id)), d.officers,
                     pct(d.utilisation), label(d.mean_queue, 2), d.max_queue);
  return s + "</tbody></table>";
}

std::string assumptions(const Chain& c, const Scenario& s, const SimulationResult& r, const std::string& source) {
  std::string arrivals = s.trace.empty() ? fmt::format("泊松到达，每工作日 {} 件", label(s.arrival_rate, 3))
                                         : fmt::format("到达记录 {}（{} 件）", s.trace_source, s.trace.size());
  std::string out = fmt::format(
      "<p>场景 {} · 日历 {} · 随机种子 {} · {} 次重复，每次 {} 个工作日（自 {} 起，前 {} 日不计）· {}</p>",
      esc(source.empty() ? "（命令行选项与默认值）" : source), esc(r.calendar), r.seed, r.replications, s.days.value_or(250),
      s.start.to_string(), s.warmup_days, esc(arrivals));
  std::string staff;
  for (const auto& d : r.result.departments)
    staff += fmt::format("{}{} {} 人", staff.empty() ? "" : "，", esc(dept_name(c, d.id)), d.officers);
  return out + "<p>人员：" + staff + "</p>";
}

}  // namespace

std::string simulation_report_html(const Chain& chain, const Scenario& scenario, const SimulationResult& result,
                                   const std::string& scenario_source) {
  const RegimeResult& g = result.result;
  const Limit statutory = chain.statutory().value_or(Limit{kJointHandlingCeilingDays});
  const Analysis a = detail::analyse(chain, detail::build_graph(chain), nullptr, std::nullopt);
  std::string h = "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">";
  h += R"~(<meta name="viewport" content="width=device-width, initial-scale=1">)~";
  h += fmt::format("<title>{} · 仿真报告 simulation report</title><style>{}</style></head><body><main>", esc(chain.name), kReportStyle);
  h += fmt::format("<header><h1>{} · 办理仿真报告</h1><p>Simulation of the chain <code>{}</code> v{} — lead department {}</p>{}</header>",
                   esc(chain.name), esc(chain.id), chain.version, esc(dept_name(chain, chain.lead)),
                   assumptions(chain, scenario, result, scenario_source));

  h += R"~(<div class="kpis">)~";
  h += kpi(std::to_string(g.cases), "办结件数 cases delivered");
  h += kpi(label(g.lead_time_days.mean) + " 日", "平均办理时长 mean lead time");
  h += kpi(label(g.lead_time_days.p90) + " 日", "90% 分位 p90 lead time");
  h += kpi(pct(g.on_time_promised), fmt::format("承诺时限内 within {}", to_string(chain.promised())));
  h += kpi(pct(g.on_time_statutory), fmt::format("法定时限内 within {}", to_string(statutory)));
  h += kpi(label(g.visits_per_case, 2), "每件跑动 visits per case");
  h += kpi(label(g.materials_per_case), "每件材料 materials per case");
  h += "</div>";

  h += fmt::format(R"~(<section id="lead-time"><h2>办理时长分布 · Lead time</h2><p class="lead">提交至出件的工作日；竖线为承诺时限（{}）与法定时限（{}）。p50 {} · p90 {} · p99 {}。橙色柱为超出承诺时限的办理时长（补正与第四十五条不计时时间使部分超出者仍在时限内）。</p><figure>{}</figure></section>)~",
                   yilian::label(chain.promised()), yilian::label(statutory), label(g.lead_time_days.p50),
                   label(g.lead_time_days.p90), label(g.lead_time_days.p99),
                   detail::lead_time_chart(g, chain.promised(), statutory));
  std::string bottleneck_text;
  for (const auto& d : g.departments)
    if (d.id == result.bottleneck_department)
      bottleneck_text = fmt::format("瓶颈：{}，办公时间内 {} 在办。", dept_name(chain, d.id), pct(d.utilisation));
  h += fmt::format(R"~(<section id="utilisation"><h2>部门利用率 · Utilisation by department</h2><p class="lead">{}</p><figure>{}</figure></section>)~",
                   esc(bottleneck_text), detail::utilisation_chart(chain, g, result.bottleneck_department));
  h += fmt::format(R"~(<section id="queue"><h2>排队长度 · Queue length over time</h2><p class="lead">各部门等待办理的件数，按每次重复的同一时点取平均。</p><figure>{}</figure></section>)~",
                   detail::queue_chart(chain, g));
  h += fmt::format(R"~(<section id="gantt"><h2>关键路径 · Gantt chart of the critical path</h2><p class="lead">按承诺时限排定的最早开始与完成；红色为关键路径：{}。</p><figure>{}</figure></section>)~",
                   esc(fmt::format("{}", fmt::join(a.critical_path.matters, " → "))), detail::gantt_chart(chain, a));
  if (result.baseline) {
    const RegimeResult& b = *result.baseline;
    h += fmt::format(R"~(<section id="comparison"><h2>一链办理与分别办理 · Chain versus separate applications</h2><p class="lead">同一批申请人逐项分别申请（无信息复用、各部门窗口分别受理与领取）：平均办理时长 {} 日对 {} 日，跑动 {} 次对 {} 次，材料 {} 份对 {} 份；承诺时限内 {} 对 {}。</p><figure>{}</figure></section>)~",
                     label(g.lead_time_days.mean), label(b.lead_time_days.mean), label(g.visits_per_case, 2),
                     label(b.visits_per_case, 2), label(g.materials_per_case), label(b.materials_per_case),
                     pct(g.on_time_promised), pct(b.on_time_promised), detail::comparison_chart(g, b));
  }
  h += fmt::format(R"~(<section id="flow"><h2>办理流程图 · Flow chart</h2><p class="lead">一窗受理后按阶段并联办理；虚线框为条件事项，红框为关键路径。</p><figure>{}</figure></section>)~",
                   flowchart_svg(chain));
  h += fmt::format(R"~(<section id="tables"><h2>明细 · Details</h2>{}<p></p>{}<p class="lead">Little 定律：系统内平均 {} 件 = 每工作日到达 {} 件 × 平均停留 {} 日。</p></section>)~",
                   matter_table(chain, g, result.bottleneck_matter), department_table(chain, g, result.bottleneck_department),
                   label(g.in_system, 2), label(g.arrival_rate, 4), label(g.time_in_system, 1));
  for (const auto& w : result.warnings) h += fmt::format(R"~(<section class="warning"><p>⚠ {}</p></section>)~", esc(w));
  h += fmt::format(
      "<footer>yilian simulate · 时长为工作日（连续日历为自然日）· 分位数来自对数线性直方图，相对误差不超过 0.8% · "
      "{} 个仿真事件</footer></main></body></html>\n",
      g.events + (result.baseline ? result.baseline->events : 0));
  return h;
}

}  // namespace yilian
