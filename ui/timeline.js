// 案件时间线: a case's stages, tasks and every log entry with its actor and
// time; for the window, 补正 on an open case and 出件 when it is ready.

import {
  api, alertBadge, chainDoc, formatDate, formatInstant, h, itemLabel, listen, matterName,
  remainingText, statusLine, CHANNEL_ZH, DELIVERY_ZH, EVENT_ZH, ROLE_ZH, STAGE_ZH, TASK_STATUS_ZH,
  fieldOf, inFormOrder, materialOf, nextId, agentText, deferredText, FOLLOW_UP_STEP_ZH, GRADE_ZH, OPEN_TASK,
} from './common.js';
import { filesSection } from './files.js';
import { checkbox, fieldInput, valueText } from './form.js';
import { noticeList } from './window.js';
import { ratingPanel, ratingsSection } from './rating.js';

/** The case list (window, supervisor, department: scoped by the server). */
export async function renderCases(root) {
  const status = statusLine();
  const stageId = 'case-stage';
  const stage = h('select', { id: stageId }, h('option', { value: '' }, '全部'),
    Object.entries(STAGE_ZH).filter(([k]) => k !== 'created').map(([k, v]) => h('option', { value: k }, v)));
  const agentId = 'case-agent';
  const agent = h('input', { id: agentId, type: 'search', autocomplete: 'off', maxlength: 30 });
  const table = h('div');
  let next = null;
  const more = h('button', { type: 'button', hidden: true }, '加载更多');
  root.append(h('div', { class: 'page-head' }, h('h1', {}, '办件列表'),
    h('form', { class: 'filter', role: 'search', onsubmit: (ev) => { ev.preventDefault(); load(false); } },
      h('label', { for: stageId }, '办理阶段'), stage,
      h('label', { for: agentId }, '代办人（姓名或身份证号）'), agent,
      h('button', { type: 'submit' }, '筛选'))), status.el, table, more);
  const tbody = h('tbody');
  table.append(h('table', { class: 'grid' },
    h('caption', { class: 'sr-only' }, '办件列表'),
    h('thead', {}, h('tr', {}, ['办件编号', '事项', '阶段', '收件时间', '承诺办结', '预警'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody));
  const load = async (append) => {
    const q = new URLSearchParams();
    if (stage.value) q.set('stage', stage.value);
    if (agent.value.trim()) q.set('agent', agent.value.trim());
    if (append && next) q.set('after', next);
    q.set('limit', '50');
    try {
      const r = await api('GET', `/api/v1/cases?${q}`);
      if (!append) tbody.replaceChildren();
      const names = new Map();
      for (const c of r.cases) {
        if (!names.has(c.chain)) names.set(c.chain, await chainDoc(c.chain).then((d) => d.name).catch(() => c.chain));
        tbody.append(h('tr', {},
          h('td', {}, h('a', { href: `#/case/${c.id}` }, `第 ${c.id} 号`)),
          h('td', {}, names.get(c.chain)),
          h('td', {}, STAGE_ZH[c.stage] || c.stage),
          h('td', {}, formatInstant(c.submitted_at)),
          h('td', {}, formatDate(c.deadline)),
          h('td', {}, c.stage === 'running' ? alertBadge(c.alert, c.supervision) : '—')));
      }
      if (!r.cases.length && !append) tbody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, '没有办件。')));
      next = r.next;
      more.hidden = !next;
    } catch (e) {
      status.error(e);
    }
  };
  stage.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  await load(false);
}

const STEPS = [
  ['submitted', '收件'],
  ['accepted', '受理'],
  ['running', '并联办理'],
  ['ready', '办结待出件'],
  ['delivered', '出件'],
];
function stepIndex(view) {
  switch (view.stage) {
    case 'created':
    case 'incomplete': return 0;
    case 'running': return 2;
    case 'ready': return 3;
    case 'delivered':
    case 'verifying': return 4;
    default: return view.accepted_on ? 2 : 0;
  }
}

