// The window's one form, the reform's parts (issue 21): 代办帮办 (an agent
// hands the application in with the applicant's 授权委托书) and 告知承诺 (the
// applicant commits to the matters that allow it, each approved at once and
// verified afterwards). Whether an item is needed stays the server's check's
// answer; these sections only collect what is sent.

import { api, h, nextId } from './common.js';
import { checkbox } from './form.js';

/** The material every chain knows for an agent (the check asks for it). */
export const AGENT_AUTHORISATION = 'agent-authorisation';
export const AGENT_AUTHORISATION_NAME = '授权委托书（委托代办）';

/** Chinese words for the server's refusals of an agent's values (400, errors[].path). */
const AGENT_PROBLEM_ZH = {
  'agent.name': '请填写代办人姓名',
  'agent.id_number': '代办人身份证号码不正确（应为 18 位，校验码须正确）',
  'agent.phone': '代办人联系电话不正确（手机 11 位，座机须带区号）',
};

function labelled(label, attrs, { hint, required } = {}) {
  const id = nextId('agent');
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const input = h('input', { id, type: 'text', autocomplete: 'off', 'aria-describedby': [hint ? hintId : '', errId].filter(Boolean).join(' '), ...attrs });
  const err = h('span', { class: 'field-error', id: errId });
  const el = h('div', { class: 'field' },
    h('label', { for: id }, label),
    required ? h('span', { class: 'req', title: '有代办人时必填' }, '必填') : h('span', { class: 'opt' }, '选填'),
    h('div', { class: 'control' }, input),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    err);
  return {
    el, input,
    setError(text) {
      err.textContent = text || '';
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      el.classList.toggle('has-error', !!text);
    },
  };
}

/**
 * 代办帮办: the agent's name, ID number and phone, and the 授权委托书 as a
 * material. read() gives {agent, materials, problem}: no agent while both
 * name and ID number are blank; `problem` names what is still to fill in.
 */
export function agentSection() {
  const name = labelled('代办人姓名', { maxlength: 30 }, { required: true });
  const idNumber = labelled('代办人身份证号码', { maxlength: 18, spellcheck: 'false' }, { required: true, hint: '18 位居民身份证号码' });
  const phone = labelled('代办人联系电话', { type: 'tel', maxlength: 20 }, {});
  const auth = checkbox(AGENT_AUTHORISATION_NAME, { value: AGENT_AUTHORISATION, name: 'materials' });
  const byPath = { 'agent.name': name, 'agent.id_number': idNumber, 'agent.phone': phone };
  const el = h('section', { class: 'agent', 'aria-labelledby': 'sec-agent' },
    h('h2', { id: 'sec-agent' }, '代办帮办（选填）'),
    h('p', { class: 'small muted' }, '由代办人代为申请时填写；代办人须出具申请人签署的授权委托书。'),
    h('div', { class: 'fields' }, name.el, idNumber.el, phone.el),
    h('div', { class: 'materials' }, auth.el));
  return {
    el,
    read() {
      const n = name.input.value.trim();
      const id = idNumber.input.value.trim().toUpperCase();
      const p = phone.input.value.trim();
      if (!n && !id && !p) return { agent: null, materials: [], problem: '' };
      const agent = { name: n, id_number: id };
      if (p) agent.phone = p;
      const problem = !n ? 'agent.name' : !id ? 'agent.id_number' : '';
      return { agent, materials: auth.input.checked ? [AGENT_AUTHORISATION] : [], problem };
    },
    /** Marks the inputs the server refused (errors of a 400 answer) or the one still blank. */
    setErrors(paths) {
      for (const [path, f] of Object.entries(byPath)) f.setError(paths.includes(path) ? AGENT_PROBLEM_ZH[path] : '');
    },
    focusFirstError() {
      Object.values(byPath).find((f) => f.input.getAttribute('aria-invalid'))?.input.focus();
    },
  };
}

/** The agent's paths among a 400 answer's errors ([] when none is the agent's). */
export function agentErrorPaths(e) {
  return (e?.problem?.errors || []).map((x) => x.path).filter((p) => typeof p === 'string' && p.startsWith('agent'));
}

/**
 * Which matters allow a commitment: `commitment` (optional | required) on the
 * form document's matters. Returns [{id, name, commitment, verify_within}].
 */
export function commitmentMatters(chain) {
  return chain.form.matters.filter((m) => m.commitment === 'optional' || m.commitment === 'required')
    .map((m) => ({ id: m.id, name: m.name, commitment: m.commitment, verify_within: m.verify_within || null }));
}

/**
 * 告知承诺: a checkbox "以告知承诺方式办理（{matter}）" per matter that allows
 * it; a required one is checked and fixed. read() gives the committed ids
 * of the matters shown; update(check) hides the matters the check skips.
 */
export function commitmentSection(list) {
  const rows = list.map((m) => {
    const hintId = nextId('commit-hint');
    const c = checkbox(`以告知承诺方式办理（${m.name}）`, {
      value: m.id, name: 'commitments', checked: m.commitment === 'required', describedBy: hintId,
      extra: h('span', { class: 'need', id: hintId },
        m.commitment === 'required' ? h('span', { class: 'tag' }, '必须承诺') : null,
        `承诺即批，事后核查${m.verify_within ? `（核查期限 ${m.verify_within}）` : ''}；核查不通过的，撤销许可`),
    });
    if (m.commitment === 'required') c.input.disabled = true;
    return { ...c, matter: m };
  });
  const el = h('section', { class: 'commitments', 'aria-labelledby': 'sec-commitments', hidden: !rows.length },
    h('h2', { id: 'sec-commitments' }, '告知承诺（选填）'),
    h('p', { class: 'small muted' }, '申请人书面承诺符合许可条件的，当场作出许可决定，部门在核查期限内核查（国办发〔2020〕42号）。'),
    h('div', { class: 'materials' }, rows.map((r) => r.el)));
  return {
    el,
    read() {
      return rows.filter((r) => !r.el.hidden && r.input.checked).map((r) => r.matter.id);
    },
    update(result) {
      const skipped = new Set(result.skipped_matters || []);
      for (const r of rows) r.el.hidden = skipped.has(r.matter.id);
      el.hidden = !rows.some((r) => !r.el.hidden);
    },
  };
}
