// 部门: the department's open tasks sorted by urgency; a task's page with
// 认领, 通过 (with the values the matter produces), 不予许可 and 要求补正.
// Only the department's view of the case data is shown (the server sends
// nothing else to a department).

import {
  api, alertBadge, chainDoc, formatDate, h, listen, remainingText, session, statusLine, STAGE_ZH,
  TASK_STATUS_ZH, fieldOf, inFormOrder, materialOf, nextId, OPEN_TASK,
} from './common.js';
import { filesSection } from './files.js';
import { checkbox, fieldInput, valueText } from './form.js';

const ALERT_RANK = { red: 0, yellow: 1, green: 2 };
/** Most urgent first: red, yellow, green; running clocks before stopped ones; fewest days left first. */
export function byUrgency(a, b) {
  return (ALERT_RANK[a.alert] - ALERT_RANK[b.alert])
    || (b.overdue_days - a.overdue_days)
    || (Number(a.clock_stopped) - Number(b.clock_stopped))
    || (a.remaining_days - b.remaining_days)
    || String(a.deadline).localeCompare(String(b.deadline))
    || (a.case - b.case);
}

/** The department's queue. */
export async function renderQueue(root, ctx) {
  const me = session();
  const status = statusLine();
  const title = h('h1', {}, '部门待办');
  const tbody = h('tbody');
  const counts = h('p', { class: 'counts' });
  root.append(h('div', { class: 'page-head' }, title, counts), status.el,
    h('table', { class: 'grid queue' },
      h('caption', { class: 'sr-only' }, '本部门待办事项，按紧急程度排序'),
      h('thead', {}, h('tr', {}, ['预警', '事项', '办件', '状态', '承诺期限', '剩余工作日', '认领人', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody));
  let shown = '';
  const load = async () => {
    let tasks;
    try {
      tasks = (await api('GET', '/api/v1/tasks')).tasks;
    } catch (e) {
      status.error(e);
      return;
    }
    const now = JSON.stringify(tasks);
    if (now === shown) return;
    shown = now;
    tasks.sort(byUrgency);
    const deptName = tasks.find((t) => t.department_name)?.department_name;
    title.textContent = `部门待办 · ${deptName || me.department || ''}`;
    const n = (a) => tasks.filter((t) => t.alert === a).length;
    counts.replaceChildren(`共 ${tasks.length} 件：`, alertBadge('red'), ` ${n('red')} 件 `, alertBadge('yellow'), ` ${n('yellow')} 件 `, alertBadge('green'), ` ${n('green')} 件`);
    tbody.replaceChildren();
    for (const t of tasks) {
      const chain = await chainDoc(t.chain).catch(() => null);
      const verifying = t.status === 'verifying';
      const what = `${verifying ? '核查：' : ''}${t.name}（第 ${t.case} 号）`;
      const claim = h('button', { type: 'button', 'aria-label': `认领：${what}` }, '认领');
      claim.addEventListener('click', async () => {
        claim.disabled = true;
        try {
          await api('POST', `/api/v1/tasks/${t.case}/${encodeURIComponent(t.matter)}/claim`, {});
          ctx.navigate(`#/task/${t.case}/${t.matter}`);
        } catch (e) {
          status.error(e);
          claim.disabled = false;
        }
      });
      tbody.append(h('tr', { class: `alert-row-${t.alert}`, dataset: { case: t.case, matter: t.matter } },
        h('td', {}, alertBadge(t.alert, t.supervision)),
        h('th', { scope: 'row' }, h('a', { href: `#/task/${t.case}/${t.matter}` }, t.name),
          verifying ? h('span', { class: 'tag tag-verify' }, '告知承诺核查') : null),
        h('td', {}, `第 ${t.case} 号 · ${chain?.name || t.chain}`),
        h('td', {}, TASK_STATUS_ZH[t.status] || t.status),
        h('td', {}, formatDate(t.deadline)),
        h('td', { class: 'remaining' }, remainingText(t)),
        h('td', {}, t.claimed_by || '—'),
        h('td', {}, (t.status === 'dispatched' || verifying) && !t.claimed_by ? claim
          : h('a', { class: 'button', href: `#/task/${t.case}/${t.matter}`, 'aria-label': `办理：${what}` }, '办理'))));
    }
    if (!tasks.length) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, '暂无待办事项。')));
  };
  await load();
  let pending = null;
  ctx.onLeave(listen(() => {
    clearTimeout(pending);
    pending = setTimeout(load, 300);
  }));
}

