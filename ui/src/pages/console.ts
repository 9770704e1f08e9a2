// The query console: write SQL, pick targets, run; watch progress, rows,
// the reduced table and its chart, per-host failures and the execution
// timeline fill in live from the run's event stream. #/runs/ID reopens any
// run the same way (a finished run's stream replays everything and ends).
import { api, ApiError } from '../api';
import { download, h, throttle } from '../dom';
import { QUERY_EXAMPLES } from '../examples';
import { count, dateTime, duration, selectorText } from '../format';
import { OSQUERY_TABLES } from '../osquery_tables';
import { RunSession } from '../run_session';
import { ResultChart } from '../components/result_chart';
import { SqlEditor } from '../components/sql_editor';
import { TargetPicker } from '../components/target_picker';
import { Timeline } from '../components/timeline';
import { VirtualTable, type Column } from '../components/virtual_table';
import type { Cell, Progress, ResultRow, Run, RunHost, Table } from '../types';
import type { AppContext, Page } from '../app';

const DEADLINES: [number, string][] = [
  [30, '30 seconds'], [60, '1 minute'], [300, '5 minutes'], [600, '10 minutes'],
  [3600, '1 hour'], [86400, '1 day'],
];
const HOST_KEY = '\u0000host';  // never a result column's name
const EXPORT_PAGE = 50_000;
const NO_REDUCE = 'Add a reduce statement (SQL over the table “results”) to aggregate the rows and chart them, e.g. hosts per OS.';