/** The stages as a stepper, the current one named in words. */
function stepper(view) {
  const at = stepIndex(view);
  const ended = ['rejected', 'withdrawn'].includes(view.stage);
  return h('ol', { class: 'stepper', 'aria-label': '办理阶段' }, STEPS.map(([, label], i) => {
    const state = ended && i === at ? 'ended' : i < at || (i === at && ['delivered', 'verifying'].includes(view.stage)) ? 'done' : i === at ? 'current' : 'todo';
    const word = { done: '已完成', current: '当前', todo: '未开始', ended: STAGE_ZH[view.stage] }[state];
    return h('li', { class: `step ${state}`, 'aria-current': state === 'current' ? 'step' : undefined },
      h('span', { class: 'step-label' }, label), h('span', { class: 'step-state' }, word));
  }));
}

function actorText(actor, chain) {
  if (!actor) return '—';
  const dept = actor.department ? ` · ${departmentName(chain, actor.department)}` : '';
  return `${actor.account}（${ROLE_ZH[actor.role] || actor.role}${dept} · ${CHANNEL_ZH[actor.channel] || actor.channel}）`;
}
const departmentNames = new Map();
function departmentName(chain, id) {
  return departmentNames.get(id) || id;
}
function learnDepartments(tasks) {
  for (const t of tasks || []) if (t.department_name) departmentNames.set(t.department, t.department_name);
}

/** A log entry in Chinese, from its kind and (for full readers) its detail. */
function eventText(e, chain, view) {
  const d = e.detail;
  const m = d?.matter ? matterName(chain, d.matter) : '';
  const items = (ids) => (ids || []).map((id) => itemLabel(chain, id)).join('、');
  switch (e.kind) {
    case 'submitted':
      if (d) {
        return `收件：${Object.keys(d.fields || {}).length} 项信息，${(d.materials || []).length} 份材料（${CHANNEL_ZH[d.channel] || d.channel || ''}）`
          + `${d.agent ? `，代办人 ${d.agent.name}` : ''}${d.commitments?.length ? `，告知承诺：${d.commitments.map((x) => matterName(chain, x)).join('、')}` : ''}`;
      }
      break;
    case 'supplemented':
      if (d) return `补正：${items([...Object.keys(d.fields || {}), ...(d.materials || [])]) || '—'}${d.in_person ? '（到窗口递交）' : ''}`;
      break;
    case 'task-claimed':
      if (d) return `${m}：由 ${d.officer} 认领`;
      break;
    case 'task-released':
      if (d) return `${m}：释放认领`;
      break;
    case 'urged':
      if (d) return `督办${m ? `：${m}` : '：全案'}${d.note ? `（${d.note}）` : ''}`;
      break;
    case 'supplement-requested':
      if (d) return `${m}：要求补正 ${items(d.items)}${d.reason ? `（${d.reason}）` : ''}`;
      break;
    case 'task-approved':
      if (d) {
        const produced = Object.entries(d.produced || {}).map(([k, v]) => `${fieldOf(chain, k)?.label || k} ${v}`).join('，');
        // A committed matter was approved on the commitment: its approval is the verification's.
        return `${m}：${committedMatters(view).has(d.matter) ? '核查通过' : '通过'}${produced ? `，${produced}` : ''}`;
      }
      break;
    case 'task-rejected':
      if (d) {
        const revoked = view.tasks.find((t) => t.matter === d.matter)?.status === 'revoked';
        return `${m}：${revoked ? '核查不通过，撤销许可' : '不予许可'}（${d.reason || ''}）`;
      }
      break;
    case 'rated':
      if (d) return `${d.matter ? m : '整件办理'}：${d.label || GRADE_ZH[d.grade]}（${d.grade} 分）${d.comment ? `，${d.comment}` : ''}`;
      break;
    case 'followed-up':
      if (d) return `第 ${d.rating} 条评价：${FOLLOW_UP_STEP_ZH[d.step] || d.step}${d.note ? `（${d.note}）` : ''}`;
      break;
    case 'delivered':
      if (d) return `出件：${DELIVERY_ZH[d.method] || d.method || ''}${d.tracking ? `，运单号 ${d.tracking}` : ''}`;
      break;
    case 'withdrawn':
      if (d) return `撤回：${d.reason || ''}`;
      break;
    default:
      if (d && m) return `${m}：${EVENT_ZH[e.kind] || e.kind}`;
  }
  return EVENT_ZH[e.kind] || e.kind;
}

