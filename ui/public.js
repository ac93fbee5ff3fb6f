// 办件进度查询: the applicant's view of a case (no log-in): case number +
// query code → GET /api/v1/public/cases/{id}?code=Q. A wrong code and an
// unknown case answer alike (404), and the page says nothing more.

const STAGE = {
  created: '待提交', incomplete: '待补正：请按一次性告知书补齐信息和材料', running: '已受理，各部门办理中',
  ready: '已办结，等待领取结果', delivered: '已办结并出件', rejected: '不予许可', withdrawn: '已撤回',
  verifying: '已出件，告知承诺事项核查中',
};
const STATUS = {
  waiting: '等待前序事项', skipped: '不适用', dispatched: '办理中', supplement: '待补正',
  suspended: '暂停计时', incident: '办理中', approved: '已办结', rejected: '不予许可', cancelled: '已取消',
  verifying: '已按承诺办结，核查中', revoked: '核查未通过，已撤销',
};

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const form = document.getElementById('lookup');
const caseInput = document.getElementById('case-id');
const codeInput = document.getElementById('query-code');
const result = document.getElementById('result');

function message(text, cls) {
  result.replaceChildren(h('p', { class: `status ${cls}`, role: cls === 'error' ? 'alert' : 'status' }, text));
}

async function lookup() {
  const id = caseInput.value.trim();
  const code = codeInput.value.trim().toUpperCase();
  if (!/^\d+$/.test(id) || !code) {
    message('请输入数字办件编号和查询码。', 'error');
    return;
  }
  message('正在查询…', 'ok');
  let res;
  try {
    res = await fetch(`/api/v1/public/cases/${id}?code=${encodeURIComponent(code)}`, { headers: { Accept: 'application/json' }, credentials: 'omit' });
  } catch {
    message('无法连接服务器，请稍后再试。', 'error');
    return;
  }
  if (res.status === 404) {
    message('未查询到办件，请核对办件编号和查询码。', 'error');
    return;
  }
  if (res.status === 429) {
    message('查询过于频繁，请稍后再试。', 'error');
    return;
  }
  if (!res.ok) {
    message(`查询失败（${res.status}），请稍后再试。`, 'error');
    return;
  }
  const c = await res.json();
  const done = c.matters.filter((m) => m.status === 'approved').length;
  const applicable = c.matters.filter((m) => !['skipped', 'cancelled'].includes(m.status)).length;
  const facts = [
    ['办件编号', String(c.id)],
    ['事项', c.chain_name],
    ['办理状态', STAGE[c.stage] || c.stage],
    ['收件日期', c.submitted_on],
    ['受理日期', c.accepted_on || '—'],
    ['承诺办结日期', c.deadline || '—'],
    ['办结日期', c.finished_on || '—'],
  ];
  result.replaceChildren(h('section', { class: 'progress', 'aria-labelledby': 'progress-title' },
    h('h2', { id: 'progress-title' }, `${c.chain_name} · 办理进度`),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h3', {}, `各事项（已办结 ${done} / ${applicable}）`),
    h('ul', { class: 'matters' }, c.matters.map((m) => h('li', {},
      h('span', { class: 'name' }, m.name),
      h('span', { class: `state state-${m.status}` }, STATUS[m.status] || m.status, m.finished && m.status !== 'skipped' ? `（${m.finished}）` : ''))))));
  result.querySelector('h2').setAttribute('tabindex', '-1');
  result.querySelector('h2').focus();
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  lookup();
});
// A link from the receipt may carry ?case=…&code=….
const params = new URLSearchParams(location.search);
if (params.get('case')) caseInput.value = params.get('case');
if (params.get('code')) codeInput.value = params.get('code');
if (caseInput.value && codeInput.value) lookup();
