// 好差评 on a case's page: the window records the applicant's rating of the
// case or of a handled matter (POST /cases/{id}/ratings); everyone who sees
// the case sees its ratings with their follow-up (回访, 整改, 申诉复核), and a
// supervisor records the follow-up's steps the API allows next
// (POST /cases/{id}/ratings/{n}/follow-up). Which step is allowed follows the
// flow core's order: call-back first, rectification after it and not while
// an appeal is under review, one appeal (with a note), then its decision.

import {
  api, formatDate, formatInstant, h, matterName, nextId, statusLine, APPEAL_ZH, GRADE_ZH, STAGE_ZH,
} from './common.js';

/** Tasks that were handled (only these may be rated on their own). */
const HANDLED = ['dispatched', 'supplement', 'suspended', 'incident', 'approved', 'rejected', 'cancelled', 'verifying', 'revoked'];

/** The rating form of the window (the applicant rates at the window's device or tells the officer). */
export function ratingPanel(view, reload, pageStatus) {
  const rated = new Set((view.ratings || []).map((r) => r.matter ?? ''));
  const targets = [['', '整件办理（全案）'], ...view.tasks.filter((t) => HANDLED.includes(t.status)).map((t) => [t.matter, t.name])]
    .filter(([id]) => !rated.has(id));
  const section = h('section', { class: 'panel rating', 'aria-labelledby': 'sec-rate' }, h('h2', { id: 'sec-rate' }, '好差评'));
  if (!targets.length) {
    section.append(h('p', {}, '整件和各已办理事项均已评价。'));
    return section;
  }
  const status = statusLine();
  const group = nextId('grade');
  const grades = [1, 2, 3, 4, 5].map((g) => {
    const id = `${group}-${g}`;
    return h('div', { class: 'check grade' }, h('input', { type: 'radio', name: group, id, value: String(g) }),
      h('label', { for: id }, `${GRADE_ZH[g]}（${g} 分）`));
  });
  const targetId = nextId('rate-target');
  const target = h('select', { id: targetId }, targets.map(([id, name]) => h('option', { value: id }, name)));
  const commentId = nextId('rate-comment');
  const comment = h('textarea', { id: commentId, rows: 2, maxlength: 2000 });
  const button = h('button', { type: 'submit', class: 'primary' }, '提交评价');
  const form = h('form', { class: 'rate', novalidate: true },
    h('p', { class: 'small muted' }, view.stage === 'delivered' || view.stage === 'verifying'
      ? '办结出件后可在规定期限内评价；“非常不满意”“不满意”为差评，由效能监察回访、整改。'
      : `办件${STAGE_ZH[view.stage] || view.stage}，申请人也可在办理过程中评价；差评由效能监察回访、整改。`),
    h('fieldset', { class: 'grades' }, h('legend', {}, '评价等级'), h('div', { class: 'grade-list' }, grades)),
    h('div', { class: 'field' }, h('label', { for: targetId }, '评价对象'), h('div', { class: 'control' }, target)),
    h('div', { class: 'field' }, h('label', { for: commentId }, '评价内容（选填）'), comment),
    button, status.el);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const grade = form.querySelector(`input[name="${group}"]:checked`)?.value;
    if (!grade) {
      status.error(new Error('请选择评价等级'));
      form.querySelector(`input[name="${group}"]`).focus();
      return;
    }
    const body = { grade: Number(grade) };
    if (target.value) body.matter = target.value;
    if (comment.value.trim()) body.comment = comment.value.trim();
    button.disabled = true;
    try {
      const r = await api('POST', `/api/v1/cases/${view.id}/ratings`, body);
      if (r.result !== 'applied') {
        status.error(new Error(`未生效：${r.reason || r.result}`));
        return;
      }
      await reload();
      const what = target.value ? view.tasks.find((t) => t.matter === target.value)?.name : '整件办理';
      pageStatus.ok(`已记录评价：${what}“${GRADE_ZH[body.grade]}”${body.grade <= 2 ? '（差评，已转效能监察回访、整改）' : ''}。`);
      pageStatus.el.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      status.error(e);
    } finally {
      button.disabled = false;
    }
  });
  section.append(form);
  return section;
}

/** "回访：2025-03-04 前（已于 2025-03-03 回访）". */
function stepLine(label, due, done, late) {
  const state = done ? `已于 ${done} 完成${late ? '（逾期）' : ''}` : late ? '已逾期，未完成' : '未完成';
  return h('li', { class: `fu-step ${done ? 'done' : late ? 'late' : 'open'}` },
    h('span', { class: 'fu-label' }, `${label}期限 ${formatDate(due)}`), '：', h('span', { class: 'fu-state' }, `${late && !done ? '■ ' : ''}${state}`));
}

