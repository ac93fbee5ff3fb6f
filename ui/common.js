// Shared helpers of the officers' web UI: the API client (cookie session +
// CSRF header), the session kept in sessionStorage, a small DOM builder, the
// Chinese names of the API's codes, and the one event stream of the page.

const SESSION_KEY = 'yilian.session';

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  } catch {
    return null;
  }
}
export function setSession(s) {
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

/** An answer that is not 2xx: the RFC 9457 problem, when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

let onUnauthorized = () => {};
/** What to do when the session is gone (401): the app shows the log-in screen. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** One call to the API. Writes carry the session's CSRF token. A Blob (a file) is sent as it is. */
export async function api(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', ...headers };
  const s = session();
  if (method !== 'GET' && s?.csrf) h['X-CSRF-Token'] = s.csrf;
  const raw = body instanceof Blob;
  if (body !== undefined) h['Content-Type'] = raw ? (body.type || 'application/octet-stream') : 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : raw ? body : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { title: '网络错误', detail: '无法连接服务器，请稍后重试。' });
  }
  const text = await res.text();
  let parsed = null;
  if (text && /json/.test(res.headers.get('content-type') || '')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (res.status === 401 && path !== '/api/v1/session') {
    onUnauthorized();
  }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

/** A UUID for an Idempotency-Key (crypto.randomUUID where the context allows it). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * h('div', {class: 'x', onclick: fn}, 'text', child, [more]) — a DOM element.
 * Attributes: `class`, `text`, `html` is not supported (no innerHTML anywhere),
 * `on*` listeners, booleans set or leave out the attribute, `dataset`.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

let idCounter = 0;
export function nextId(prefix = 'id') {
  return `${prefix}-${++idCounter}`;
}

/** A status line for errors and confirmations, read out by screen readers. */
export function statusLine() {
  const el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  let since = 0;
  return {
    el,
    /** Clears what was shown more than `ms` ago (a stale confirmation). */
    clearIfOlder(ms) {
      if (Date.now() - since > ms) this.clear();
    },
    ok(text) {
      since = Date.now();
      el.className = 'status ok';
      el.setAttribute('role', 'status');
      el.textContent = text;
    },
    error(e) {
      since = Date.now();
      el.className = 'status error';
      el.textContent = errorText(e);
      el.setAttribute('role', 'alert');
    },
    clear() {
      el.className = 'status';
      el.setAttribute('role', 'status');
      el.textContent = '';
    },
  };
}

/** A Chinese sentence for an error from api(). */
export function errorText(e) {
  if (!(e instanceof ApiError)) return String(e?.message || e);
  const byStatus = {
    0: '无法连接服务器',
    400: '提交的内容有误',
    401: '登录已失效，请重新登录',
    403: '无权进行此操作',
    404: '未找到，或不在您的办理范围内',
    409: '操作冲突',
    413: '内容过大',
    422: '重复提交的内容不一致',
    429: '操作过于频繁，请稍后再试',
    503: '服务暂不可用',
  };
  const head = byStatus[e.status] || `服务器错误（${e.status}）`;
  const items = (e.problem.errors || []).map((i) => i.reason_zh || i.message || i.reason).filter(Boolean);
  const detail = e.problem.detail && e.status !== 0 ? `：${e.problem.detail}` : '';
  return `${head}${detail}${items.length ? `（${items.join('；')}）` : ''}`;
}

// --- Chinese names of the API's codes ------------------------------------

export const ROLE_ZH = { window: '综合窗口', department: '部门', supervisor: '效能监察', portal: '平台接口', admin: '管理员' };
export const STAGE_ZH = {
  created: '待提交', incomplete: '待补正（已一次告知）', running: '办理中', ready: '待出件',
  delivered: '已出件', rejected: '不予许可', withdrawn: '已撤回', verifying: '已出件（告知承诺核查中）',
};
export const TASK_STATUS_ZH = {
  waiting: '等待前序事项', skipped: '不适用', dispatched: '办理中', supplement: '待补正（计时暂停）',
  suspended: '中止（计时暂停）', incident: '派单异常', approved: '已通过', rejected: '不予许可', cancelled: '已取消',
  verifying: '承诺通过，核查中', revoked: '核查未通过，已撤销',
};
export const ALERT_ZH = { green: '正常', yellow: '黄牌预警', red: '红牌预警' };
export const SUPERVISION_ZH = { none: '', 'first-level': '一级督办', 'second-level': '二级督办' };
export const CHANNEL_ZH = { window: '窗口', online: '网上', hotline: '热线', department: '部门', system: '系统', cli: '命令行' };
export const DELIVERY_ZH = { 'in-person': '窗口领取', express: '邮寄', electronic: '电子证照' };
export const EVENT_ZH = {
  submitted: '收件', supplemented: '补正', 'task-approved': '通过', 'task-rejected': '不予许可',
  'supplement-requested': '要求补正', 'task-suspended': '中止', 'task-resumed': '恢复办理',
  'task-incident': '派单异常', 'task-retried': '重新派单', 'timer-fired': '时限提醒', extended: '延期',
  withdrawn: '撤回', delivered: '出件', 'task-claimed': '认领', 'task-released': '释放', urged: '督办',
  accepted: '受理', notice: '告知', rated: '好差评', 'followed-up': '差评处理', 'file-attached': '材料文件',
};
/** 好差评 grades (GB/T 39734-2020): 1 非常不满意 … 5 非常满意; 1 and 2 are bad ratings (差评). */
export const GRADE_ZH = { 1: '非常不满意', 2: '不满意', 3: '基本满意', 4: '满意', 5: '非常满意' };
/** A bad rating's follow-up: the steps of POST /cases/{id}/ratings/{n}/follow-up and the appeal's state. */
export const FOLLOW_UP_STEP_ZH = {
  'called-back': '回访', rectified: '整改', appealed: '申诉', 'appeal-upheld': '申诉成立，差评撤销', 'appeal-rejected': '申诉驳回',
};
export const APPEAL_ZH = { none: '未申诉', pending: '申诉复核中', upheld: '申诉成立，差评已撤销', rejected: '申诉已驳回' };
/** Task statuses with a running limit (the alert applies): a 核查 (verifying) too. */
export const OPEN_TASK = ['dispatched', 'supplement', 'suspended', 'verifying'];
export const EVENT_KINDS = Object.keys(EVENT_ZH);

/** The alert as a badge: colour and words (colour is never the only signal). */
export function alertBadge(alert, supervision) {
  const sup = SUPERVISION_ZH[supervision] || '';
  const icon = { green: '●', yellow: '▲', red: '■' }[alert] || '●';
  return h('span', { class: `badge alert-${alert}` }, h('span', { 'aria-hidden': 'true' }, `${icon} `), ALERT_ZH[alert] || alert, sup ? `·${sup}` : '');
}

/** "剩余 3 个工作日" / "超期 2 个工作日" / "计时暂停". */
export function remainingText(t) {
  if (t.clock_stopped) return `计时暂停（剩余 ${t.remaining_days} 个工作日）`;
  if (!t.deadline) return '—';
  if (t.overdue_days > 0) return `超期 ${t.overdue_days} 个工作日`;
  return `剩余 ${t.remaining_days} 个工作日`;
}

/** 容缺受理: "容缺，请于 2025-03-06 前补交" (the due day is known once the case is accepted). */
export function deferredText(due) {
  return due ? `容缺，请于 ${due} 前补交` : '容缺，可于受理后补交';
}

/** 代办人 as people read it: name, ID number (masked on what the applicant takes away), phone. */
export function agentText(agent, { mask = false } = {}) {
  if (!agent) return '';
  const id = mask && agent.id_number?.length === 18 ? `${agent.id_number.slice(0, 4)}**********${agent.id_number.slice(14)}` : agent.id_number;
  return `${agent.name}（身份证号 ${id}${agent.phone ? `，电话 ${agent.phone}` : ''}）`;
}

export function formatInstant(at) {
  return at ? at.replace('T', ' ').slice(0, 16) : '—';
}
export function formatDate(d, provisional) {
  if (!d) return '—';
  return provisional ? `${d}（暂定）` : d;
}

// --- chains ----------------------------------------------------------------

const chains = new Map();
/** GET /api/v1/chains/{id}, once per page. */
export function chainDoc(id) {
  if (!chains.has(id)) chains.set(id, api('GET', `/api/v1/chains/${encodeURIComponent(id)}`).catch((e) => { chains.delete(id); throw e; }));
  return chains.get(id);
}
export function matterName(chain, id) {
  return chain?.form?.matters?.find((m) => m.id === id)?.name || id;
}
export function fieldOf(chain, key) {
  return chain?.form?.fields?.find((f) => f.key === key);
}
/** Field keys in the order of the chain's form (unknown keys last). */
export function inFormOrder(chain, keys) {
  const order = new Map((chain?.form?.fields || []).map((f, i) => [f.key, i]));
  return [...keys].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
}
export function materialOf(chain, id) {
  return chain?.form?.materials?.find((m) => m.id === id);
}
/** A field's label or a material's name, for an item id of either. */
export function itemLabel(chain, id) {
  return fieldOf(chain, id)?.label || materialOf(chain, id)?.name || id;
}

// --- the event stream -------------------------------------------------------

let source = null;
let retry = null;
const listeners = new Set();
let streamState = 'closed';
function fire(kind, data) {
  for (const l of [...listeners]) {
    try {
      l(kind, data);
    } catch (e) {
      console.error(e);
    }
  }
}
function connect() {
  const es = new EventSource('/api/v1/events');
  source = es;
  es.addEventListener('open', () => {
    streamState = 'open';
    fire('open');
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // Refused for good (an HTTP error): try a new stream a little later.
      streamState = 'connecting';
      clearTimeout(retry);
      retry = setTimeout(() => {
        if (source === es && listeners.size) connect();
      }, 5000);
    } else {
      streamState = 'connecting';
    }
    fire('error');
  });
  const onEntry = (e) => {
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch {
      data = null;
    }
    fire(e.type === 'message' ? data?.kind || 'message' : e.type, data);
  };
  for (const k of EVENT_KINDS) es.addEventListener(k, onEntry);
  es.addEventListener('message', onEntry);
}
/**
 * Listen to GET /api/v1/events: fn(kind, data) for each entry, fn('open')
 * when the stream (re)connects, fn('error') when it drops (EventSource
 * reconnects by itself, resuming with Last-Event-ID). Returns an unsubscribe.
 */
export function listen(fn) {
  listeners.add(fn);
  if (!source) connect();
  return () => {
    listeners.delete(fn);
  };
}
export function streamStatus() {
  return streamState;
}
export function closeStream() {
  clearTimeout(retry);
  if (source) source.close();
  source = null;
  streamState = 'closed';
  listeners.clear();
}
