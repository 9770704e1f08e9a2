// Hosts: the enrolled fleet with search and filters (server-side, GET
// /api/v1/hosts), and one host's details and recent runs (#/hosts/ID).
import { api, ApiError } from '../api';
import { debounce, h } from '../dom';
import { ago, count, dateTime } from '../format';
import { VirtualTable } from '../components/virtual_table';
import type { Cell, Host, HostDetail } from '../types';
import type { AppContext, Page } from '../app';

const PAGE_LIMIT = 100_000;

export function hostsPage(ctx: AppContext, hostId: number | null): Page {
  const q = h('input', { type: 'search', id: 'hosts-q', placeholder: 'Search name, identifier or OS', 'aria-label': 'Search hosts' });
  const platform = h('select', { id: 'hosts-platform', 'aria-label': 'Platform' }, h('option', { value: '' }, 'Any platform'));
  const label = h('select', { id: 'hosts-label', 'aria-label': 'Label' }, h('option', { value: '' }, 'Any label'));
  const status = h('select', { id: 'hosts-status', 'aria-label': 'Status' },
    h('option', { value: '' }, 'Online or offline'), h('option', { value: 'online' }, 'Online'), h('option', { value: 'offline' }, 'Offline'));
  const total = h('span', { class: 'muted', id: 'hosts-total' });
  const error = h('div', { class: 'error', role: 'alert', hidden: true });

  const table = new VirtualTable<Host>({
    label: 'Hosts',
    emptyText: 'No hosts match',
    onRowClick: (host) => ctx.navigate(`#/hosts/${host.id}`),
  });
  table.el.id = 'hosts-table';
  table.el.classList.add('clickable');
  const now = () => Date.now();
  table.setColumns([
    { key: 'hostname', label: 'hostname', get: (x) => x.hostname },
    { key: 'status', label: 'status', get: (x) => (x.revoked ? 'revoked' : x.online ? 'online' : 'offline'), width: 80 },
    { key: 'platform', label: 'platform', get: (x) => x.platform },
    { key: 'os', label: 'os', get: (x) => `${x.os_name} ${x.os_version}`.trim() },
    { key: 'osquery', label: 'osquery', get: (x) => x.osquery_version, width: 80 },
    { key: 'labels', label: 'labels', get: (x) => x.labels.join(', ') },
    { key: 'last_seen', label: 'last seen', get: (x) => ago(x.last_seen_us, now()), width: 110 },
    { key: 'enrolled', label: 'enrolled', get: (x) => dateTime(x.enrolled_us), width: 160 },
    { key: 'id', label: 'id', get: (x) => x.id, width: 60 },
  ]);

  const detail = h('section', { class: 'panel host-detail', id: 'host-detail', hidden: hostId === null });
  const el = h('div', { class: 'page hosts' },
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Hosts'), total, h('span', { class: 'spacer' }),
        q, platform, label, status),
      error, table.el),
    detail);

  ctx.hook.hosts = table;

  async function load(): Promise<void> {
    try {
      const r = await api.hosts({ q: q.value.trim(), platform: platform.value, label: label.value, status: status.value, limit: PAGE_LIMIT });
      table.setRows(r.hosts);
      const online = r.hosts.filter((x) => x.online).length;
      total.textContent = `${count(r.total, 'host')}, ${online.toLocaleString('en-US')} online`;
      total.dataset.total = String(r.total);
      error.hidden = true;
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }
  const loadSoon = debounce(() => void load(), 250);
  q.addEventListener('input', loadSoon);
  for (const s of [platform, label, status]) s.addEventListener('change', () => void load());

  async function loadFilters(): Promise<void> {
    try {
      const [all, labels] = await Promise.all([api.hosts({ limit: PAGE_LIMIT }), api.labels()]);
      const platforms = new Set(['linux', 'darwin', 'windows']);
      const names = new Set(labels.labels.map((l) => l.name));
      for (const x of all.hosts) {
        if (x.platform) platforms.add(x.platform);
        x.labels.forEach((l) => names.add(l));
      }
      platform.append(...[...platforms].sort().map((p) => h('option', { value: p }, p)));
      label.append(...[...names].sort().map((n) => h('option', { value: n }, n)));
    } catch {
      // the filters stay short; the list still loads
    }
  }

  async function showHost(id: number): Promise<void> {
    detail.hidden = false;
    detail.replaceChildren(h('div', { class: 'muted' }, 'Loading…'));
    try {
      const host = await api.host(id);
      detail.replaceChildren(...hostDetail(host, ctx));
    } catch (e) {
      detail.replaceChildren(h('div', { class: 'error' }, e instanceof ApiError ? e.message : String(e)));
    }
  }

  void loadFilters();
  void load();
  if (hostId !== null) void showHost(hostId);
  const refresh = window.setInterval(() => void load(), 15_000);
  return {
    el,
    route: 'hosts',
    update(id) {
      if (id === null) detail.hidden = true;
      else void showHost(id);
    },
    destroy() {
      window.clearInterval(refresh);
      table.destroy();
    },
  };
}