/** What a 核查 is, above its actions. */
function verificationNote() {
  return h('p', { class: 'verify-note' }, h('span', { class: 'tag tag-verify' }, '告知承诺核查'),
    '申请人已书面承诺符合许可条件，本事项已依承诺作出许可。请在核查期限内核查承诺内容：属实的，核查通过；不属实的，核查不通过并撤销许可。');
}

/** Light checks of a produced value before the server's (which decides). */
function produceProblem(field, v) {
  if (v === undefined) return `请填写${field.label}`;
  if (['string', 'text'].includes(field.type) && typeof v === 'string') {
    if (field.min !== undefined && [...v].length < field.min) return `至少 ${field.min} 个字符`;
    if (field.max !== undefined && [...v].length > field.max) return `至多 ${field.max} 个字符`;
  }
  if (['integer', 'number', 'area'].includes(field.type)) {
    if (typeof v !== 'number') return '请填写数字';
    if (field.min !== undefined && v < field.min) return `不小于 ${field.min}`;
    if (field.max !== undefined && v > field.max) return `不大于 ${field.max}`;
  }
  if (field.type === 'uscc' && !/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(String(v))) return '统一社会信用代码应为 18 位数字或大写字母';
  if (field.type === 'id-card' && !/^\d{17}[\dX]$/.test(String(v))) return '身份证号码应为 18 位';
  return '';
}

/** One task of the department: its data, and what the officer can do. */
export async function renderTask(root, ctx, caseId, matterId) {
  const me = session();
  const status = statusLine();
  const content = h('div');
  root.append(status.el, content);
  let shown = '';
  const load = async () => {
    let view;
    let chain;
    try {
      view = await api('GET', `/api/v1/cases/${encodeURIComponent(caseId)}`);
      chain = await chainDoc(view.chain);
    } catch (e) {
      content.replaceChildren(h('h1', {}, '事项办理'));
      status.error(e);
      return;
    }
    // Nothing new (e.g. the stream echoing this officer's own step): keep the page as it is.
    const now = JSON.stringify(view);
    if (now === shown) return;
    shown = now;
    const task = view.tasks.find((t) => t.matter === matterId);
    if (!task) {
      content.replaceChildren(h('h1', {}, '事项办理'), h('p', { class: 'status error', role: 'alert' }, '未找到该事项，或不在本部门办理范围内。'));
      return;
    }
    const matter = chain.form.matters.find((m) => m.id === matterId) || { fields: [], materials: [] };
    const out = [];
    const verifying = task.status === 'verifying';
    out.push(h('div', { class: 'page-head' },
      h('h1', {}, verifying ? `核查：${task.name}` : task.name),
      h('p', {}, h('a', { href: `#/case/${view.id}` }, `第 ${view.id} 号办件 · ${view.chain_name}`), `（${STAGE_ZH[view.stage] || view.stage}）`)));
    out.push(h('dl', { class: 'facts' },
      h('dt', {}, '部门'), h('dd', {}, task.department_name || task.department),
      h('dt', {}, '状态'), h('dd', { class: 'task-status' }, TASK_STATUS_ZH[task.status] || task.status),
      h('dt', {}, '开始日期'), h('dd', {}, formatDate(task.started)),
      h('dt', {}, '承诺期限'), h('dd', {}, formatDate(task.deadline)),
      h('dt', {}, verifying ? '核查期限' : '时限'), h('dd', {}, OPEN_TASK.includes(task.status) ? [alertBadge(task.alert, task.supervision), ' ', remainingText(task)] : '—'),
      h('dt', {}, '认领人'), h('dd', { class: 'claimed-by' }, task.claimed_by || '未认领'),
      task.requested?.length ? [h('dt', {}, '待补正'), h('dd', {}, task.requested.map((x) => fieldOf(chain, x)?.label || materialOf(chain, x)?.name || x).join('、'))] : null,
      task.note ? [h('dt', {}, '说明'), h('dd', {}, task.note)] : null));

    const data = view.data || {};
    const keys = inFormOrder(chain, Object.keys(data));
    out.push(h('div', { class: 'two-col' },
      h('section', { 'aria-labelledby': 'sec-dept-data' },
        h('h2', { id: 'sec-dept-data' }, '本部门可见的申请信息'),
        keys.length ? h('dl', { class: 'data' }, keys.map((k) => {
          const f = fieldOf(chain, k);
          return [h('dt', {}, f?.label || k), h('dd', { dataset: { key: k } }, valueText(f, data[k]))];
        })) : h('p', { class: 'muted' }, '无。')),
      h('section', { 'aria-labelledby': 'sec-dept-materials' },
        h('h2', { id: 'sec-dept-materials' }, '本事项所需材料'),
        h('ul', { class: 'materials-needed' }, matter.materials.map((id) => {
          const m = materialOf(chain, id);
          return h('li', {}, m?.name || id, m?.requirement === 'produced' ? h('span', { class: 'tag' }, '由前序事项出具') : null,
            m?.original ? h('span', { class: 'tag' }, '需验原件') : null);
        })))));
    out.push(filesSection(view, chain, 'department', load, status));
    out.push(actions(view, chain, task, matter, me, status, load));
    content.replaceChildren(...out);
  };
  await load();
  // Live: an entry of this case (a supplement arriving, a colleague's claim)
  // reloads the page, unless the officer is typing in one of its forms.
  let pending = null;
  ctx.onLeave(listen((kind, data) => {
    if (kind !== 'open' && String(data?.case) !== String(caseId)) return;
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (content.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) return;
      load();
    }, 400);
  }));
}