export function consolePage(ctx: AppContext, runId: number | null): Page {
  const canRun = ctx.who.role !== 'viewer';
  let session: RunSession | null = null;

  // ---- composer ----
  const sqlEditor = new SqlEditor({
    id: 'sql', label: 'osquery SQL', rows: 6,
    placeholder: 'SELECT name, major, minor FROM os_version',
    words: OSQUERY_TABLES,
    onSubmit: () => void runQuery(),
  });
  const reduceEditor = new SqlEditor({
    id: 'reduce', label: 'Reduce SQL over results', rows: 3,
    placeholder: "SELECT name || ' ' || major AS distro, count(*) AS hosts FROM results GROUP BY distro ORDER BY hosts DESC",
    words: ['results', 'host', 'host_id', 'count(*)', 'group by', 'order by'],
    onSubmit: () => applyReduce(),
  });
  const picker = new TargetPicker();
  const deadline = h('select', { id: 'deadline', 'aria-label': 'Deadline' },
    ...DEADLINES.map(([s, text]) => h('option', { value: s, selected: s === 600 }, text)));
  const runBtn = h('button', { id: 'run', class: 'primary', type: 'button', onclick: () => void runQuery() }, 'Run');
  const cancelBtn = h('button', { id: 'cancel', type: 'button', disabled: true, onclick: () => void cancelRun() }, 'Cancel');
  if (!canRun) {
    runBtn.disabled = true;
    runBtn.title = 'Viewers can look at everything but cannot run queries: sign in with an operator token';
    cancelBtn.title = 'Viewers cannot cancel runs';
  } else {
    runBtn.title = 'Run on the chosen hosts (Ctrl+Enter)';
  }
  const composeError = h('div', { class: 'error', id: 'compose-error', role: 'alert', hidden: true });
  const applyBtn = h('button', { type: 'button', class: 'small', id: 'apply-reduce', onclick: () => applyReduce() }, 'Apply');

  const examplesMenu = h('details', { class: 'menu', id: 'examples' },
    h('summary', null, 'Examples'),
    h('ul', { role: 'menu' }, ...QUERY_EXAMPLES.map((ex) =>
      h('li', { role: 'none' }, h('button', {
        type: 'button', role: 'menuitem', 'data-example': ex.id, title: ex.note,
        onclick: () => {
          sqlEditor.value = ex.sql;
          reduceEditor.value = ex.reduce;
          examplesMenu.open = false;
          sqlEditor.focus();
          if (session) session.setReduce(ex.reduce);
        },
      }, ex.title)))));

  const composer = h('section', { class: 'composer' },
    h('div', { class: 'editors' },
      h('div', { class: 'toolbar' },
        h('label', { for: 'sql', class: 'title' }, 'Query'), examplesMenu,
        h('span', { class: 'muted hint' }, 'Ctrl+Enter runs')),
      sqlEditor.el,
      h('div', { class: 'toolbar' },
        h('label', { for: 'reduce', class: 'title' }, 'Reduce over ', h('code', null, 'results')),
        h('span', { class: 'muted hint' }, 'optional; re-evaluated as rows arrive'), applyBtn),
      reduceEditor.el),
    h('aside', { class: 'run-panel' },
      picker.el,
      h('label', { class: 'field' }, 'Deadline', deadline),
      h('div', { class: 'buttons' }, runBtn, cancelBtn),
      composeError));

  // ---- run status ----
  const statusTitle = h('span', { class: 'run-title', id: 'run-title' }, 'No run yet');
  const statusBadge = h('span', { class: 'badge', id: 'run-status' }, 'idle');
  const liveDot = h('span', { class: 'live-dot', id: 'live', title: '' });
  const bar = h('div', { class: 'progress', id: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 });
  const counts = h('div', { class: 'counts', id: 'counts' });
  const exportCsv = h('button', { type: 'button', class: 'small', id: 'export-csv', disabled: true, onclick: () => void exportResults('csv') }, 'Export CSV');
  const exportJson = h('button', { type: 'button', class: 'small', id: 'export-json', disabled: true, onclick: () => void exportResults('json') }, 'Export JSON');
  const statusSection = h('section', { class: 'run-status panel' },
    h('div', { class: 'panel-head' }, liveDot, statusTitle, statusBadge, h('span', { class: 'spacer' }), exportCsv, exportJson),
    bar, counts);

  // ---- results ----
  const resultsTable = new VirtualTable<ResultRow>({ emptyText: 'Rows appear here as hosts answer', label: 'Results' });
  const filter = h('input', { type: 'search', id: 'results-filter', placeholder: 'Filter rows', 'aria-label': 'Filter rows' });
  filter.addEventListener('input', () => {
    resultsTable.setFilter(filter.value);
    paintRowCount();
  });
  const rowCount = h('span', { class: 'muted', id: 'row-count' }, '');
  const resultsPanel = h('section', { class: 'panel results-panel' },
    h('div', { class: 'panel-head' }, h('h2', null, 'Results'), rowCount, h('span', { class: 'spacer' }), filter),
    resultsTable.el);
  resultsTable.el.id = 'results';

  // ---- reduce + chart ----
  const reduceTable = new VirtualTable<Cell[]>({ emptyText: 'No reduced rows', label: 'Reduced', rowHeight: 24 });
  reduceTable.el.id = 'reduced';
  reduceTable.el.classList.add('short');
  const reduceNote = h('div', { class: 'muted', id: 'reduce-note' }, NO_REDUCE);
  const reduceCount = h('span', { class: 'muted', id: 'reduce-count' });
  const chart = new ResultChart();
  reduceTable.el.hidden = true;
  const reducePanel = h('section', { class: 'panel reduce-panel' },
    h('div', { class: 'panel-head' }, h('h2', null, 'Reduced'), reduceCount),
    reduceNote, chart.el, reduceTable.el);

  // ---- failures ----
  const failuresList = h('ul', { class: 'failures', id: 'failures' });
  const failuresCount = h('span', { class: 'badge', id: 'failures-count' }, '0');
  const failuresPanel = h('section', { class: 'panel failures-panel', hidden: true },
    h('div', { class: 'panel-head' }, h('h2', null, 'Host failures'), failuresCount), failuresList);

  // ---- timeline ----
  const timeline = new Timeline();
  const timelinePanel = h('section', { class: 'panel timeline-panel' },
    h('div', { class: 'panel-head' }, h('h2', null, 'Execution timeline'), h('span', { class: 'muted', id: 'timeline-note' })),
    timeline.el);

  const el = h('div', { class: 'page console' }, composer, statusSection,
    h('div', { class: 'results-grid' }, resultsPanel, reducePanel), failuresPanel, timelinePanel);

  // Test hook (see ui/tests): the live objects behind the page.
  const hook = ctx.hook;
  hook.results = resultsTable;
  hook.reduced = reduceTable;
  hook.chart = chart.chart;
  hook.chartData = () => chart.data;
  hook.chartDrawnAt = () => chart.drawnAt;
  hook.timeline = timeline.chart;
  hook.histogram = timeline.histogram;
  hook.timelineSummary = () => timeline.summary;
  hook.session = () => session;

  // ---- behaviour ----
  function showError(msg: string | null): void {
    composeError.hidden = !msg;
    composeError.textContent = msg ?? '';
  }

  function resultColumns(s: RunSession): Column<ResultRow>[] {
    return [
      { key: HOST_KEY, label: 'host', get: (r) => r.host || `#${r.host_id}` },
      ...s.columns.map((c) => ({ key: c, label: c, get: (r: ResultRow) => r.row[c] as Cell })),
    ];
  }

  function paintRowCount(): void {
    const total = resultsTable.total();
    const shown = resultsTable.count();
    rowCount.textContent = shown === total ? count(total, 'row') : `${shown.toLocaleString('en-US')} of ${count(total, 'row')}`;
    rowCount.dataset.total = String(total);
  }
  const paintRowCountSoon = throttle(paintRowCount, 100);

  function paintProgress(p: Progress | null, run: Run): void {
    const status = run.status;
    statusBadge.textContent = status;
    statusBadge.className = `badge st-${status}`;
    statusBadge.dataset.status = status;
    statusSection.dataset.status = status;
    if (!p) return;
    const total = Math.max(1, p.targeted);
    const seg = (cls: string, n: number, label: string) =>
      n > 0 ? h('span', { class: `seg-${cls}`, style: `width:${(100 * n) / total}%`, title: `${label}: ${n}` }) : null;
    bar.replaceChildren(...[
      seg('answered', p.answered, 'answered'), seg('failed', p.failed, 'failed'),
      seg('expired', p.expired, 'expired'), seg('cancelled', p.cancelled, 'cancelled'),
      seg('picked', p.picked_up, 'picked up'),
    ].filter((x): x is HTMLSpanElement => x !== null));
    const finished = p.answered + p.failed + p.expired + p.cancelled;
    bar.setAttribute('aria-valuenow', String(Math.round((100 * finished) / total)));
    for (const [k, v] of Object.entries(p)) bar.dataset[k] = String(v);
    const item = (key: string, label: string, n: number) =>
      h('span', { class: `count count-${key}`, 'data-count': key }, h('b', null, n.toLocaleString('en-US')), ` ${label}`);
    counts.replaceChildren(
      item('targeted', 'targeted', p.targeted),
      item('picked_up', 'picked up', p.picked_up),
      item('answered', 'answered', p.answered),
      item('failed', 'failed', p.failed),
      item('expired', 'expired', p.expired),
      item('offline', 'offline', p.offline),
      ...(p.cancelled ? [item('cancelled', 'cancelled', p.cancelled)] : []),
      item('rows', 'rows', p.rows),
      h('span', { class: 'muted' }, p.done ? (status === 'running' ? 'every online host is done' : '') : ''),
    );
  }

  function paintFailures(): void {
    if (!session) return;
    const bad = [...session.hosts.values()].filter((x) => x.state === 'failed' || x.state === 'expired');
    bad.sort((a, b) => (a.hostname || '').localeCompare(b.hostname || ''));
    failuresPanel.hidden = bad.length === 0;
    failuresCount.textContent = String(bad.length);
    failuresList.replaceChildren(...bad.map((x) =>
      h('li', { 'data-host': x.hostname, 'data-state': x.state },
        h('span', { class: 'host' }, x.hostname || `#${x.host_id}`),
        h('span', { class: `badge st-${x.state}` }, x.state),
        x.state === 'failed' ? h('code', { class: 'message' }, x.message || `status ${x.status}`)
          : h('span', { class: 'message muted' }, x.online ? 'no answer before the deadline' : 'offline until the deadline'))));
  }
  const paintFailuresSoon = throttle(paintFailures, 200);

  function paintReduce(t: Table | null, error: string | null): void {
    if (error) {
      reduceNote.textContent = error;
      reduceNote.className = 'error';
    } else if (t) {
      reduceNote.textContent = '';
      reduceNote.className = 'muted';
    }
    if (t) {
      reduceTable.setColumns(t.columns.map((c, i) => ({ key: String(i), label: c, get: (r: Cell[]) => r[i] })));
      reduceTable.setRows(t.rows);
      reduceCount.textContent = count(t.rows.length, 'row') + (t.truncated ? ' (truncated)' : '');
    } else if (!error) {
      reduceTable.setRows([]);
      reduceCount.textContent = '';
      reduceNote.textContent = NO_REDUCE;
      reduceNote.className = 'muted';
    }
    reduceTable.el.hidden = !t;
    chart.setTable(t);
  }

  function resetViews(run: Run): void {
    resultsTable.setColumns([{ key: HOST_KEY, label: 'host', get: (r) => r.host }]);
    resultsTable.setRows([]);
    reduceTable.setColumns([]);
    reduceTable.setRows([]);
    reduceTable.el.hidden = true;
    reduceCount.textContent = '';
    chart.setTable(null);
    filter.value = '';
    resultsTable.setFilter('');
    failuresList.replaceChildren();
    failuresPanel.hidden = true;
    reduceNote.textContent = reduceEditor.value.trim() ? 'Waiting for rows…' : NO_REDUCE;
    reduceNote.className = 'muted';
    statusTitle.textContent = `Run #${run.id}`;
    statusTitle.title = `${run.sql}\n\ntargets: ${selectorText(run.selector)}\nby ${run.submitted_by} at ${dateTime(run.created_us)}`;
    paintRowCount();
    paintProgress(run.progress ?? null, run);
  }

  function openRun(run: Run, startedAt = performance.now()): void {
    session?.close();
    resetViews(run);
    const s = new RunSession(run, reduceEditor.value, {
      progress: (p) => paintProgress(p, s.run),
      host: () => {
        timeline.update(s.run, s.hosts);
        paintFailuresSoon();
      },
      rows: (fresh, newColumns) => {
        if (newColumns) resultsTable.setColumns(resultColumns(s));
        resultsTable.append(fresh);
        paintRowCountSoon();
      },
      reduce: (t, error) => paintReduce(t, error),
      end: (ended) => {
        paintProgress(s.progress, ended);
        timeline.update(ended, s.hosts);
        timeline.flush();
        paintFailures();
        paintRowCount();
        cancelBtn.disabled = true;
        if (s.rows.length === 0 && s.reduceSql) {
          reduceNote.textContent = 'No rows to reduce: no host returned any.';
          reduceNote.className = 'muted';
        }
        liveDot.className = 'live-dot ended';
        liveDot.title = `run ${ended.status}; the stream has ended`;
        const took = ended.ended_us ? duration((ended.ended_us - ended.created_us) / 1000) : '';
        const note = document.getElementById('timeline-note');
        if (note) note.textContent = `${ended.status} after ${took}`;
      },
      connection: (state, error) => {
        liveDot.className = `live-dot ${state}`;
        liveDot.title = state === 'open' ? 'live: updates arrive as they happen' : state;
        if (error) showError(error);
      },
    }, startedAt);
    session = s;
    hook.runStartedAt = startedAt;
    cancelBtn.disabled = !canRun || run.status !== 'running';
    exportCsv.disabled = false;
    exportJson.disabled = false;
    if (run.hosts) run.hosts.forEach((x: RunHost) => s.hosts.set(x.host_id, x));
    timeline.update(run, s.hosts);
    s.start();
  }

  async function runQuery(): Promise<void> {
    if (!canRun) return;
    const sql = sqlEditor.value.trim();
    if (!sql) return showError('Write a query first');
    const targets = picker.selector();
    if (!targets) return showError('Choose at least one label, platform or host, or All hosts');
    showError(null);
    const startedAt = performance.now();
    runBtn.disabled = true;
    runBtn.textContent = 'Starting…';
    try {
      const reduce = reduceEditor.value.trim();
      const run = await api.createRun({
        sql, targets, timeout_seconds: Number(deadline.value), ...(reduce ? { reduce } : {}),
      });
      history.replaceState(null, '', `#/runs/${run.id}`);
      openRun(run, startedAt);
    } catch (e) {
      showError(e instanceof ApiError ? e.message : String(e));
    } finally {
      runBtn.disabled = false;
      runBtn.textContent = 'Run';
    }
  }

  async function cancelRun(): Promise<void> {
    if (!session || !canRun) return;
    cancelBtn.disabled = true;
    try {
      await api.cancelRun(session.run.id);
    } catch (e) {
      showError(e instanceof ApiError ? e.message : String(e));
      cancelBtn.disabled = false;
    }
  }

  function applyReduce(): void {
    if (session) {
      reduceNote.textContent = 'Reducing…';
      reduceNote.className = 'muted';
      session.setReduce(reduceEditor.value);
    }
  }

  async function exportResults(format: 'csv' | 'json'): Promise<void> {
    if (!session) return;
    const id = session.run.id;
    const btn = format === 'csv' ? exportCsv : exportJson;
    btn.disabled = true;
    try {
      let after = 0;
      if (format === 'json') {
        const rows: ResultRow[] = [];
        for (;;) {
          const page = await (await api.resultsPage(id, 'json', after, EXPORT_PAGE)).json() as { rows: ResultRow[]; next_after: number };
          rows.push(...page.rows);
          if (page.rows.length < EXPORT_PAGE || page.next_after === after) break;
          after = page.next_after;
        }
        download(new Blob([JSON.stringify({ run: session.run, rows }, null, 1)], { type: 'application/json' }), `quarry-run-${id}.json`);
      } else {
        const parts: string[] = [];
        let header: string | null = null;
        for (;;) {
          const res = await api.resultsPage(id, 'csv', after, EXPORT_PAGE);
          const text = await res.text();
          const next = Number(res.headers.get('X-Next-After') ?? after);
          if (next === after && parts.length > 0) break;  // an empty page past the last row
          const nl = text.indexOf('\n');
          const head = nl >= 0 ? text.slice(0, nl) : text;
          // Each page starts with its header: keep the first, drop repeats.
          parts.push(header === null || head !== header ? text : text.slice(nl + 1));
          header ??= head;
          if (next === after) break;
          after = next;
        }
        download(new Blob(parts, { type: 'text/csv' }), `quarry-run-${id}.csv`);
      }
    } catch (e) {
      showError(`export: ${e instanceof ApiError ? e.message : String(e)}`);
    } finally {
      btn.disabled = false;
    }
  }

  async function reopen(id: number): Promise<void> {
    try {
      const run = await api.run(id);
      sqlEditor.value = run.sql;
      reduceEditor.value = run.reduce;
      picker.setSelector(run.selector);
      openRun(run);
    } catch (e) {
      showError(e instanceof ApiError ? e.message : String(e));
      statusTitle.textContent = `Run #${id}`;
    }
  }

  // The Examples menu closes on a click elsewhere.
  const onClick = (e: MouseEvent) => {
    if (examplesMenu.open && !examplesMenu.contains(e.target as Node)) examplesMenu.open = false;
  };
  document.addEventListener('click', onClick);

  // Ctrl/Cmd+Enter anywhere on the page runs (in the reduce box: applies it).
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || e.defaultPrevented) return;
    e.preventDefault();
    void runQuery();
  };
  document.addEventListener('keydown', onKey);

  if (runId !== null) void reopen(runId);
  else if (!sqlEditor.value) {
    const first = QUERY_EXAMPLES[0];
    sqlEditor.value = first.sql;
    reduceEditor.value = first.reduce;
  }
  requestAnimationFrame(() => sqlEditor.focus());

  return {
    el,
    destroy() {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('click', onClick);
      session?.close();
      picker.destroy();
      resultsTable.destroy();
      reduceTable.destroy();
      chart.destroy();
      timeline.destroy();
    },
  };
}