/** 告知承诺: the matters the application committed to (from the submission; a department reader has no detail). */
function committedMatters(view) {
  const first = view.events.find((e) => e.kind === 'submitted' && e.result === 'applied');
  return new Set(first?.detail?.commitments || []);
}

/** The application as it stands: the submitted values with every supplement applied. */
function currentApplication(view) {
  const fields = {};
  const materials = new Set();
  for (const e of view.events) {
    if ((e.kind === 'submitted' || e.kind === 'supplemented') && e.detail && e.result === 'applied') {
      Object.assign(fields, e.detail.fields || {});
      for (const m of e.detail.materials || []) materials.add(m);
    }
  }
  return { chain: view.chain, fields, materials: [...materials] };
}

/** The case page: header, stages, tasks, data, actions and the timeline. */
export async function renderCase(root, ctx, id) {
  const status = statusLine();
  const content = h('div');
  root.append(status.el, content);
  let view;
  let chain;
  let shown = '';
  const refresh = async () => {
    const before = view?.stage;
    try {
      const fresh = await api('GET', `/api/v1/cases/${encodeURIComponent(id)}`);
      // Nothing new (e.g. the stream echoing the officer's own step): keep the page as it is.
      const now = JSON.stringify(fresh);
      if (now === shown) return;
      shown = now;
      view = fresh;
      // A confirmation of an earlier step is stale once the case moved on.
      if (before && before !== view.stage) status.clearIfOlder(1500);
      chain = await chainDoc(view.chain);
    } catch (e) {
      content.replaceChildren(h('h1', {}, `第 ${id} 号办件`));
      status.error(e);
      return;
    }
    learnDepartments(view.tasks);
    content.replaceChildren(...caseContent(view, chain, ctx, load, status));
  };
  // One refresh at a time, in the order asked: a panel that awaits load()
  // after its step knows the page shows that step once it resolves (a
  // refresh the event stream started before it cannot land after it).
  let queue = Promise.resolve();
  const load = () => (queue = queue.catch(() => {}).then(refresh));
  await load();
  // Live: a new entry of this case reloads the page's data.
  let pending = null;
  const stop = listen((kind, data) => {
    if (kind === 'open' || (data && String(data.case) === String(id))) {
      clearTimeout(pending);
      pending = setTimeout(() => {
        // Do not disturb an officer who is typing in a panel of this page.
        if (content.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) return;
        status.clearIfOlder(5000);
        load();
      }, 400);
    }
  });
  ctx.onLeave(stop);
}

