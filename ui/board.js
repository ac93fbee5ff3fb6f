// 督办: yellow and red limits by department and matter (GET /api/v1/overdue),
// with counts, each limit's kind told apart (a matter's decision, the
// verification (核查) of a commitment, the deferred materials (容缺), the
// whole case); the results revoked after a failed verification; the 好差评
// statistics (GET /api/v1/ratings); live: every log entry, and every
// reconnection of the event stream (a restart of the server, a new day),
// fetches the board again.

import {
  api, alertBadge, chainDoc, errorText, formatDate, h, listen, matterName, statusLine, streamStatus, SUPERVISION_ZH,
} from './common.js';
import { byUrgency } from './department.js';
import { ratingTables } from './board-ratings.js';

export async function renderBoard(root, ctx) {
  const status = statusLine();
  const live = h('p', { class: 'live', 'aria-live': 'polite' });
  const summary = h('div', { class: 'summary-cards' });
  const matrix = h('div');
  const detail = h('div');
  const ratings = h('div');
  const revoked = h('div');
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, '督办 · 时限预警'), live),
    status.el,
    summary,
    h('section', { 'aria-labelledby': 'sec-matrix' }, h('h2', { id: 'sec-matrix' }, '按部门和事项'), matrix),
    h('section', { 'aria-labelledby': 'sec-detail' }, h('h2', { id: 'sec-detail' }, '预警明细'), detail),
    h('section', { 'aria-labelledby': 'sec-revoked' }, h('h2', { id: 'sec-revoked' }, '告知承诺撤销'), revoked),
    h('section', { 'aria-labelledby': 'sec-ratings' }, h('h2', { id: 'sec-ratings' }, '好差评'), ratings));
  let updated = '';
  let today = '';
  const showLive = () => {
    const s = streamStatus();
    live.replaceChildren(
      h('span', { class: `dot ${s}`, 'aria-hidden': 'true' }),
      s === 'open' ? '实时更新中' : s === 'connecting' ? '连接中断，正在重新连接…' : '未连接',
      today ? ` · 系统日期 ${today}` : '',
      updated ? ` · 更新于 ${updated}` : '');
  };
  const load = async () => {
    let overdue;
    let stats;
    try {
      [overdue, stats] = await Promise.all([api('GET', '/api/v1/overdue'), api('GET', '/api/v1/ratings').catch((e) => e)]);
    } catch (e) {
      status.error(e);
      return;
    }
    status.clear();
    today = overdue.today;
    updated = new Date().toLocaleTimeString('zh-CN', { hour12: false });
    const entries = [];
    for (const [dept, list] of Object.entries(overdue.departments)) {
      for (const e of list) {
        const chain = await chainDoc(e.chain).catch(() => null);
        const verification = e.kind === 'verification';
        entries.push({
          ...e, department: dept, departmentName: e.department_name || dept, verification,
          matterName: e.kind === 'deferred' ? '容缺材料补交期限'
            : e.matter ? `${verification ? '核查：' : ''}${matterName(chain, e.matter)}` : '整件办理总时限',
          chainName: chain?.name || e.chain_name || e.chain, clock_stopped: false, case: e.case,
        });
      }
    }
    entries.sort(byUrgency);
    const count = (pred) => entries.filter(pred).length;
    const red = count((e) => e.alert === 'red');
    const yellow = count((e) => e.alert === 'yellow');
    summary.replaceChildren(
      card('red', '红牌（已超期）', red),
      card('yellow', '黄牌（临近期限）', yellow),
      card('sup', '督办中', count((e) => e.supervision !== 'none')),
      card('verify', '告知承诺核查预警', count((e) => e.verification)),
      card('cases', '涉及办件', new Set(entries.map((e) => e.case)).size));

    // Department × matter: counts, the words beside the colour.
    const groups = new Map();
    for (const e of entries) {
      const k = `${e.department}\u0000${e.matterName}`;
      if (!groups.has(k)) groups.set(k, { department: e.departmentName, matter: e.matterName, red: 0, yellow: 0, sup: 0 });
      const g = groups.get(k);
      g[e.alert] += 1;
      if (e.supervision !== 'none') g.sup += 1;
    }
    const rows = [...groups.values()].sort((a, b) => (b.red - a.red) || (b.yellow - a.yellow) || a.department.localeCompare(b.department, 'zh'));
    matrix.replaceChildren(rows.length
      ? h('table', { class: 'grid matrix' },
        h('thead', {}, h('tr', {}, ['部门', '事项', '红牌', '黄牌', '督办'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows.map((g) => h('tr', {},
          h('td', {}, g.department), h('th', { scope: 'row' }, g.matter),
          h('td', { class: g.red ? 'cell-red' : '' }, g.red ? `■ 红牌 ${g.red} 件` : '0'),
          h('td', { class: g.yellow ? 'cell-yellow' : '' }, g.yellow ? `▲ 黄牌 ${g.yellow} 件` : '0'),
          h('td', {}, g.sup ? `${g.sup} 件` : '—')))))
      : h('p', { class: 'all-clear' }, h('span', { 'aria-hidden': 'true' }, '✔ '), '所有在办事项均在时限内，没有黄牌或红牌。'));

    const byDept = new Map();
    for (const e of entries) {
      if (!byDept.has(e.departmentName)) byDept.set(e.departmentName, []);
      byDept.get(e.departmentName).push(e);
    }
    detail.replaceChildren(...[...byDept.entries()].map(([name, list]) => h('div', { class: 'dept-block' },
      h('h3', {}, `${name}（${list.length} 项）`),
      h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ['预警', '事项', '办件', '承诺期限', '时限', '督办级别', '督办'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, list.map((e) => h('tr', { class: `alert-row-${e.alert}`, dataset: { case: e.case, matter: e.matter || '' } },
          h('td', {}, alertBadge(e.alert, 'none')),
          h('th', { scope: 'row' }, e.matterName, e.verification ? h('span', { class: 'tag tag-verify' }, '告知承诺核查') : null),
          h('td', {}, h('a', { href: `#/case/${e.case}` }, `第 ${e.case} 号 · ${e.chainName}`)),
          h('td', {}, formatDate(e.deadline)),
          h('td', {}, e.overdue_days > 0 ? `超期 ${e.overdue_days} 个工作日` : `剩余 ${e.remaining_days} 个工作日`),
          h('td', {}, SUPERVISION_ZH[e.supervision] || '—'),
          h('td', {}, urgeControl(e, status)))))))));
    if (!entries.length) detail.replaceChildren(h('p', { class: 'muted' }, '无。'));
    revoked.replaceChildren(await revocationTable(overdue));
    const chainNames = new Map();
    for (const r of stats?.matters || []) if (r.chain) chainNames.set(r.chain, (await chainDoc(r.chain).catch(() => null))?.name || r.chain);
    ratings.replaceChildren(...(stats instanceof Error
      ? [h('p', { class: 'status error', role: 'alert' }, errorText(stats))]
      : ratingTables(stats, (id) => chainNames.get(id) || id)));
    showLive();
  };
  await load();
  showLive();
  let pending = null;
  ctx.onLeave(listen((kind) => {
    showLive();
    if (kind === 'error') return;
    clearTimeout(pending);
    pending = setTimeout(load, kind === 'open' ? 0 : 300);
  }));
}

