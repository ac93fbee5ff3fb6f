// 综合窗口: choose a chain, fill the one form generated from its form
// document, see 一次告知 live (the server's check, debounced), submit, and
// the receipt or the printable 一次性告知书.

import {
  api, agentText, chainDoc, deferredText, errorText, h, statusLine, uuid, STAGE_ZH, formatDate,
} from './common.js';
import { checkbox, fieldInput, matterNames } from './form.js';
import { agentErrorPaths, agentSection, commitmentMatters, commitmentSection } from './apply-options.js';

/** The window's new-application screen. */
export async function renderWindow(root, ctx) {
  const status = statusLine();
  const chooserId = 'chain-choice';
  const chooser = h('select', { id: chooserId });
  const body = h('div', { class: 'window-body' });
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, '综合窗口 · 一表申请'),
      h('div', { class: 'chain-choice' }, h('label', { for: chooserId }, '选择“一件事”'), chooser)),
    status.el, body);
  let list;
  try {
    list = (await api('GET', '/api/v1/chains')).chains;
  } catch (e) {
    status.error(e);
    return;
  }
  if (!list.length) {
    body.append(h('p', {}, '尚未加载任何事项链。'));
    return;
  }
  for (const c of list) chooser.append(h('option', { value: c.id }, `${c.name}（${c.id} · 第 ${c.version} 版）`));
  const wanted = ctx.params.get('chain');
  if (wanted && list.some((c) => c.id === wanted)) chooser.value = wanted;
  const show = async () => {
    body.replaceChildren(h('p', { class: 'muted' }, '正在载入表单…'));
    try {
      const chain = await chainDoc(chooser.value);
      const commitments = await commitmentMatters(chain);
      body.replaceChildren();
      applicationForm(body, chain, ctx, commitments);
    } catch (e) {
      body.replaceChildren();
      status.error(e);
    }
  };
  chooser.addEventListener('change', show);
  await show();
}

