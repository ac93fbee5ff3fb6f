#include "export/sim_charts.h"

#include <fmt/format.h>

#include <algorithm>

#include "export/svg.h"

namespace yilian::detail {
namespace {

using svg::esc;
using svg::label;
using svg::num;

constexpr double kWidth = 760;

std::string dept_name(const Chain& c, const std::string& id) {
  const Department* d = c.find_department(id);
  return d ? d->name : id;
}

std::string open_svg(const char* id, double height, std::string_view title) {
  return fmt::format(
      R"~(<svg id="{}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">)~",
      id, num(kWidth), num(height), num(kWidth), num(height), esc(title));
}

/// A vertical value axis at x0 from y_bottom up to y_top with grid lines.
std::string y_axis(const std::vector<double>& ticks, double hi, double x0, double x1, double y_top, double y_bottom,
                   const std::string& suffix) {
  std::string s;
  for (double t : ticks) {
    const double y = y_bottom - (y_bottom - y_top) * t / hi;
    s += fmt::format(R"~(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(x0), num(y), num(x1), num(y));
    s += fmt::format(R"~(<text class="tick" x="{}" y="{}" text-anchor="end">{}{}</text>)~", num(x0 - 6), num(y + 4),
                     label(t), suffix);
  }
  return s;
}

/// A horizontal axis along y from x0 (value 0) to x1 (value hi).
std::string x_axis(const std::vector<double>& ticks, double hi, double x0, double x1, double y, const std::string& title) {
  std::string s = fmt::format(R"~(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(x0), num(y), num(x1), num(y));
  for (double t : ticks) {
    const double x = x0 + (x1 - x0) * t / hi;
    s += fmt::format(R"~(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(x), num(y), num(x), num(y + 4));
    s += fmt::format(R"~(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)~", num(x), num(y + 17), label(t));
  }
  s += fmt::format(R"~(<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>)~", num((x0 + x1) / 2),
                   num(y + 34), esc(title));
  return s;
}

}  // namespace

// "20 日" (working days, as the chart's axis), "3个月 ≈ 63 日".
std::string limit_text(const Limit& l) {
  return l.in_working_days() ? fmt::format("{} 日", l.count) : fmt::format("{} ≈ {} 日", label(l), nominal_working_days(l));
}

std::string lead_time_chart(const RegimeResult& r, const Limit& promised, const Limit& statutory) {
  // The axis counts working days; a limit in days or months stands at its
  // nominal length.
  const int promised_days = nominal_working_days(promised), statutory_days = nominal_working_days(statutory);
  const double H = 380, left = 56, right = kWidth - 20, top = 84, bottom = H - 50;
  const Histogram& h = r.lead_time_histogram;
  const double total = static_cast<double>(std::max<std::uint64_t>(1, r.cases));
  double max_share = 0;
  for (auto c : h.counts) max_share = std::max(max_share, 100.0 * static_cast<double>(c) / total);
  const auto yt = svg::ticks(std::max(max_share, 1.0), 5);
  const double y_hi = yt.back();
  const double x_hi = h.lo + h.width * static_cast<double>(h.counts.size());
  auto X = [&](double v) { return left + (right - left) * (v - h.lo) / (x_hi - h.lo); };
  auto Y = [&](double share) { return bottom - (bottom - top) * share / y_hi; };
  std::string s = open_svg("chart-lead-time", H, "办理时长分布 lead-time histogram");
  s += y_axis(yt, y_hi, left, right, top, bottom, "%");
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    const double share = 100.0 * static_cast<double>(h.counts[i]) / total;
    const double x0 = X(h.lo + h.width * static_cast<double>(i)), x1 = X(h.lo + h.width * static_cast<double>(i + 1));
    const bool late = h.lo + h.width * static_cast<double>(i) >= promised_days;
    s += fmt::format(R"~(<rect class="bar{}" x="{}" y="{}" width="{}" height="{}"><title>{}–{} 个工作日: {}%</title></rect>)~",
                     late ? " late" : "", num(x0 + 0.5), num(Y(share)), num(std::max(0.0, x1 - x0 - 1)),
                     num(bottom - Y(share)), label(h.lo + h.width * static_cast<double>(i)),
                     label(h.lo + h.width * static_cast<double>(i + 1)), label(share, 2));
  }
  s += x_axis(svg::ticks(x_hi, 10), x_hi, left, right, bottom, "办理时长（工作日，提交至出件）· lead time, working days");
  // Markers: a line through the plot and a label in the band above it,
  // one row per marker so that labels never overlap.
  int row = 0;
  auto marker = [&](double v, const char* cls, const std::string& text) {
    if (v < h.lo || v > x_hi) return;
    const double y = 14 + 16 * row++;
    const bool flip = X(v) + svg::text_width(text, 12) + 8 > right;
    s += fmt::format(R"~(<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", cls, num(X(v)), num(y - 10), num(X(v)),
                     num(bottom));
    const std::string_view kind = std::string_view(cls).substr(std::string_view(cls).rfind(' ') + 1);
    s += fmt::format(R"~(<text class="marker-label {}" x="{}" y="{}" text-anchor="{}">{}</text>)~", kind,
                     num(flip ? X(v) - 4 : X(v) + 4), num(y), flip ? "end" : "start", esc(text));
  };
  marker(promised_days, "limit promised", fmt::format("承诺时限 {}", limit_text(promised)));
  marker(statutory_days, "limit statutory", fmt::format("法定时限 {}", limit_text(statutory)));
  marker(r.lead_time_days.p50, "quantile", fmt::format("中位数 p50 {} 日", label(r.lead_time_days.p50)));
  marker(r.lead_time_days.p90, "quantile", fmt::format("p90 {} 日", label(r.lead_time_days.p90)));
  if (h.above > 0)
    s += fmt::format(R"~(<text class="note" x="{}" y="{}" text-anchor="end">另有 {}% 超过 {} 日</text>)~", num(right),
                     num(top - 8), label(100.0 * static_cast<double>(h.above) / total, 2), label(x_hi));
  return s + "</svg>";
}

std::string utilisation_chart(const Chain& chain, const RegimeResult& r, const std::string& bottleneck) {
  const double row = 30, top = 16, left = 190, right = kWidth - 70;
  const double H = top + row * static_cast<double>(r.departments.size()) + 50;
  const double bottom = H - 50;
  std::string s = open_svg("chart-utilisation", H, "部门利用率 utilisation by department");
  auto X = [&](double u) { return left + (right - left) * u; };
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0})
    s += fmt::format(R"~(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(X(t)), num(top - 4), num(X(t)), num(bottom));
  s += fmt::format(R"~(<line class="limit reference" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(X(0.8)), num(top - 8),
                   num(X(0.8)), num(bottom));
  for (std::size_t i = 0; i < r.departments.size(); ++i) {
    const DepartmentResult& d = r.departments[i];
    const double y = top + row * static_cast<double>(i);
    const double u = std::clamp(d.utilisation, 0.0, 1.0);
    s += fmt::format(R"~(<text class="label" x="{}" y="{}" text-anchor="end">{}</text>)~", num(left - 8), num(y + 17),
                     esc(svg::fit(dept_name(chain, d.id), 13, left - 16)));
    s += fmt::format(R"~(<rect class="bar{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}%, {} 名</title></rect>)~",
                     d.id == bottleneck ? " bottleneck" : "", num(left), num(y + 4), num(X(u) - left), num(row - 10),
                     svg::palette(i), esc(dept_name(chain, d.id)), label(100 * d.utilisation), d.officers);
    s += fmt::format(R"~(<text class="value" x="{}" y="{}">{}%{}</text>)~", num(X(u) + 6), num(y + 17),
                     label(100 * d.utilisation), d.id == bottleneck ? " ◀ 瓶颈" : "");
  }
  std::string axis = fmt::format(R"~(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(left), num(bottom),
                                 num(right), num(bottom));
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0})
    axis += fmt::format(R"~(<text class="tick" x="{}" y="{}" text-anchor="middle">{}%</text>)~", num(X(t)), num(bottom + 17),
                        label(100 * t));
  axis += fmt::format(R"~(<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>)~", num((left + right) / 2),
                      num(bottom + 34), "办公时间内在办比例（虚线 80%）· busy share of office hours");
  return s + axis + "</svg>";
}