function caseContent(view, chain, ctx, reload, pageStatus) {
  const role = ctx.session.role;
  const out = [];
  out.push(h('div', { class: 'page-head' },
    h('h1', {}, `第 ${view.id} 号办件 · ${view.chain_name}`),
    h('p', { class: 'stage-line' }, h('span', { class: `stage stage-${view.stage}` }, STAGE_ZH[view.stage] || view.stage),
      view.stage === 'running' ? [' ', alertBadge(view.alert, view.supervision), ' ', remainingText(view)] : null)));
  out.push(stepper(view));
  const facts = [
    ['收件时间', formatInstant(view.submitted_at)],
    ['渠道', CHANNEL_ZH[view.channel] || view.channel],
    ['受理日期', formatDate(view.accepted_on)],
    ['承诺办结日期', formatDate(view.deadline, view.deadline_provisional)],
    ['办结日期', formatDate(view.finished_on)],
    ['跑动次数', String(view.visits)],
    ['一次告知', `${view.notices} 次`],
    view.agent ? ['代办人', agentText(view.agent)] : null,
    view.reuse ? ['一次收齐', view.reuse.reused.length
      ? view.reuse.reused.map((r) => `${r.label}${r.number ? `（${r.number}）` : ''}，来自第 ${r.from_case} 号办件`).join('；')
      : '申请人同意复用，未复用任何信息'] : null,
    committedMatters(view).size ? ['告知承诺', [...committedMatters(view)].map((x) => matterName(chain, x)).join('、')] : null,
    view.delivery ? ['出件方式', `${DELIVERY_ZH[view.delivery] || view.delivery}${view.tracking ? `（运单号 ${view.tracking}）` : ''}`] : null,
    view.reason ? ['原因', view.reason] : null,
  ].filter(Boolean);
  out.push(h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { fact: k } }, v)])));
  if (view.deferred?.length) out.push(deferredSection(view));

  if (role === 'window' || role === 'admin') {
    if (view.stage === 'incomplete' || view.deferred?.length || view.tasks.some((t) => t.status === 'supplement')) out.push(supplementPanel(view, chain, reload, pageStatus));
    if (view.stage === 'ready') out.push(view.deferred?.length ? heldPanel(view) : deliverPanel(view, reload, pageStatus));
  }

  out.push(h('section', { 'aria-labelledby': 'sec-tasks' },
    h('h2', { id: 'sec-tasks' }, role === 'department' ? '本部门事项' : '各部门事项'),
    tasksTable(view, chain, role)));
  if (view.stage !== 'created') out.push(filesSection(view, chain, role, reload, pageStatus));

  // 好差评: the window records a rating from submission on (the server keeps the time window).
  if ((role === 'window' || role === 'admin') && view.stage !== 'created') out.push(ratingPanel(view, reload, pageStatus));
  if (view.ratings) out.push(ratingsSection(view, chain, role, reload, pageStatus));

  const data = view.data || (['window', 'admin', 'supervisor'].includes(role) ? currentApplication(view).fields : null);
  if (data) {
    const keys = inFormOrder(chain, Object.keys(data));
    out.push(h('section', { 'aria-labelledby': 'sec-data' },
      h('h2', { id: 'sec-data' }, role === 'department' ? '本部门可见的申请信息' : '申请信息'),
      h('details', { open: role === 'department' ? true : undefined },
        h('summary', {}, `${keys.length} 项`),
        h('dl', { class: 'data' }, keys.map((k) => {
          const f = fieldOf(chain, k);
          return [h('dt', {}, f?.label || k), h('dd', {}, valueText(f, data[k]))];
        })))));
  }

  out.push(h('section', { 'aria-labelledby': 'sec-log' },
    h('h2', { id: 'sec-log' }, '办理日志'),
    h('ol', { class: 'timeline' }, view.events.map((e) => h('li', { class: `entry kind-${e.kind} result-${e.result}` },
      h('time', { datetime: e.at }, formatInstant(e.at)),
      h('span', { class: 'kind' }, EVENT_ZH[e.kind] || e.kind),
      h('span', { class: 'what' }, eventText(e, chain, view)),
      h('span', { class: 'actor' }, `操作人：${actorText(e.actor, chain)}`),
      e.result === 'ignored' ? h('span', { class: 'tag' }, '重复或迟到，未生效') : null,
      h('span', { class: 'raw-summary small muted', lang: 'en', title: '日志原文' }, e.summary))))));
  return out;
}