/** The one form of a chain, with the live 一次告知 panel. */
function applicationForm(root, chain, ctx, commitmentList) {
  const form = chain.form;
  const asked = form.fields.filter((f) => f.asked !== false && f.requirement !== 'produced');
  const materials = form.materials.filter((m) => m.asked !== false && m.requirement !== 'produced');
  const inputs = asked.map((f) => fieldInput(f));
  const checks = materials.map((m) => {
    const needId = `need-${m.id}`;
    const c = checkbox(m.name, {
      value: m.id, name: 'materials', describedBy: needId,
      extra: h('span', { class: 'need', id: needId },
        m.original ? h('span', { class: 'tag' }, '需验原件') : null,
        m.copies > 1 ? h('span', { class: 'tag' }, `${m.copies} 份`) : null,
        `${matterNames(form, m.matters)} 需要`),
    });
    c.material = m;
    return c;
  });

  // Conditional fields and materials are shown once the server's check
  // says one of their matters applies.
  const conditional = (item) => item.requirement === 'conditional';
  for (const i of inputs) if (conditional(i.field)) i.el.hidden = true;
  for (const c of checks) if (conditional(c.material)) c.el.hidden = true;

  const agent = agentSection();
  const commitments = commitmentSection(commitmentList);
  const panel = h('div', { class: 'notice-live', 'aria-live': 'polite' });
  const submitStatus = statusLine();
  const submitButton = h('button', { type: 'submit', class: 'primary' }, '提交');
  const formEl = h('form', { class: 'one-form', novalidate: true, 'aria-label': `${chain.name} 一表申请` },
    h('div', { class: 'form-main' },
      h('section', { 'aria-labelledby': 'sec-fields' },
        h('h2', { id: 'sec-fields' }, `申请信息（${asked.length} 项，每项只填一次）`),
        h('div', { class: 'fields' }, inputs.map((i) => i.el))),
      h('section', { 'aria-labelledby': 'sec-materials' },
        h('h2', { id: 'sec-materials' }, '申请材料（收取后勾选）'),
        h('div', { class: 'materials' }, checks.map((c) => c.el))),
      commitments.el,
      agent.el),
    h('aside', { class: 'form-side', 'aria-labelledby': 'sec-notice' },
      h('h2', { id: 'sec-notice' }, '一次告知'),
      panel,
      h('p', { class: 'muted small' }, '信息或材料不全也可提交：系统出具一次性告知书，申请人补齐后即受理。'),
      submitButton, submitStatus.el));
  root.append(formEl);

  const application = () => {
    const fields = {};
    for (const i of inputs) {
      if (i.el.hidden) continue;
      const v = i.read();
      if (v !== undefined) fields[i.key] = v;
    }
    const mats = checks.filter((c) => !c.el.hidden && c.input.checked).map((c) => c.material.id);
    const app = { chain: chain.id, fields, materials: mats };
    const a = agent.read();
    // An agent half filled in is not sent: the inputs say what is missing.
    if (a.agent && !a.problem) {
      app.agent = a.agent;
      app.materials.push(...a.materials);
    }
    const committed = commitments.read();
    if (committed.length) app.commitments = committed;
    return app;
  };
  /** The check of an application; an agent the server cannot read is marked and left out. */
  const check = async (app) => {
    const path = `/api/v1/chains/${encodeURIComponent(chain.id)}/check`;
    const half = agent.read().problem;
    try {
      const result = await api('POST', path, app);
      agent.setErrors(half ? [half] : []);
      return result;
    } catch (e) {
      const refused = agentErrorPaths(e);
      if (e.status !== 400 || !refused.length || !app.agent) throw e;
      agent.setErrors(refused);
      const { agent: _, ...without } = app;
      without.materials = without.materials.filter((m) => m !== 'agent-authorisation');
      return api('POST', path, without);
    }
  };

  let seq = 0;
  let timer = null;
  let lastResult = null;
  const runCheck = async () => {
    const mine = ++seq;
    const app = application();
    try {
      const result = await check(app);
      if (mine !== seq) return;
      lastResult = result;
      showCheck(result);
      // Showing a conditional item can change nothing the check saw (hidden
      // values are not sent), and hiding one drops its value: check again.
      const again = JSON.stringify(application());
      if (again !== JSON.stringify(app)) schedule();
    } catch (e) {
      if (mine !== seq) return;
      panel.replaceChildren(h('p', { class: 'status error', role: 'alert' }, errorText(e)));
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(runCheck, 300);
  };
  const showCheck = (result) => {
    // A matter whose condition is still open is listed as applicable (worst
    // case) and as undetermined: its conditional items wait until it is decided.
    const undetermined = new Set(result.undetermined_matters || []);
    const applicable = new Set((result.applicable_matters || []).filter((m) => !undetermined.has(m)));
    for (const i of inputs) if (conditional(i.field)) i.el.hidden = !i.field.matters.some((m) => applicable.has(m));
    for (const c of checks) if (conditional(c.material)) c.el.hidden = !c.material.matters.some((m) => applicable.has(m));
    commitments.update(result);
    const invalidByKey = new Map(result.invalid.map((x) => [x.key, x]));
    for (const i of inputs) {
      const bad = invalidByKey.get(i.key);
      i.setError(bad ? bad.reason_zh || bad.reason : '');
    }
    panel.replaceChildren(...noticeList(chain, result, { live: true }));
  };
  formEl.addEventListener('input', schedule);
  formEl.addEventListener('change', schedule);

  // One Idempotency-Key per application body: a retry of the same body
  // (after a network error) reuses it, so it never makes a second case.
  let attempt = null;
  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    const app = application();
    const half = agent.read().problem;
    if (half) {
      agent.setErrors([half]);
      submitStatus.error(new Error('代办人信息不完整：请填写代办人姓名和身份证号码，或清空代办人信息'));
      agent.focusFirstError();
      return;
    }
    const bodyText = JSON.stringify(app);
    if (!attempt || attempt.body !== bodyText) attempt = { body: bodyText, key: uuid() };
    submitButton.disabled = true;
    submitStatus.ok('正在提交…');
    try {
      const receipt = await api('POST', '/api/v1/cases', app, { 'Idempotency-Key': attempt.key });
      // The notice lists what the server's check says of this very application.
      const notice = receipt.stage === 'incomplete' ? await check(app) : null;
      let view = null;
      try {
        view = await api('GET', `/api/v1/cases/${receipt.case}`);
      } catch {
        view = null;
      }
      root.replaceChildren(receiptView(chain, app, receipt, notice, view, ctx));
      window.scrollTo(0, 0);
      root.querySelector('h2')?.focus({ preventScroll: true });
    } catch (e) {
      if (agentErrorPaths(e).length) {
        submitStatus.error(new Error('代办人信息有误，请按输入框下的提示更正'));
        agent.setErrors(agentErrorPaths(e));
        agent.focusFirstError();
      } else if (e.problem?.errors) {
        submitStatus.error(e);
        const byKey = new Map(e.problem.errors.filter((x) => x.key).map((x) => [x.key, x]));
        for (const i of inputs) {
          const bad = byKey.get(i.key);
          if (bad) i.setError(bad.reason_zh || bad.reason);
        }
        const first = inputs.find((i) => byKey.has(i.key));
        first?.input.focus();
      }
    } finally {
      submitButton.disabled = false;
    }
  });
  runCheck();
  return { lastResult: () => lastResult };
}