std::string queue_chart(const Chain& chain, const RegimeResult& r) {
  const double H = 320, left = 56, right = kWidth - 190, top = 20, bottom = H - 50;
  double hi = 0, n = 0, interval = 0;
  for (const auto& d : r.departments) {
    for (double q : d.queue_length) hi = std::max(hi, q);
    n = std::max(n, static_cast<double>(d.queue_length.size()));
    interval = d.queue_interval_days;
  }
  const auto yt = svg::ticks(std::max(hi, 0.5), 5);
  const double y_hi = yt.back();
  const double x_hi = std::max(1e-9, interval * n);
  auto X = [&](double v) { return left + (right - left) * v / x_hi; };
  auto Y = [&](double q) { return bottom - (bottom - top) * q / y_hi; };
  std::string s = open_svg("chart-queue", H, "排队长度 queue length over time");
  s += y_axis(yt, y_hi, left, right, top, bottom, "");
  for (std::size_t i = 0; i < r.departments.size(); ++i) {
    const DepartmentResult& d = r.departments[i];
    std::string pts;
    for (std::size_t k = 0; k < d.queue_length.size(); ++k)
      pts += fmt::format("{}{},{}", k ? " " : "", num(X(interval * static_cast<double>(k))), num(Y(d.queue_length[k])));
    s += fmt::format(R"~(<polyline class="series" points="{}" stroke="{}"><title>{}</title></polyline>)~", pts,
                     svg::palette(i), esc(dept_name(chain, d.id)));
    const double ly = top + 18 * static_cast<double>(i);
    s += fmt::format(R"~(<line class="legend-line" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>)~", num(right + 14),
                     num(ly + 6), num(right + 34), num(ly + 6), svg::palette(i));
    s += fmt::format(R"~(<text class="legend" x="{}" y="{}">{}</text>)~", num(right + 40), num(ly + 10),
                     esc(svg::fit(dept_name(chain, d.id), 12, kWidth - right - 44)));
  }
  s += x_axis(svg::ticks(x_hi, 10), x_hi, left, right, bottom, "自重复开始的工作日 · working days into a replication");
  s += fmt::format(R"~(<text class="axis-title" x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">等待件数 tasks waiting</text>)~",
                   num((top + bottom) / 2), num((top + bottom) / 2));
  return s + "</svg>";
}

