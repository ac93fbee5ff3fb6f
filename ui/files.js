// 材料文件: the scans and documents of a case's materials. The window (and
// admin) hands a file in for a material (PDF, JPEG or PNG; the server
// recognises it by its content); everyone who sees the case lists and
// downloads the files the server lets them read (a department: only the
// materials its matters ask for).
import { api, h, formatInstant, materialOf, STAGE_ZH, statusLine } from './common.js';

const TYPE_ZH = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG 图片', 'image/png': 'PNG 图片' };
const FINAL = ['delivered', 'rejected', 'withdrawn'];

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} 字节`;
}

/** The materials a file may be handed in for: those the case's matters ask for (not skipped). */
function materialsOfCase(view, chain) {
  const ids = new Set();
  for (const t of view.tasks) {
    if (t.status === 'skipped') continue;
    const m = chain.form.matters.find((x) => x.id === t.matter);
    for (const id of m?.materials || []) if (materialOf(chain, id)?.requirement !== 'produced') ids.add(id);
  }
  return (chain.form.materials || []).filter((m) => ids.has(m.id));
}

/**
 * The section: a table of the case's files with download links and, for the
 * window while the case is open, a form to hand one in. `reload` refreshes
 * the page (a file may complete the application); what an upload did is told
 * on the page's status line, which outlives the refresh.
 */
export function filesSection(view, chain, role, reload, pageStatus) {
  const status = statusLine();
  const list = h('div', {}, h('p', { class: 'muted' }, '正在读取材料文件…'));
  const section = h('section', { class: 'panel files', 'aria-labelledby': 'sec-files' }, h('h2', { id: 'sec-files' }, '材料文件'), list);
  const show = async () => {
    try {
      const { files } = await api('GET', `/api/v1/cases/${encodeURIComponent(view.id)}/materials`);
      list.replaceChildren(files.length
        ? h('table', { class: 'grid files-table' },
          h('thead', {}, h('tr', {}, ['材料', '文件', '类型', '大小', '上传时间', ''].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, files.map((f) => h('tr', { dataset: { material: f.material, entry: String(f.entry) } },
            h('td', {}, materialOf(chain, f.material)?.name || f.material),
            h('td', {}, f.name),
            h('td', {}, TYPE_ZH[f.media_type] || f.media_type),
            h('td', {}, sizeText(f.bytes)),
            h('td', {}, formatInstant(f.at)),
            h('td', {}, h('a', { href: `/api/v1/cases/${encodeURIComponent(view.id)}/materials/${encodeURIComponent(f.material)}?entry=${f.entry}`,
              download: f.name, title: `SHA-256 ${f.sha256}` }, '下载'))))))
        : h('p', { class: 'muted' }, role === 'department' ? '本部门所需材料暂无文件。' : '尚未上传材料文件。'));
    } catch (e) {
      list.replaceChildren();
      status.error(e);
    }
  };
  show();
  if ((role === 'window' || role === 'admin') && !FINAL.includes(view.stage)) {
    const choices = materialsOfCase(view, chain);
    const select = h('select', { id: 'file-material', name: 'material', required: true },
      choices.map((m) => h('option', { value: m.id }, m.name)));
    const input = h('input', { id: 'file-input', type: 'file', name: 'file', accept: 'application/pdf,image/jpeg,image/png', required: true });
    const button = h('button', { type: 'submit', class: 'primary' }, '上传');
    const form = h('form', { class: 'file-upload', novalidate: true },
      h('div', {}, h('label', { for: 'file-material' }, '材料'), select),
      h('div', {}, h('label', { for: 'file-input' }, '文件（PDF、JPEG、PNG）'), input),
      button);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const file = input.files?.[0];
      if (!file) return pageStatus.error(new Error('请选择要上传的文件。'));
      button.disabled = true;
      try {
        const r = await api('POST', `/api/v1/cases/${encodeURIComponent(view.id)}/materials/${encodeURIComponent(select.value)}?name=${encodeURIComponent(file.name)}`, file);
        input.value = '';
        await show();
        // Told once the page shows the new file: a form used before the
        // refresh lands would be replaced under the officer's hands.
        await reload();
        pageStatus.ok(`已上传：${file.name}（办件${STAGE_ZH[r.stage] || r.stage}）。`);
      } catch (e) {
        pageStatus.error(e);
      } finally {
        button.disabled = false;
      }
    });
    section.append(form);
  }
  section.append(status.el);
  return section;
}
