// Labels: named sets of hosts to target. Manual labels list their hosts;
// dynamic labels are an osquery statement each host re-evaluates, and a host
// is a member while the statement returns rows.
import { api, ApiError } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { SqlEditor } from '../components/sql_editor';
import { OSQUERY_TABLES } from '../osquery_tables';
import type { Label } from '../types';
import type { AppContext, Page } from '../app';

export function labelsPage(ctx: AppContext): Page {
  const canEdit = ctx.who.role !== 'viewer';
  const body = h('tbody');
  const error = h('div', { class: 'error', role: 'alert', id: 'labels-error', hidden: true });
  const hostNames = new Map<number, string>();

  // ---- create form ----
  const name = h('input', { id: 'label-name', required: true, placeholder: 'prod-web', pattern: '[^\\/]+', 'aria-label': 'Name' });
  const description = h('input', { id: 'label-description', placeholder: 'What these hosts have in common', 'aria-label': 'Description' });
  const kind = h('select', { id: 'label-kind', 'aria-label': 'Kind' },
    h('option', { value: 'manual' }, 'Manual: a list of hosts'),
    h('option', { value: 'dynamic' }, 'Dynamic: hosts where a query returns rows'));
  const hosts = h('input', { id: 'label-hosts', placeholder: 'web-01, web-02 or host ids', 'aria-label': 'Hosts' });
  const sql = new SqlEditor({ id: 'label-sql', label: 'Membership query', rows: 3, words: OSQUERY_TABLES, placeholder: "SELECT 1 FROM os_version WHERE platform = 'ubuntu'" });
  const refresh = h('input', { id: 'label-refresh', type: 'number', min: 0, value: 3600, 'aria-label': 'Refresh seconds' });
  const manualBox = h('label', { class: 'field' }, 'Hosts', hosts);
  const dynamicBox = h('div', { class: 'dynamic', hidden: true },
    h('label', { class: 'field', for: 'label-sql' }, 'Membership query (osquery SQL)'), sql.el,
    h('label', { class: 'field' }, 'Re-evaluate every (seconds)', refresh));
  kind.addEventListener('change', () => {
    manualBox.hidden = kind.value !== 'manual';
    dynamicBox.hidden = kind.value !== 'dynamic';
  });
  const create = h('button', { type: 'submit', class: 'primary', id: 'label-create', disabled: !canEdit }, 'Create label');
  if (!canEdit) create.title = 'Viewers cannot change labels';
  const form = h('form', { class: 'panel label-form', id: 'label-form' },
    h('h2', null, 'New label'),
    h('label', { class: 'field' }, 'Name', name),
    h('label', { class: 'field' }, 'Description', description),
    h('label', { class: 'field' }, 'Kind', kind),
    manualBox, dynamicBox, create);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!canEdit) return;
    const body: Record<string, unknown> = {
      name: name.value.trim(), description: description.value.trim(), kind: kind.value,
    };
    if (kind.value === 'manual') {
      body.hosts = hosts.value.split(/[\s,]+/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    } else {
      body.sql = sql.value.trim();
      body.refresh_seconds = Number(refresh.value) || 0;
    }
    create.disabled = true;
    try {
      await api.createLabel(body);
      form.reset();
      sql.value = '';
      kind.dispatchEvent(new Event('change'));
      error.hidden = true;
      await load();
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : String(err);
    } finally {
      create.disabled = false;
    }
  });

  const el = h('div', { class: 'page labels-page' },
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Labels')),
      error,
      h('div', { class: 'table-scroll' }, h('table', { class: 'plain', id: 'labels-table' },
        h('thead', null, h('tr', null, ...['name', 'kind', 'hosts', 'description', 'query', 'updated', ''].map((c) => h('th', null, c)))),
        body))),
    form);

  async function showMembers(label: Label, cell: HTMLElement): Promise<void> {
    try {
      const full = await api.label(label.name);
      const names = (full.host_ids ?? []).map((id) => hostNames.get(id) ?? `#${id}`);
      cell.replaceChildren(h('div', { class: 'members' }, names.length ? names.join(', ') : 'no hosts'));
    } catch (e) {
      cell.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  async function remove(label: Label): Promise<void> {
    if (!confirm(`Delete label "${label.name}"? Runs that targeted it keep their hosts.`)) return;
    try {
      await api.deleteLabel(label.name);
      await load();
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  async function load(): Promise<void> {
    try {
      const [r, all] = await Promise.all([api.labels(), api.hosts({ limit: 100000 })]);
      all.hosts.forEach((x) => hostNames.set(x.id, x.hostname));
      body.replaceChildren(...r.labels.map((l) => {
        const members = h('td', { colspan: 7 });
        const membersRow = h('tr', { class: 'members-row', hidden: true }, members);
        const row = h('tr', { 'data-label': l.name },
          h('td', null, h('button', {
            type: 'button', class: 'link', title: 'Show the hosts',
            onclick: () => {
              membersRow.hidden = !membersRow.hidden;
              if (!membersRow.hidden) void showMembers(l, members);
            },
          }, l.name)),
          h('td', null, h('span', { class: 'badge' }, l.kind)),
          h('td', { class: 'num' }, String(l.hosts)),
          h('td', null, l.description),
          h('td', null, l.kind === 'dynamic' ? h('code', { class: 'sql-inline' }, l.sql) : ''),
          h('td', null, dateTime(l.updated_us)),
          h('td', null, h('button', {
            type: 'button', class: 'small danger', disabled: !canEdit,
            title: canEdit ? `Delete ${l.name}` : 'Viewers cannot change labels',
            'data-delete': l.name, onclick: () => void remove(l),
          }, 'Delete')));
        return [row, membersRow];
      }).flat());
      if (r.labels.length === 0) {
        body.appendChild(h('tr', null, h('td', { colspan: 7, class: 'muted' },
          'No stored labels. Labels carried by enroll secrets are targetable too.')));
      }
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  void load();
  return { el, destroy() {} };
}
