// Search: one read-only SQL statement over the server's stored tables
// (POST /api/v1/search), with saved troubleshooting searches.
import { api, ApiError } from '../api';
import { download, h } from '../dom';
import { SEARCH_EXAMPLES } from '../examples';
import { count } from '../format';
import { SqlEditor } from '../components/sql_editor';
import { VirtualTable } from '../components/virtual_table';
import type { Cell } from '../types';
import type { AppContext, Page } from '../app';

const STORED_TABLES = ['hosts', 'enrollments', 'runs', 'run_hosts', 'results', 'orphan_results',
  'result_logs', 'status_logs', 'labels', 'label_members', 'audit'];

export function searchPage(ctx: AppContext): Page {
  const editor = new SqlEditor({
    id: 'search-sql', label: 'Search SQL', rows: 8, words: STORED_TABLES,
    placeholder: 'SELECT hostname, platform FROM hosts ORDER BY hostname',
    onSubmit: () => void run(),
  });
  const maxRows = h('select', { id: 'search-max', 'aria-label': 'Row limit' },
    ...[1000, 10000, 100000].map((n) => h('option', { value: n, selected: n === 10000 }, `${n.toLocaleString('en-US')} rows`)));
  const runBtn = h('button', { type: 'button', class: 'primary', id: 'search-run', onclick: () => void run() }, 'Search');
  const csvBtn = h('button', { type: 'button', class: 'small', id: 'search-csv', onclick: () => void csv() }, 'Export CSV');
  const error = h('div', { class: 'error', role: 'alert', id: 'search-error', hidden: true });
  const info = h('span', { class: 'muted', id: 'search-count' });
  const table = new VirtualTable<Cell[]>({ label: 'Search results', emptyText: 'Run a search to see rows' });
  table.el.id = 'search-results';
  const saved = h('ul', { class: 'saved', id: 'saved-searches' }, ...SEARCH_EXAMPLES.map((ex) =>
    h('li', null, h('button', {
      type: 'button', class: 'link', 'data-search': ex.id,
      onclick: () => {
        editor.value = ex.sql;
        void run();
      },
    }, ex.title))));

  const el = h('div', { class: 'page search-page' },
    h('div', { class: 'search-top' },
      h('section', { class: 'panel' },
        h('div', { class: 'toolbar' }, h('label', { for: 'search-sql', class: 'title' }, 'Search stored data'),
          h('span', { class: 'muted hint' }, 'read-only SQL; Ctrl+Enter runs')),
        editor.el,
        h('div', { class: 'buttons' }, runBtn, maxRows, h('span', { class: 'spacer' }), csvBtn),
        error),
      h('aside', { class: 'panel' },
        h('h2', null, 'Troubleshooting'), saved,
        h('p', { class: 'muted small-text' }, 'Tables: ', ...STORED_TABLES.flatMap((t, i) => [i ? ', ' : '', h('code', null, t)])))),
    h('section', { class: 'panel' }, h('div', { class: 'panel-head' }, h('h2', null, 'Rows'), info), table.el));

  ctx.hook.search = table;

  async function run(): Promise<void> {
    const sql = editor.value.trim();
    if (!sql) return;
    runBtn.disabled = true;
    error.hidden = true;
    info.textContent = 'Searching…';
    try {
      const t = await api.search(sql, Number(maxRows.value));
      table.setColumns(t.columns.map((c, i) => ({ key: String(i), label: c, get: (r: Cell[]) => r[i] })));
      table.setRows(t.rows);
      info.textContent = count(t.rows.length, 'row') + (t.truncated ? ` (truncated at ${maxRows.value})` : '');
      info.dataset.rows = String(t.rows.length);
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.message : String(e);
      info.textContent = '';
      info.dataset.rows = '';
    } finally {
      runBtn.disabled = false;
    }
  }

  async function csv(): Promise<void> {
    const sql = editor.value.trim();
    if (!sql) return;
    try {
      const res = await api.searchCsv(sql, Number(maxRows.value));
      download(await res.blob(), 'quarry-search.csv');
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  editor.value = SEARCH_EXAMPLES[0].sql;
  return { el, destroy() { table.destroy(); } };
}