std::string gantt_chart(const Chain& chain, const Analysis& a) {
  const double row = 28, top = 16, left = 230, right = kWidth - 30;
  const double H = top + row * static_cast<double>(a.timings.size()) + 56;
  const double bottom = H - 56;
  double hi = 1;
  for (const auto& t : a.timings) hi = std::max(hi, static_cast<double>(t.elapsed_finish));
  const auto xt = svg::ticks(hi, 10);
  const double x_hi = xt.back();
  auto X = [&](double v) { return left + (right - left) * v / x_hi; };
  std::string s = open_svg("chart-gantt", H, "关键路径甘特图 Gantt chart of the critical path");
  s += R"~(<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">)~"
       R"~(<rect width="6" height="6" fill="#f3e3c8"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c98d2b" stroke-width="2"/></pattern></defs>)~";
  for (double t : xt)
    s += fmt::format(R"~(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(X(t)), num(top - 4), num(X(t)), num(bottom));
  for (std::size_t i = 0; i < a.timings.size(); ++i) {
    const MatterTiming& t = a.timings[i];
    const Matter* m = chain.find_matter(t.matter);
    const double y = top + row * static_cast<double>(i);
    const std::string name = m ? m->name : t.matter;
    const int uncounted = m ? m->uncounted_days() : 0;
    s += fmt::format(R"~(<text class="label{}" x="{}" y="{}" text-anchor="end">{}</text>)~", t.critical ? " critical" : "",
                     num(left - 8), num(y + 17), esc(svg::fit(name, 12.5, left - 16)));
    const double counted_end = t.elapsed_finish - uncounted;
    s += fmt::format(R"~(<rect class="gantt-bar{}" x="{}" y="{}" width="{}" height="{}"><title>{}: 第 {}–{} 个工作日（承诺 {} 日）</title></rect>)~",
                     t.critical ? " critical" : "", num(X(t.elapsed_start)), num(y + 5),
                     num(std::max(2.0, X(counted_end) - X(t.elapsed_start))), num(row - 10), esc(name), t.elapsed_start,
                     t.elapsed_finish, m ? m->promised_days : 0);
    if (uncounted > 0)
      s += fmt::format(R"~(<rect class="gantt-uncounted" x="{}" y="{}" width="{}" height="{}" fill="url(#hatch)"><title>不计时 {} 日（第四十五条）</title></rect>)~",
                       num(X(counted_end)), num(y + 5), num(X(t.elapsed_finish) - X(counted_end)), num(row - 10), uncounted);
    if (t.slack > 0)
      s += fmt::format(R"~(<text class="slack" x="{}" y="{}">余量 {}</text>)~", num(X(t.elapsed_finish) + 4), num(y + 17), t.slack);
  }
  s += x_axis(xt, x_hi, left, right, bottom, "自受理起的工作日（含不计时阶段）· working days from acceptance");
  s += fmt::format(R"~(<text class="note" x="{}" y="{}">关键路径按承诺时限 {} 日，按各事项法定时限 {} 日；条件事项按全部适用计</text>)~",
                   num(left), num(H - 6), a.critical_path.promised_days, a.critical_path_statutory.statutory_days);
  return s + "</svg>";
}

std::string comparison_chart(const RegimeResult& chain, const RegimeResult& sep) {
  struct Panel {
    const char* title;
    double a, b;
    const char* unit;
  };
  const Panel panels[] = {{"平均办理时长 lead time", chain.lead_time_days.mean, sep.lead_time_days.mean, "日"},
                          {"跑动次数 visits", chain.visits_per_case, sep.visits_per_case, "次"},
                          {"提交材料 materials", chain.materials_per_case, sep.materials_per_case, "份"},
                          {"填写字段 form fields", chain.fields_per_case, sep.fields_per_case, "项"}};
  const double H = 290, pw = kWidth / 4, top = 46, bottom = H - 56;
  std::string s = open_svg("chart-comparison", H, "一链办理与分别办理对比 chain versus separate applications");
  for (std::size_t i = 0; i < 4; ++i) {
    const Panel& p = panels[i];
    const double x0 = pw * static_cast<double>(i);
    const double hi = std::max({p.a, p.b, 1e-9}) * 1.15;
    auto Y = [&](double v) { return bottom - (bottom - top) * v / hi; };
    s += fmt::format(R"~(<text class="panel-title" x="{}" y="18" text-anchor="middle">{}</text>)~", num(x0 + pw / 2), esc(p.title));
    const double bw = 52;
    const double xa = x0 + pw / 2 - bw - 6, xb = x0 + pw / 2 + 6;
    s += fmt::format(R"~(<rect class="bar chain" x="{}" y="{}" width="{}" height="{}"><title>一链办理 {}</title></rect>)~", num(xa),
                     num(Y(p.a)), num(bw), num(bottom - Y(p.a)), label(p.a, 2));
    s += fmt::format(R"~(<rect class="bar separate" x="{}" y="{}" width="{}" height="{}"><title>分别办理 {}</title></rect>)~", num(xb),
                     num(Y(p.b)), num(bw), num(bottom - Y(p.b)), label(p.b, 2));
    s += fmt::format(R"~(<text class="value" x="{}" y="{}" text-anchor="middle">{}{}</text>)~", num(xa + bw / 2), num(Y(p.a) - 6),
                     label(p.a), p.unit);
    s += fmt::format(R"~(<text class="value" x="{}" y="{}" text-anchor="middle">{}{}</text>)~", num(xb + bw / 2), num(Y(p.b) - 6),
                     label(p.b), p.unit);
    s += fmt::format(R"~(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)~", num(x0 + 16), num(bottom), num(x0 + pw - 16), num(bottom));
    s += fmt::format(R"~(<text class="tick" x="{}" y="{}" text-anchor="middle">一链</text>)~", num(xa + bw / 2), num(bottom + 16));
    s += fmt::format(R"~(<text class="tick" x="{}" y="{}" text-anchor="middle">分别</text>)~", num(xb + bw / 2), num(bottom + 16));
    if (p.b > 0)
      s += fmt::format(R"~(<text class="saved" x="{}" y="{}" text-anchor="middle">减少 {}%</text>)~", num(x0 + pw / 2),
                       num(bottom + 40), label(100 * (p.b - p.a) / p.b, 0));
  }
  return s + "</svg>";
}

}  // namespace yilian::detail