function actions(view, chain, task, matter, me, status, reload) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'sec-actions' }, h('h2', { id: 'sec-actions' }, '办理'));
  const base = `/api/v1/tasks/${view.id}/${encodeURIComponent(task.matter)}`;
  const act = async (button, path, body, done) => {
    button.disabled = true;
    status.clear();
    try {
      const r = await api('POST', `${base}/${path}`, body);
      if (r && r.result && r.result !== 'applied' && r.result !== 'note') status.error(new Error(`未生效：${r.reason || r.result}`));
      else status.ok(done);
      await reload();
      return true;
    } catch (e) {
      status.error(e);
      return e;
    } finally {
      button.disabled = false;
    }
  };
  if (task.status === 'suspended') {
    // An Art. 45 activity stopped the clock: resume it when it is over.
    const resume = h('button', { type: 'button', class: 'primary' }, '恢复计时');
    resume.addEventListener('click', () => act(resume, 'resume', {}, '已恢复计时。'));
    section.append(h('p', {}, '因听证、检验、检测、鉴定、专家评审等程序中止计时（行政许可法第四十五条），所需时间不计入办理期限。'), resume);
    return section;
  }
  const verifying = task.status === 'verifying';
  if (task.status !== 'dispatched' && !verifying) {
    section.append(h('p', {}, task.status === 'supplement' ? '已要求补正，等待申请人补正（计时暂停）。' : `该事项${TASK_STATUS_ZH[task.status] || task.status}，无需办理。`));
    return section;
  }
  if (!task.claimed_by) {
    const b = h('button', { type: 'button', class: 'primary' }, '认领');
    b.addEventListener('click', () => act(b, 'claim', {}, '已认领。'));
    if (verifying) section.append(verificationNote());
    section.append(h('p', {}, '认领后办理，其他人员不能同时办理。'), b);
    return section;
  }
  if (task.claimed_by !== me.account) {
    section.append(h('p', {}, `该事项已由 ${task.claimed_by} 认领办理。`));
    return section;
  }
  const release = h('button', { type: 'button' }, '释放');
  release.addEventListener('click', () => act(release, 'release', {}, '已释放，其他人员可以认领。'));

  // 通过: the values the matter produces, from the form document.
  const produced = chain.form.fields.filter((f) => (f.producers || []).includes(task.matter));
  const inputs = produced.map((f) => fieldInput(f, { idPrefix: 'p' }));
  const approve = h('button', { type: 'submit', class: 'primary' }, verifying ? '核查通过' : '通过');
  const approveForm = h('form', { class: 'approve', novalidate: true },
    h('h3', {}, verifying ? '核查通过' : '通过'),
    inputs.length ? h('p', { class: 'small' }, '请填写本事项出具的信息，后续事项将直接使用，无需申请人再次提供。') : h('p', { class: 'small' }, '本事项无需填写出具信息。'),
    inputs.map((i) => i.el), approve);
  approveForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const produce = {};
    let bad = null;
    for (const i of inputs) {
      const v = i.read();
      const p = produceProblem(i.field, v);
      i.setError(p);
      if (p && !bad) bad = i;
      if (v !== undefined) produce[i.key] = v;
    }
    if (bad) {
      bad.input.focus();
      return;
    }
    const r = await act(approve, 'approve', { produce }, verifying ? '核查通过。' : '已通过。');
    if (r instanceof Error) for (const e of r.problem?.errors || []) inputs.find((i) => i.key === e.key)?.setError(e.reason_zh || e.reason);
  });

  // 不予许可 with a reason.
  const reasonId = nextId('reason');
  const reason = h('textarea', { id: reasonId, rows: 2 });
  const reject = h('button', { type: 'submit', class: 'danger' }, verifying ? '核查不通过，撤销许可' : '不予许可');
  const rejectForm = h('form', { class: 'reject', novalidate: true },
    h('h3', {}, verifying ? '核查不通过，撤销许可' : '不予许可'),
    verifying ? h('p', { class: 'small' }, '撤销依承诺作出的许可，已据此办理的后续事项一并记录，并通知申请人。') : null,
    h('div', { class: 'field' }, h('label', { for: reasonId }, verifying ? '核查不通过的理由' : '不予许可的理由'), reason), reject);
  rejectForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!reason.value.trim()) {
      status.error(new Error(verifying ? '请填写核查不通过的理由' : '请填写不予许可的理由'));
      reason.focus();
      return;
    }
    await act(reject, 'reject', { reason: reason.value.trim() }, verifying ? '核查不通过，许可已撤销。' : '已作出不予许可决定。');
  });
  if (verifying) {
    // A verification is passed or failed: no supplement request or Art. 45 stop (the flow core ignores them).
    section.append(verificationNote(), h('p', {}, `由您（${me.account}）认领核查。`, release),
      h('div', { class: 'action-forms' }, h('div', {}, approveForm), h('div', {}, rejectForm)));
    return section;
  }

  // 要求补正: pick the matter's fields and materials the applicant supplies.
  const supplyFields = matter.fields.map((k) => fieldOf(chain, k)).filter((f) => f && f.requirement !== 'produced');
  const supplyMaterials = matter.materials.map((id) => materialOf(chain, id)).filter((m) => m && m.requirement !== 'produced');
  const fieldBoxes = supplyFields.map((f) => ({ key: f.key, ...checkbox(f.label, { value: f.key }) }));
  const materialBoxes = supplyMaterials.map((m) => ({ key: m.id, ...checkbox(m.name, { value: m.id }) }));
  const noteId = nextId('note');
  const note = h('textarea', { id: noteId, rows: 2 });
  const ask = h('button', { type: 'submit' }, '要求补正');
  const askForm = h('form', { class: 'request-supplement', novalidate: true },
    h('h3', {}, '要求补正'),
    h('fieldset', {}, h('legend', {}, '补交的材料'), h('div', { class: 'check-grid' }, materialBoxes.map((b) => b.el))),
    h('fieldset', {}, h('legend', {}, '补填或更正的信息'), h('div', { class: 'check-grid' }, fieldBoxes.map((b) => b.el))),
    h('div', { class: 'field' }, h('label', { for: noteId }, '补正说明'), note), ask);
  askForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      materials: materialBoxes.filter((b) => b.input.checked).map((b) => b.key),
      fields: fieldBoxes.filter((b) => b.input.checked).map((b) => b.key),
      note: note.value.trim(),
    };
    if (!body.materials.length && !body.fields.length) {
      status.error(new Error('请至少选择一项需要补正的材料或信息'));
      return;
    }
    await act(ask, 'request-supplement', body, '已要求补正，计时暂停。');
  });

  // 中止计时: an Art. 45 activity, with the working days told to the applicant.
  const whyId = nextId('why');
  const why = h('select', { id: whyId }, [['expert-review', '专家评审'], ['inspection', '检验'], ['testing', '检测'],
    ['quarantine', '检疫'], ['appraisal', '鉴定'], ['hearing', '听证'], ['tendering', '招标'], ['auction', '拍卖'], ['other', '其他']]
    .map(([v, t]) => h('option', { value: v }, t)));
  const toldId = nextId('told');
  const told = h('input', { id: toldId, type: 'number', min: '0', max: '3650', inputmode: 'numeric' });
  const suspend = h('button', { type: 'submit' }, '中止计时');
  const suspendForm = h('form', { class: 'suspend', novalidate: true },
    h('h3', {}, '中止计时（第四十五条）'),
    h('div', { class: 'field' }, h('label', { for: whyId }, '中止原因'), why),
    h('div', { class: 'field' }, h('label', { for: toldId }, '书面告知申请人所需工作日'), told), suspend);
  suspendForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { for: why.value };
    if (told.value !== '') body.told_days = Number(told.value);
    await act(suspend, 'suspend', body, '已中止计时。');
  });

  section.append(h('p', {}, `由您（${me.account}）认领办理。`, release),
    h('div', { class: 'action-forms' }, h('div', {}, approveForm, rejectForm), h('div', {}, askForm, suspendForm)));
  return section;
}
