// The one form (一表申请) generated from a chain's form document
// (GET /api/v1/chains/{id} → form): one input per field, its label as the
// accessible name, the input type by the field's type. Whether a
// conditional field applies is not decided here: the server's check
// (POST …/check → applicable_matters) is the one implementation.

import { h, nextId } from './common.js';

/**
 * The options of an enum or set field: [{value, label}]. The form document
 * gives `values` (the codes an application holds) and `labels` (code →
 * what people read; the code itself when the chain gives no label).
 */
export function enumOptions(field) {
  return (field.values || []).map((v) => {
    const value = String(v);
    return { value, label: field.labels?.[value] || value };
  });
}

/** A value as people read it: enum and set labels, 是/否, units. */
export function valueText(field, value) {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value) && value.length === 0) return '—';
  if (!field) return Array.isArray(value) ? value.join('、') : String(value);
  if (field.type === 'boolean') return value === true || value === 'true' ? '是' : '否';
  if (field.type === 'enum' || field.type === 'set') {
    const label = (x) => enumOptions(field).find((o) => o.value === String(x))?.label ?? String(x);
    return Array.isArray(value) ? value.map(label).join('、') : label(value);
  }
  return field.unit ? `${value} ${field.unit}` : String(value);
}

/** A hint under an input: the description, unit and bounds of the field. */
function hintText(field) {
  const parts = [];
  if (field.description) parts.push(field.description);
  if (field.type === 'set') {
    if (field.min !== undefined && field.max !== undefined) parts.push(`选择 ${field.min}–${field.max} 项`);
    else if (field.min !== undefined) parts.push(`至少选择 ${field.min} 项`);
    else if (field.max !== undefined) parts.push(`至多选择 ${field.max} 项`);
    else parts.push('可多选');
    return parts.join('；');
  }
  const numeric = ['integer', 'number', 'area'].includes(field.type);
  if (numeric && field.min !== undefined && field.max !== undefined) parts.push(`${field.min}–${field.max}${field.unit ? ` ${field.unit}` : ''}`);
  else if (field.unit) parts.push(`单位：${field.unit}`);
  if (field.type === 'string' || field.type === 'text') {
    if (field.min !== undefined && field.max !== undefined) parts.push(`${field.min}–${field.max} 个字`);
  }
  if (field.type === 'id-card') parts.push('18 位居民身份证号码');
  if (field.type === 'uscc') parts.push('18 位统一社会信用代码');
  return parts.join('；');
}

/**
 * One field's input with its <label>. Returns {el, input, key, read(), set(v),
 * setError(text)}; read() gives the value in the application's JSON type or
 * undefined when blank.
 */