/** The steps a supervisor may record next, as the flow core allows them. */
function allowedSteps(f) {
  if (!f || f.closed) return [];
  const out = [];
  if (!f.called_back) out.push(['called-back', '记录回访']);
  if (f.called_back && f.appeal !== 'pending') out.push(['rectified', '记录整改']);
  if (f.appeal === 'none') out.push(['appealed', '提出申诉']);
  if (f.appeal === 'pending') out.push(['appeal-upheld', '认定申诉成立'], ['appeal-rejected', '驳回申诉']);
  return out;
}

/** The case's ratings, each with its follow-up; a supervisor's controls for the next steps. */
export function ratingsSection(view, chain, role, reload, pageStatus) {
  const ratings = view.ratings || [];
  const section = h('section', { class: 'ratings', 'aria-labelledby': 'sec-ratings' },
    h('h2', { id: 'sec-ratings' }, `好差评记录（${ratings.length} 条）`));
  if (!ratings.length) {
    section.append(h('p', { class: 'muted' }, '尚无评价。'));
    return section;
  }
  section.append(h('ol', { class: 'rating-list' }, ratings.map((r) => {
    const f = r.follow_up;
    const what = r.matter ? matterName(chain, r.matter) : '整件办理';
    const bad = r.grade <= 2;
    return h('li', { class: `rating-item grade-${r.grade}${bad ? ' bad' : ''}`, dataset: { number: r.number } },
      h('p', { class: 'rating-head' },
        h('span', { class: `grade-badge g${r.grade}` }, `${bad ? '▼ ' : ''}${r.label || GRADE_ZH[r.grade]}（${r.grade} 分）`),
        ` 第 ${r.number} 条 · ${what} · ${formatInstant(r.at)}`),
      r.comment ? h('p', { class: 'rating-comment' }, `评价内容：${r.comment}`) : null,
      f ? h('div', { class: 'follow-up' },
        h('p', { class: 'fu-title' }, `差评处理：${f.closed ? (f.appeal === 'upheld' ? '已结案（申诉成立，差评已撤销）' : '已结案（已整改）') : '处理中'}`),
        h('ul', { class: 'fu-steps' },
          stepLine('回访', f.call_back_due, f.called_back, f.call_back_late),
          f.appeal === 'upheld' ? null : stepLine('整改', f.rectify_due, f.rectified, f.rectify_late),
          h('li', { class: 'fu-step' }, `申诉复核：${APPEAL_ZH[f.appeal] || f.appeal}`),
          f.note ? h('li', { class: 'fu-step' }, `最近处理说明：${f.note}`) : null),
        (role === 'supervisor' || role === 'admin') ? followUpControls(view, r, reload, pageStatus) : null) : null);
  })));
  return section;
}

function followUpControls(view, r, reload, pageStatus) {
  const steps = allowedSteps(r.follow_up);
  if (!steps.length) return null;
  const status = statusLine();
  const noteId = nextId('fu-note');
  const note = h('textarea', { id: noteId, rows: 2, maxlength: 2000 });
  const buttons = steps.map(([step, label]) => {
    const b = h('button', { type: 'button', class: step === 'appeal-upheld' ? 'danger' : '', 'aria-label': `${label}（第 ${r.number} 条评价）` }, label);
    b.addEventListener('click', async () => {
      const body = { step };
      if (note.value.trim()) body.note = note.value.trim();
      if (step === 'appealed' && !body.note) {
        status.error(new Error('申诉须说明理由（如误评、恶意差评）'));
        note.focus();
        return;
      }
      for (const x of buttons) x.disabled = true;
      try {
        const res = await api('POST', `/api/v1/cases/${view.id}/ratings/${r.number}/follow-up`, body);
        if (res.result !== 'applied') {
          status.error(new Error(`未生效：${res.reason || res.result}`));
          return;
        }
        await reload();
        pageStatus.ok(`已记录：第 ${r.number} 条评价 ${label.replace(/^记录/, '')}。`);
      } catch (e) {
        status.error(e);
      } finally {
        for (const x of buttons) x.disabled = false;
      }
    });
    return b;
  });
  return h('div', { class: 'fu-controls' },
    h('div', { class: 'field' }, h('label', { for: noteId }, `处理说明（第 ${r.number} 条评价）`), note),
    h('div', { class: 'actions' }, buttons), status.el);
}
