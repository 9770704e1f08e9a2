// Runs: the history of live queries, newest first, 50 at a time. Each row's
// outcome (answered / failed / …) comes from one read-only search over
// run_hosts for the page; clicking a row reopens the run with its results,
// chart and timeline.
import { api, ApiError } from '../api';
import { h } from '../dom';
import { ago, dateTime, duration, selectorText } from '../format';
import type { Run, RunStatus } from '../types';
import type { AppContext, Page } from '../app';

const PAGE = 50;

export function runsPage(ctx: AppContext): Page {
  const status = h('select', { id: 'runs-status', 'aria-label': 'Status' },
    h('option', { value: '' }, 'Any status'),
    ...['running', 'finished', 'cancelled', 'expired'].map((s) => h('option', { value: s }, s)));
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'small', id: 'runs-more', hidden: true }, 'Older runs');
  const error = h('div', { class: 'error', role: 'alert', hidden: true });
  const table = h('table', { class: 'plain runs', id: 'runs-table' },
    h('thead', null, h('tr', null, ...['run', 'status', 'who', 'when', 'took', 'targets', 'outcome', 'sql'].map((c) => h('th', null, c)))),
    body);
  const el = h('div', { class: 'page runs-page' },
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', null, 'Runs'), h('span', { class: 'spacer' }), status),
      error, h('div', { class: 'table-scroll' }, table), more));

  let oldest = 0;

  async function outcomes(runs: Run[]): Promise<Map<number, Record<string, number>>> {
    const out = new Map<number, Record<string, number>>();
    if (runs.length === 0) return out;
    const ids = runs.map((r) => r.id).join(',');
    try {
      const t = await api.search(`SELECT run_id, state, count(*) AS n FROM run_hosts WHERE run_id IN (${ids}) GROUP BY run_id, state`);
      for (const [runId, state, n] of t.rows) {
        const m = out.get(Number(runId)) ?? {};
        m[String(state)] = Number(n);
        out.set(Number(runId), m);
      }
    } catch {
      // outcomes are extra; the list stands without them
    }
    return out;
  }

  function outcomeText(m: Record<string, number> | undefined): Node {
    if (!m) return document.createTextNode('');
    const order = ['answered', 'failed', 'expired', 'cancelled', 'picked_up', 'pending'];
    return h('span', { class: 'outcome' }, ...order.filter((s) => m[s]).map((s) =>
      h('span', { class: `badge st-${s}`, title: s }, `${m[s]} ${s.replace('_', ' ')}`)));
  }

  async function load(reset: boolean): Promise<void> {
    if (reset) {
      body.replaceChildren();
      oldest = 0;
    }
    try {
      const r = await api.runs({ status: status.value as RunStatus | '', before: oldest || undefined, limit: PAGE });
      const o = await outcomes(r.runs);
      for (const run of r.runs) {
        const took = run.ended_us ? duration((run.ended_us - run.created_us) / 1000) : '…';
        body.appendChild(h('tr', { class: 'clickable', 'data-run': run.id, onclick: () => ctx.navigate(`#/runs/${run.id}`) },
          h('td', null, h('a', { href: `#/runs/${run.id}` }, `#${run.id}`)),
          h('td', null, h('span', { class: `badge st-${run.status}` }, run.status)),
          h('td', null, run.submitted_by),
          h('td', { title: dateTime(run.created_us) }, ago(run.created_us)),
          h('td', null, took),
          h('td', null, selectorText(run.selector)),
          h('td', null, outcomeText(o.get(run.id))),
          h('td', null, h('code', { class: 'sql-inline', title: run.sql + (run.reduce ? `\n\nreduce: ${run.reduce}` : '') }, run.sql))));
      }
      if (r.runs.length) oldest = r.runs[r.runs.length - 1].id;
      more.hidden = r.runs.length < PAGE;
      if (reset && r.runs.length === 0) {
        body.appendChild(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No runs yet: run a query from the Query page.')));
      }
      error.hidden = true;
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  status.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));
  void load(true);
  return { el, destroy() {} };
}