/**
 * The items of a check document as lists: what to fill in, what to bring,
 * what to correct. Each item carries data-kind and data-key.
 */
export function noticeList(chain, result, { live = false, deferred = null } = {}) {
  const names = (ids) => {
    // In the live panel a long list is shortened; the printed notice names all.
    if (!live || ids.length <= 3) return matterNames(form, ids);
    return `${matterNames(form, ids.slice(0, 2))}等 ${ids.length} 个事项`;
  };
  const form = chain.form;
  const fieldsMissing = result.missing.filter((m) => m.kind === 'field');
  const materialsMissing = result.missing.filter((m) => m.kind === 'material');
  const out = [];
  const total = result.missing.length + result.invalid.length;
  const later = deferred || deferredOf(result);
  if (result.complete && !result.invalid.length) {
    out.push(h('p', { class: 'complete' }, h('span', { 'aria-hidden': 'true' }, '✔ '),
      later.length ? `可以受理（容缺受理：${later.length} 份材料受理后补交）。` : '信息和材料齐全，可以受理。'));
  } else {
    out.push(h('p', { class: 'summary' }, `还需 ${total} 项：`,
      fieldsMissing.length ? `补填信息 ${fieldsMissing.length} 项` : '',
      fieldsMissing.length && materialsMissing.length ? '，' : '',
      materialsMissing.length ? `补交材料 ${materialsMissing.length} 份` : '',
      result.invalid.length ? `${fieldsMissing.length || materialsMissing.length ? '，' : ''}更正信息 ${result.invalid.length} 项` : ''));
  }
  const item = (x, text, why) => h('li', { dataset: { kind: x.kind || 'invalid', key: x.key } },
    h('span', { class: 'item' }, text), why ? h('span', { class: 'why' }, why) : null);
  const neededBy = (x) => (x.needed_by?.length ? `${names(x.needed_by)}需要${x.if_applicable ? '（如适用）' : ''}` : '');
  if (fieldsMissing.length) {
    out.push(h('h3', {}, '需要补充填写的信息'),
      h('ol', { class: 'missing-fields' }, fieldsMissing.map((x) => item(x, x.label || x.key, neededBy(x)))));
  }
  if (materialsMissing.length) {
    out.push(h('h3', {}, '需要补交的材料'),
      h('ol', { class: 'missing-materials' }, materialsMissing.map((x) => item(x, x.label || x.key, neededBy(x)))));
  }
  if (later.length) {
    out.push(h('h3', {}, '容缺受理的材料（不影响受理，限期补交）'),
      h('ol', { class: 'deferred-materials' }, later.map((x) => item({ kind: 'deferred', key: x.key },
        x.label || x.key, `${deferredText(x.due)}${x.if_applicable ? '（如适用）' : ''}`))));
  }
  if (result.invalid.length) {
    out.push(h('h3', {}, '需要更正的信息'),
      h('ol', { class: 'invalid-fields' }, result.invalid.map((x) => {
        const f = form.fields.find((ff) => ff.key === x.key);
        return item({ ...x, kind: 'invalid' }, f?.label || x.key, x.reason_zh || x.reason);
      })));
  }
  if (live) {
    const applicable = result.applicable_matters || [];
    const undetermined = result.undetermined_matters || [];
    out.push(h('details', { class: 'matters-live' },
      h('summary', {}, `适用事项 ${applicable.length - undetermined.length} 项${undetermined.length ? `，待定 ${undetermined.length} 项` : ''}`),
      h('p', {}, matterNames(form, applicable.filter((m) => !undetermined.includes(m))) || '—'),
      undetermined.length ? h('p', { class: 'muted' }, `待定（取决于尚未填写的信息）：${matterNames(form, undetermined)}`) : null,
      (result.skipped_matters || []).length ? h('p', { class: 'muted' }, `不适用：${matterNames(form, result.skipped_matters)}`) : null));
  }
  return out;
}