/// 督办: a button that opens a one-line form; the note goes on the case's
/// record (POST /api/v1/cases/{id}/urge) with the supervisor's name.
function urgeControl(e, status) {
  const cell = h('div', { class: 'urge' });
  const what = `${e.matterName}（第 ${e.case} 号）`;
  const open = h('button', { type: 'button', class: 'secondary', 'aria-label': `督办 ${what}` }, '督办');
  open.addEventListener('click', () => {
    const id = `urge-${e.case}-${e.matter || 'case'}`;
    const note = h('input', { id, type: 'text', maxlength: '500', placeholder: '如：请于明日办结' });
    const send = h('button', { type: 'submit' }, '发送督办');
    const form = h('form', { class: 'urge-form' }, h('label', { for: id }, `督办意见：${what}`), note, send);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      send.disabled = true;
      try {
        await api('POST', `/api/v1/cases/${e.case}/urge`, { note: note.value, ...(e.matter ? { matter: e.matter } : {}) });
        cell.replaceChildren(h('span', { class: 'done', role: 'status' }, '✔ 已督办'));
      } catch (err) {
        status.error(err);
        send.disabled = false;
      }
    });
    cell.replaceChildren(form);
    note.focus();
  });
  cell.append(open);
  return cell;
}

function card(kind, label, n) {
  return h('div', { class: `card card-${kind}` }, h('span', { class: 'n' }, String(n)), h('span', { class: 'label' }, label));
}

/// 告知承诺: the results revoked after a failed verification since
/// `revoked_since`, newest first, with what had proceeded on them.
async function revocationTable(overdue) {
  const list = overdue.revoked || [];
  const names = new Map();
  for (const r of list) if (!names.has(r.chain)) names.set(r.chain, await chainDoc(r.chain).catch(() => null));
  const since = `${formatDate(overdue.revoked_since)} 以来`;
  if (!list.length) return h('p', { class: 'muted' }, `${since}没有因核查不通过而撤销的决定。`);
  return h('table', { class: 'grid revoked' },
    h('caption', {}, `${since}因核查不通过而撤销的决定（${list.length} 项）`),
    h('thead', {}, h('tr', {}, ['撤销日期', '事项', '部门', '办件', '核查发现', '已据此办理的事项'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map((r) => h('tr', { dataset: { case: r.case, matter: r.matter } },
      h('td', {}, formatDate(r.on)),
      h('th', { scope: 'row' }, r.matter_name || r.matter),
      h('td', {}, r.department_name || r.department),
      h('td', {}, h('a', { href: `#/case/${r.case}` }, `第 ${r.case} 号 · ${r.chain_name || r.chain}`)),
      h('td', {}, r.reason || '—'),
      h('td', {}, r.dependents.length ? r.dependents.map((id) => matterName(names.get(r.chain), id)).join('、') : '无')))));
}