function kv(rows: [string, string | Node][]): HTMLElement {
  return h('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function hostDetail(x: HostDetail, ctx: AppContext): Node[] {
  const seen = (us: number) => (us ? `${dateTime(us)} (${ago(us)})` : 'never');
  const out: Node[] = [
    h('div', { class: 'panel-head' },
      h('h2', { id: 'host-name' }, x.hostname || `#${x.id}`),
      h('span', { class: `badge ${x.revoked ? 'st-failed' : x.online ? 'st-answered' : 'st-pending'}` },
        x.revoked ? 'revoked' : x.online ? 'online' : 'offline'),
      h('span', { class: 'spacer' }),
      h('a', { href: '#/hosts', class: 'small' }, 'Close')),
    kv([
      ['Host identifier', x.host_identifier],
      ['Platform', `${x.platform} (platform_type ${x.platform_type})`],
      ['OS', `${x.os_name} ${x.os_version}`],
      ['osquery', x.osquery_version],
      ['Hardware', `${x.hardware_uuid}${x.hardware_serial ? ` · serial ${x.hardware_serial}` : ''}`],
      ['Labels', x.labels.length ? x.labels.join(', ') : '—'],
      ['Enroll secret', x.enroll_secret_name],
      ['First enrolled', dateTime(x.first_enrolled_us)],
      ['Enrolled', dateTime(x.enrolled_us)],
      ['Last seen', seen(x.last_seen_us)],
      ['Last config', seen(x.last_config_us)],
      ['Last log', seen(x.last_log_us)],
      ['Last query poll', seen(x.last_distributed_us)],
    ]),
  ];
  const recent = x.recent_runs;
  out.push(h('h3', null, 'Recent runs'));
  if (recent && recent.rows.length) {
    const col = (name: string) => recent.columns.indexOf(name);
    const cell = (r: Cell[], name: string) => (col(name) >= 0 ? r[col(name)] : null);
    out.push(h('div', { class: 'table-scroll' }, h('table', { class: 'plain', id: 'host-runs' },
      h('thead', null, h('tr', null, ...['run', 'when', 'state', 'rows', 'sql', 'message'].map((c) => h('th', null, c)))),
      h('tbody', null, ...recent.rows.map((r) => {
        const runId = Number(cell(r, 'run_id'));
        return h('tr', { class: 'clickable', onclick: () => ctx.navigate(`#/runs/${runId}`) },
          h('td', null, h('a', { href: `#/runs/${runId}` }, `#${runId}`)),
          h('td', null, dateTime(Number(cell(r, 'created_us')))),
          h('td', null, h('span', { class: `badge st-${cell(r, 'state')}` }, String(cell(r, 'state') ?? ''))),
          h('td', null, String(cell(r, 'rows') ?? '')),
          h('td', null, h('code', { class: 'sql-inline' }, String(cell(r, 'sql') ?? ''))),
          h('td', null, String(cell(r, 'message') ?? '')));
      })))));
  } else {
    out.push(h('p', { class: 'muted' }, 'No runs have targeted this host yet.'));
  }
  const details = x.host_details ?? {};
  const tables = Object.keys(details).sort();
  if (tables.length) {
    out.push(h('h3', null, 'As enrolled'));
    for (const t of tables) {
      const row = details[t] ?? {};
      out.push(h('details', { class: 'enrolled' },
        h('summary', null, h('code', null, t)),
        kv(Object.keys(row).sort().map((k) => [k, String(row[k])]))));
    }
  }
  return out;
}