/** 容缺受理: the deferrable materials the application leaves out, as the check says. */
function deferredOf(result) {
  return Array.isArray(result.deferred) ? result.deferred : [];
}

/** 容缺受理 on the receipt: what to bring, by when; results wait for them. */
function deferredOnReceipt(deferred) {
  if (!deferred.length) return null;
  return h('section', { class: 'receipt-deferred', 'aria-labelledby': 'receipt-deferred' },
    h('h3', { id: 'receipt-deferred' }, '容缺受理：以下材料请限期补交'),
    h('ol', { class: 'deferred-materials' }, deferred.map((d) => h('li', { dataset: { kind: 'deferred', key: d.key } },
      h('span', { class: 'item' }, d.label || d.key), h('span', { class: 'why' }, deferredText(d.due))))),
    h('p', { class: 'small' }, '补齐前不影响各部门办理，但办理结果在材料补齐后发放；逾期未补交的，按规定处理。'));
}

/** The receipt after 提交: 受理回执, or the 一次性告知书 to print. */
function receiptView(chain, app, receipt, notice, view, ctx) {
  const incomplete = receipt.stage === 'incomplete';
  const today = (view?.submitted_at || '').slice(0, 10);
  const name = app.fields['applicant.name'];
  const publicUrl = `${location.origin}/ui/public.html`;
  const printButton = h('button', { type: 'button', class: 'primary', onclick: () => window.print() },
    incomplete ? '打印一次性告知书' : '打印受理回执');
  const rows = [
    ['办件编号', String(receipt.case)],
    ['查询码', receipt.query_code],
    ['事项', chain.name],
    name ? ['申请单位', name] : null,
    app.agent ? ['代办人', agentText(view?.agent || app.agent, { mask: true })] : null,
    app.commitments?.length ? ['告知承诺', `${matterNames(chain.form, app.commitments)}（承诺即批，事后核查）`] : null,
    ['收件日期', today || '—'],
    ['状态', STAGE_ZH[receipt.stage] || receipt.stage],
    !incomplete && view?.deadline ? ['承诺办结日期', formatDate(view.deadline, view.deadline_provisional)] : null,
  ].filter(Boolean);
  const sheet = h('article', { class: 'print-area sheet', 'aria-labelledby': 'receipt-title' },
    h('h2', { id: 'receipt-title', tabindex: '-1' }, incomplete ? '一次性告知书' : '受理回执'),
    h('dl', { class: 'receipt' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { field: k } }, v)])),
    incomplete
      ? [h('p', {}, `您申请的“${chain.name}”尚缺下列信息或材料。请一次补齐后到窗口或网上补正，补齐之日起受理。`),
        ...noticeList(chain, notice)]
      : [h('p', {}, '您的申请已受理，各部门并联办理，办结后统一出件。'),
        view ? h('ul', { class: 'receipt-matters' }, view.tasks.filter((t) => t.status !== 'skipped').map((t) => h('li', {}, `${t.name}（${t.department_name || t.department}）`))) : null,
        deferredOnReceipt(receipt.deferred || view?.deferred || [])],
    h('p', { class: 'small' }, `凭办件编号和查询码可在 ${publicUrl} 查询办理进度。`),
    h('p', { class: 'sign-off' }, h('span', {}, `经办人：${ctx.session.account}`), h('span', {}, `日期：${today || '—'}`), h('span', {}, '（综合受理窗口盖章）')));
  return h('div', { class: 'receipt-view' },
    sheet,
    h('div', { class: 'actions no-print' },
      printButton,
      h('a', { class: 'button', href: `#/case/${receipt.case}` }, incomplete ? '补正' : '查看办件'),
      h('a', { class: 'button', href: `#/window?chain=${encodeURIComponent(chain.id)}&n=${Date.now()}` }, '继续收件')));
}
