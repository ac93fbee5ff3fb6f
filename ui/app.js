// The officers' web UI: log in, then the screens of the account's role.
//   #/window            综合窗口: the one form, 一次告知, submit, receipt
//   #/cases             办件列表
//   #/case/ID           案件时间线 (+ 补正 and 出件 for the window)
//   #/tasks             部门待办 (department)
//   #/task/CASE/MATTER  one task: 认领, 通过, 不予许可, 要求补正
//   #/board             督办 (supervisor)

import { api, closeStream, errorText, h, session, setSession, statusLine, whenUnauthorized, ROLE_ZH } from './common.js';
import { renderWindow } from './window.js';
import { renderCase, renderCases } from './timeline.js';
import { renderQueue, renderTask } from './department.js';
import { renderBoard } from './board.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

/** The screens each role may open, in menu order; the first is its home. */
const MENUS = {
  window: [['#/window', '综合窗口'], ['#/cases', '办件列表']],
  department: [['#/tasks', '部门待办'], ['#/cases', '办件列表']],
  supervisor: [['#/board', '督办'], ['#/cases', '办件列表']],
  admin: [['#/window', '综合窗口'], ['#/cases', '办件列表'], ['#/board', '督办']],
  portal: [],
};

let leaving = [];
function leave() {
  for (const fn of leaving) fn();
  leaving = [];
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function renderChrome(s) {
  nav.replaceChildren();
  who.replaceChildren();
  if (!s) return;
  const current = location.hash.split('?')[0] || '';
  for (const [href, label] of MENUS[s.role] || []) {
    const active = current === href || (href === '#/cases' && current.startsWith('#/case/')) || (href === '#/tasks' && current.startsWith('#/task/'));
    nav.append(h('a', { href, 'aria-current': active ? 'page' : undefined }, label));
  }
  const logout = h('button', { type: 'button', class: 'link' }, '退出登录');
  logout.addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/v1/session');
    } catch {
      // The session may be gone already; log out locally either way.
    }
    closeStream();
    setSession(null);
    navigate('#/login');
  });
  who.append(h('span', {}, `${s.account}（${ROLE_ZH[s.role] || s.role}${s.department ? ` · ${s.departmentName || s.department}` : ''}）`), logout);
}

function renderLogin() {
  const status = statusLine();
  const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h('form', { class: 'login', novalidate: true },
    h('h1', {}, '一链办理 · 工作人员登录'),
    h('div', { class: 'field' }, h('label', { for: 'login-name' }, '账号'), name),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, '密码'), password),
    button, status.el,
    h('p', { class: 'small muted' }, '申请人查询办理进度请访问 ', h('a', { href: '/ui/public.html' }, '办件进度查询'), '。'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!name.value.trim() || !password.value) {
      status.error(new Error('请输入账号和密码'));
      return;
    }
    button.disabled = true;
    try {
      const s = await api('POST', '/api/v1/session', { name: name.value.trim(), password: password.value });
      if (s.role === 'department') {
        // The department's Chinese name, from one task of its queue (the session answer has the id only).
        setSession(s);
        const tasks = await api('GET', '/api/v1/tasks?limit=1').then((r) => r.tasks).catch(() => []);
        s.departmentName = tasks.find((t) => t.department_name)?.department_name;
      }
      setSession(s);
      password.value = '';
      const home = (MENUS[s.role] || [])[0]?.[0];
      navigate(home || '#/none');
    } catch (e) {
      status.error(e.status === 401 ? new Error('账号或密码不正确') : e);
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(form);
  name.focus();
}

async function route() {
  leave();
  const s = session();
  const [path, query] = (location.hash || '').replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  renderChrome(s);
  if (!s || parts[0] === 'login') {
    if (s && parts[0] === 'login') {
      // Already logged in: go home.
      const home = (MENUS[s.role] || [])[0]?.[0];
      if (home) return navigate(home);
    }
    document.title = '登录 · 一链办理';
    return renderLogin();
  }
  const allowed = (MENUS[s.role] || []).map(([href]) => href.slice(2).split('/')[0]);
  const screen = parts[0] || '';
  const root = h('div', { class: `screen screen-${screen || 'home'}` });
  main.replaceChildren(root);
  const ctx = { session: s, navigate, params: new URLSearchParams(query || ''), onLeave: (fn) => leaving.push(fn) };
  const may = (name) => allowed.includes(name) || (name === 'case' && allowed.includes('cases')) || (name === 'task' && allowed.includes('tasks'));
  const titles = { window: '综合窗口', cases: '办件列表', case: '案件时间线', tasks: '部门待办', task: '事项办理', board: '督办' };
  try {
    if (!screen || !may(screen)) {
      const home = (MENUS[s.role] || [])[0]?.[0];
      if (home && home !== location.hash) return navigate(home);
      root.append(h('h1', {}, '无可用功能'), h('p', {}, `账号角色“${ROLE_ZH[s.role] || s.role}”在网页端没有可用的功能。`));
      return;
    }
    document.title = `${titles[screen]} · 一链办理`;
    if (screen === 'window') await renderWindow(root, ctx);
    else if (screen === 'cases') await renderCases(root, ctx);
    else if (screen === 'case') await renderCase(root, ctx, parts[1]);
    else if (screen === 'tasks') await renderQueue(root, ctx);
    else if (screen === 'task') await renderTask(root, ctx, parts[1], parts[2]);
    else if (screen === 'board') await renderBoard(root, ctx);
    // Move focus to the new screen's heading for keyboard and screen-reader users.
    const h1 = root.querySelector('h1');
    if (h1 && !root.contains(document.activeElement)) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  } catch (e) {
    root.append(h('p', { class: 'status error', role: 'alert' }, errorText(e)));
  }
  document.body.dataset.ready = location.hash;
}

whenUnauthorized(() => {
  if (!session()) return;
  closeStream();
  setSession(null);
  navigate('#/login');
});
window.addEventListener('hashchange', route);
// A page opened in a new tab has the cookie but not the session's details:
// ask the server whose cookie it is before showing the log-in screen.
(async () => {
  if (!session()) {
    try {
      const res = await fetch('/api/v1/session', { headers: { Accept: 'application/json' } });
      if (res.ok) setSession(await res.json());
    } catch {
      // No server answer: the log-in screen will say what is wrong.
    }
  }
  route();
})();