export function fieldInput(field, { value, idPrefix = 'f' } = {}) {
  if (field.type === 'set') return setInput(field, { value, idPrefix });
  const id = nextId(idPrefix);
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  let input;
  const t = field.type;
  if (t === 'enum' || t === 'boolean') {
    const options = t === 'boolean' ? [{ value: 'true', label: '是' }, { value: 'false', label: '否' }] : enumOptions(field);
    input = h('select', { id, name: field.key }, h('option', { value: '' }, '请选择'),
      options.map((o) => h('option', { value: o.value }, o.label)));
  } else if (t === 'text') {
    input = h('textarea', { id, name: field.key, rows: 3, maxlength: field.max });
  } else {
    const attrs = { id, name: field.key, autocomplete: 'off' };
    if (t === 'integer') Object.assign(attrs, { type: 'number', step: 1, inputmode: 'numeric' });
    else if (t === 'number' || t === 'area') Object.assign(attrs, { type: 'number', step: 'any', inputmode: 'decimal' });
    else if (t === 'date') attrs.type = 'date';
    else if (t === 'phone') Object.assign(attrs, { type: 'tel' });
    else Object.assign(attrs, { type: 'text' });
    if (['integer', 'number', 'area'].includes(t)) {
      if (field.min !== undefined) attrs.min = field.min;
      if (field.max !== undefined) attrs.max = field.max;
    }
    if ((t === 'string') && field.max !== undefined) attrs.maxlength = field.max;
    if (t === 'id-card' || t === 'uscc') Object.assign(attrs, { maxlength: 18, spellcheck: 'false' });
    input = h('input', attrs);
  }
  const hint = hintText(field);
  const describedBy = [hint ? hintId : '', errId].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', describedBy);
  if (field.required || field.requirement === 'conditional') input.setAttribute('aria-required', 'true');
  const err = h('span', { class: 'field-error', id: errId });
  const el = h('div', { class: `field type-${t}`, dataset: { key: field.key } },
    h('label', { for: id }, field.label),
    // A conditional field is shown only while its condition holds, and is then required.
    field.required || field.requirement === 'conditional' ? h('span', { class: 'req', title: field.required ? '必填' : '适用时必填' }, '必填')
      : field.requirement === 'optional' ? h('span', { class: 'opt' }, '选填') : null,
    h('div', { class: 'control' }, input, field.unit ? h('span', { class: 'unit', 'aria-hidden': 'true' }, field.unit) : null),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    err);
  const api = {
    el, input, key: field.key, field,
    read() {
      const raw = input.value;
      if (raw === '' || raw === undefined) return undefined;
      if (t === 'boolean') return raw === 'true';
      if (t === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (t === 'number' || t === 'area') return Number.isFinite(Number(raw)) ? Number(raw) : raw;
      if (t === 'enum' || t === 'date') return raw;
      const trimmed = raw.trim();
      return trimmed === '' ? undefined : trimmed;
    },
    set(v) {
      if (v === undefined || v === null) input.value = '';
      else input.value = String(v);
    },
    setError(text) {
      err.textContent = text || '';
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      el.classList.toggle('has-error', !!text);
    },
  };
  if (value !== undefined) api.set(value);
  return api;
}

/**
 * A set field (multiple choice): a group of checkboxes, one per value, its
 * legend the field's label; each box shows a label and submits its code.
 * The same API as fieldInput; read() gives the checked codes in the field's
 * order, or undefined when none is checked.
 */
function setInput(field, { value, idPrefix }) {
  const id = nextId(idPrefix);
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const boxes = enumOptions(field).map((o) => {
    const boxId = nextId(idPrefix);
    const input = h('input', { type: 'checkbox', id: boxId, name: field.key, value: o.value });
    return { input, el: h('div', { class: 'check' }, input, h('label', { for: boxId }, o.label)) };
  });
  const hint = hintText(field);
  const err = h('span', { class: 'field-error', id: errId });
  const required = field.required || field.requirement === 'conditional';
  const el = h('fieldset', {
    class: 'field type-set', id, dataset: { key: field.key },
    'aria-describedby': [hint ? hintId : '', errId].filter(Boolean).join(' '),
  },
  h('legend', {}, field.label,
    required ? h('span', { class: 'req', title: field.required ? '必填' : '适用时必填' }, '必填')
      : field.requirement === 'optional' ? h('span', { class: 'opt' }, '选填') : null),
  h('div', { class: 'choices' }, boxes.map((b) => b.el)),
  hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
  err);
  if (required) el.setAttribute('aria-required', 'true');
  const api = {
    el, input: boxes[0]?.input || el, key: field.key, field,
    read() {
      const checked = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
      return checked.length ? checked : undefined;
    },
    set(v) {
      const chosen = new Set((Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(String));
      for (const b of boxes) b.input.checked = chosen.has(b.input.value);
    },
    setError(text) {
      err.textContent = text || '';
      for (const b of boxes) {
        if (text) b.input.setAttribute('aria-invalid', 'true');
        else b.input.removeAttribute('aria-invalid');
      }
      el.classList.toggle('has-error', !!text);
    },
  };
  if (value !== undefined) api.set(value);
  return api;
}

/** A checkbox with its label (a material, or an item to ask for). */
export function checkbox(labelText, { value, checked, name, describedBy, extra } = {}) {
  const id = nextId('c');
  const input = h('input', { type: 'checkbox', id, value, name, checked, 'aria-describedby': describedBy });
  const el = h('div', { class: 'check' }, input, h('label', { for: id }, labelText), extra || null);
  return { el, input };
}

/** Matter names, joined: "托幼机构卫生评价、民办幼儿园办学许可". */
export function matterNames(form, ids) {
  return (ids || []).map((id) => form.matters.find((m) => m.id === id)?.name || id).join('、');
}