function tasksTable(view, chain, role) {
  const committed = committedMatters(view);
  const rows = view.tasks.map((t) => h('tr', { class: `task status-${t.status}`, dataset: { matter: t.matter } },
    h('th', { scope: 'row' }, role === 'department' && OPEN_TASK.includes(t.status)
      ? h('a', { href: `#/task/${view.id}/${t.matter}` }, t.name) : t.name,
    committed.has(t.matter) || ['verifying', 'revoked'].includes(t.status) ? h('span', { class: 'tag' }, '告知承诺') : null),
    h('td', {}, t.department_name || t.department),
    h('td', {}, TASK_STATUS_ZH[t.status] || t.status,
      t.requested?.length ? h('div', { class: 'small' }, `待补：${t.requested.map((x) => itemLabel(chain, x)).join('、')}`) : null,
      t.note ? h('div', { class: 'small' }, t.note) : null),
    h('td', {}, formatDate(t.started)),
    h('td', {}, formatDate(t.deadline)),
    h('td', {}, OPEN_TASK.includes(t.status) ? [alertBadge(t.alert, t.supervision), h('div', { class: 'small' }, remainingText(t))] : '—'),
    h('td', {}, formatDate(t.finished)),
    h('td', {}, t.claimed_by || '—')));
  return h('table', { class: 'grid tasks' },
    h('thead', {}, h('tr', {}, ['事项', '部门', '状态', '开始', '承诺期限', '时限', '完成', '认领人'].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

/** 容缺受理: the materials still to bring, their due day and where it stands. */
function deferredSection(view) {
  const alert = view.deferred_alert;
  return h('section', { class: 'panel deferred', 'aria-labelledby': 'sec-deferred' },
    h('h2', { id: 'sec-deferred' }, '容缺受理：待补交材料'),
    h('p', {}, alert ? alertBadge(alert, 'none') : null, ' 办理结果在材料补齐后发放。'),
    h('ol', { class: 'deferred-materials' }, view.deferred.map((d) => h('li', { dataset: { kind: 'deferred', key: d.key } },
      h('span', { class: 'item' }, d.label || d.key), ' — ', h('span', { class: 'why' }, deferredText(d.due))))));
}

/** Every matter is done but a deferred material is still out: results are held. */
function heldPanel(view) {
  return h('section', { class: 'panel', 'aria-labelledby': 'sec-deliver' }, h('h2', { id: 'sec-deliver' }, '出件'),
    h('p', {}, `各事项均已办结，但容缺材料尚未补齐（${view.deferred.map((d) => d.label).join('、')}），结果暂缓发放；补正后即可出件。`));
}

/** 补正: what the notice or a department asked for, supplied at the window. */
function supplementPanel(view, chain, reload, pageStatus) {
  const status = statusLine();
  const section = h('section', { class: 'panel', 'aria-labelledby': 'sec-supplement' },
    h('h2', { id: 'sec-supplement' }, '补正'));
  const body = h('div', {}, h('p', { class: 'muted' }, '正在核对尚缺的信息和材料…'));
  section.append(body, status.el);
  const app = currentApplication(view);
  (async () => {
    const wanted = new Map();  // key → 'field' | 'material'
    let notice = null;
    if (view.stage === 'incomplete') {
      try {
        notice = await api('POST', `/api/v1/chains/${encodeURIComponent(view.chain)}/check`, app);
        for (const m of notice.missing) wanted.set(m.key, m.kind);
        for (const m of notice.invalid) wanted.set(m.key, 'field');
      } catch (e) {
        status.error(e);
      }
    }
    for (const d of view.deferred || []) wanted.set(d.key, 'material');
    const requests = view.tasks.filter((t) => t.status === 'supplement');
    for (const t of requests) for (const x of t.requested) wanted.set(x, fieldOf(chain, x) ? 'field' : 'material');
    const fields = [];
    const mats = [];
    for (const [key, kind] of wanted) {
      if (kind === 'field' && fieldOf(chain, key)) fields.push(fieldInput(fieldOf(chain, key), { value: app.fields[key], idPrefix: 's' }));
      else if (materialOf(chain, key)) mats.push({ id: key, ...checkbox(`${materialOf(chain, key).name}（已收取）`, { value: key }) });
    }
    const button = h('button', { type: 'submit', class: 'primary' }, '补正');
    const form = h('form', { class: 'supplement', novalidate: true },
      requests.map((t) => h('p', {}, `${t.name}（${t.department_name}）要求补正：${t.requested.map((x) => itemLabel(chain, x)).join('、')}`)),
      view.deferred?.length ? h('p', {}, `容缺受理的材料：${view.deferred.map((d) => `${d.label}（${deferredText(d.due)}）`).join('、')}`) : null,
      notice ? h('details', { class: 'notice-copy' }, h('summary', {}, '一次性告知内容'), ...noticeList(chain, notice)) : null,
      fields.length ? h('fieldset', {}, h('legend', {}, '补填或更正的信息'), h('div', { class: 'fields' }, fields.map((f) => f.el))) : null,
      mats.length ? h('fieldset', {}, h('legend', {}, '补交的材料'), mats.map((m) => m.el)) : null,
      !fields.length && !mats.length ? h('p', {}, '没有待补正的项目。') : null,
      button);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      // (The contract's `in_person` is refused by the server today: not sent.)
      const body = { fields: {}, materials: mats.filter((m) => m.input.checked).map((m) => m.id) };
      for (const f of fields) {
        const v = f.read();
        if (v !== undefined) body.fields[f.key] = v;
      }
      if (!Object.keys(body.fields).length && !body.materials.length) {
        status.error(new Error('请填写或勾选补正的内容'));
        return;
      }
      button.disabled = true;
      try {
        const r = await api('POST', `/api/v1/cases/${view.id}/supplement`, body);
        await reload();
        if (r.result === 'applied') pageStatus.ok(`已补正，办件${STAGE_ZH[r.stage] || r.stage}。`);
        else pageStatus.error(new Error(`未生效：${r.reason}`));
        pageStatus.el.scrollIntoView({ block: 'nearest' });
      } catch (e) {
        status.error(e);
        for (const bad of e.problem?.errors || []) fields.find((f) => f.key === bad.key)?.setError(bad.reason_zh || bad.reason);
      } finally {
        button.disabled = false;
      }
    });
    body.replaceChildren(form);
  })();
  return section;
}

/** 出件: 窗口领取, 邮寄 with a tracking number, or 电子证照. */
function deliverPanel(view, reload, pageStatus) {
  const status = statusLine();
  const name = nextId('method');
  const radios = Object.entries(DELIVERY_ZH).map(([value, label], i) => {
    const id = `${name}-${value}`;
    return h('div', { class: 'check' }, h('input', { type: 'radio', name, id, value, checked: i === 0 }), h('label', { for: id }, label));
  });
  const trackId = nextId('tracking');
  const tracking = h('input', { id: trackId, type: 'text', autocomplete: 'off', maxlength: 40 });
  const trackingRow = h('div', { class: 'field', hidden: true }, h('label', { for: trackId }, '快递运单号'), h('div', { class: 'control' }, tracking));
  const button = h('button', { type: 'submit', class: 'primary' }, '出件');
  const form = h('form', { class: 'deliver', novalidate: true },
    h('p', {}, '各事项均已办结，结果统一出件。'),
    h('fieldset', {}, h('legend', {}, '出件方式'), radios), trackingRow, button);
  const method = () => form.querySelector(`input[name="${name}"]:checked`)?.value;
  form.addEventListener('change', () => {
    trackingRow.hidden = method() !== 'express';
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { method: method() };
    if (body.method === 'express') {
      if (!tracking.value.trim()) {
        status.error(new Error('邮寄出件请填写快递运单号'));
        tracking.focus();
        return;
      }
      body.tracking = tracking.value.trim();
    }
    button.disabled = true;
    try {
      const r = await api('POST', `/api/v1/cases/${view.id}/deliver`, body);
      await reload();
      if (r.result === 'applied') pageStatus.ok('已出件。');
      else pageStatus.error(new Error(`未生效：${r.reason}`));
      pageStatus.el.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      status.error(e);
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'panel', 'aria-labelledby': 'sec-deliver' }, h('h2', { id: 'sec-deliver' }, '出件'), form, status.el);
}

