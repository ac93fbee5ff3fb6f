// 督办 · 好差评: the ratings' statistics (GET /api/v1/ratings) by department
// and by matter: counts per grade, the bad-rating rate, ratings set aside on
// appeal, follow-ups with their call-backs and rectifications on time, and
// those past due today.

import { h, GRADE_ZH } from './common.js';

const percent = (x) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

function row(r, first) {
  const late = r.overdue > 0;
  return h('tr', { class: late ? 'alert-row-red' : '', dataset: { department: r.department, matter: r.matter ?? '' } },
    first,
    [1, 2, 3, 4, 5].map((g) => h('td', { class: `num${g <= 2 && r.grades[g] ? ' cell-bad' : ''}` }, String(r.grades[g]))),
    h('td', { class: 'num' }, String(r.total)),
    h('td', { class: `num${r.bad ? ' cell-bad' : ''}` }, `${percent(r.bad_rate)}（${r.bad} 件）`),
    h('td', { class: 'num' }, String(r.set_aside)),
    h('td', {}, r.follow_ups ? `回访及时 ${r.call_backs_on_time}/${r.follow_ups}，整改及时 ${r.rectified_on_time}/${r.follow_ups}` : '—'),
    h('td', { class: late ? 'cell-red' : '' }, late ? `■ 逾期 ${r.overdue} 件` : '0'));
}

function head(first) {
  return h('thead', {}, h('tr', {},
    [...first, ...[1, 2, 3, 4, 5].map((g) => GRADE_ZH[g]), '合计', '差评率', '申诉撤销', '差评处理', '逾期未处理']
      .map((t) => h('th', { scope: 'col' }, t))));
}

/** The 好差评 tables, or a line saying there is nothing yet. `chainName(id)` names a chain. */
export function ratingTables(stats, chainName) {
  const total = stats.departments.reduce((n, r) => n + r.total, 0);
  const bad = stats.departments.reduce((n, r) => n + r.bad, 0);
  const overdue = stats.departments.reduce((n, r) => n + r.overdue, 0);
  if (!total && !stats.departments.some((r) => r.set_aside)) return [h('p', { class: 'muted' }, '尚无评价。')];
  return [
    h('p', { class: 'rating-summary' }, `共 ${total} 件评价，差评 ${bad} 件（差评率 ${percent(total ? bad / total : 0)}）`,
      overdue ? h('span', { class: 'cell-red' }, `，■ 差评处理逾期 ${overdue} 件`) : '，差评处理均未逾期'),
    h('h3', {}, '按部门'),
    h('table', { class: 'grid ratings-by-department' },
      head(['部门']),
      h('tbody', {}, stats.departments.map((r) => row(r, h('th', { scope: 'row' }, r.name || r.department))))),
    h('h3', {}, '按事项'),
    h('table', { class: 'grid ratings-by-matter' },
      head(['事项', '部门']),
      h('tbody', {}, stats.matters.map((r) => {
        const dept = stats.departments.find((d) => d.department === r.department);
        const what = r.matter ? r.name : `整件办理：${r.name || chainName(r.chain)}`;
        return row(r, [h('th', { scope: 'row' }, what), h('td', {}, dept?.name || r.department)]);
      }))),
  ];
}
