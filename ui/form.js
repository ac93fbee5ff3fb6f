// The one form (一表申请) generated from a chain's form document
// (GET /api/v1/chains/{id} → form): one input per field, its label as the
// accessible name, the input type by the field's type. Whether a
// conditional field applies is not decided here: the server's check
// (POST …/check → applicable_matters) is the one implementation.

import { h, nextId } from './common.js';

/**
 * The options of an enum field: [{value, label}]. The form document gives
 * `values` (codes, or objects {value, label}) and may give `labels`; when it
 * gives neither, a description written as "code 名称；code 名称。" names them
 * (the chains' convention); otherwise the code itself is shown.
 */
export function enumOptions(field) {
  const fromDescription = {};
  if (field.description) {
    for (const part of field.description.split(/[；;。]/)) {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s+(.+?)\s*$/.exec(part);
      if (m) fromDescription[m[1]] = m[2];
    }
  }
  // The description names the values only when it names every one of them
  // ("2-6 含托班" describes a value, it does not label the list).
  const codes = (field.values || []).filter((v) => typeof v !== 'object').map(String);
  const described = codes.length > 0 && codes.every((c) => c in fromDescription);
  return (field.values || []).map((v) => {
    if (v && typeof v === 'object') return { value: String(v.value ?? v.id), label: v.label || v.name || String(v.value ?? v.id) };
    const value = String(v);
    const label = field.labels?.[value] || (described ? fromDescription[value] : undefined) || value;
    return { value, label };
  });
}

/** A value as people read it: enum labels, 是/否, units. */
export function valueText(field, value) {
  if (value === undefined || value === null || value === '') return '—';
  if (!field) return String(value);
  if (field.type === 'boolean') return value === true || value === 'true' ? '是' : '否';
  if (field.type === 'enum') {
    const o = enumOptions(field).find((x) => x.value === String(value));
    return o ? (o.label === o.value ? o.value : `${o.label}`) : String(value);
  }
  return field.unit ? `${value} ${field.unit}` : String(value);
}

/** A hint under an input: the description, unit and bounds of the field. */
function hintText(field) {
  const parts = [];
  const isEnumWithDescribedLabels = field.type === 'enum' && enumOptions(field).some((o) => o.label !== o.value);
  if (field.description && !isEnumWithDescribedLabels) parts.push(field.description);
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
