// VirtualTable: a sortable, filterable table that renders only the rows in
// view. Rows have one fixed height, so row i sits at i * rowHeight inside a
// spacer as tall as all rows; a small pool of row elements is moved and
// refilled on scroll. 100,000 rows cost one array of indexes, not 100,000
// DOM nodes.
//
// Sorting compares numbers (and numeric strings) as numbers, other values as
// text, empty values last. Filtering keeps rows where any cell contains the
// filter text, case-insensitively. Rows appended while a sort is active are
// sorted in on a throttle, so a live stream does not re-sort per batch.
import { h, clear, throttle } from '../dom';
import type { Cell } from '../types';

export interface Column<T> {
  key: string;
  label: string;
  get(row: T): Cell | undefined;
  width?: number;  // px; measured from content when absent
}

export interface VirtualTableOptions<T> {
  rowHeight?: number;
  emptyText?: string;
  onRowClick?: (row: T) => void;
  label?: string;  // accessible name
}

const OVERSCAN = 8;
const SAMPLE_ROWS = 400;
const MIN_WIDTH = 56;
const MAX_WIDTH = 420;
const CHAR_PX = 7.4;

type SortKey = number | string | null;

function cellText(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function sortKey(v: Cell | undefined): SortKey {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = String(v);
  return NUMERIC.test(s) ? Number(s) : s.toLowerCase();
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === null) return 1;  // empty last, whatever the direction (handled by caller)
  if (b === null) return -1;
  const an = typeof a === 'number';
  const bn = typeof b === 'number';
  if (an && bn) return (a as number) - (b as number);
  if (an) return -1;  // numbers before text
  if (bn) return 1;
  return a < b ? -1 : 1;
}

export class VirtualTable<T> {
  readonly el: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly head: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly rowHeight: number;

  private columns: Column<T>[] = [];
  private rows: T[] = [];
  private view: number[] | null = null;  // indexes into rows; null: all rows in order
  private filter = '';
  private filterCache: (string | undefined)[] = [];
  private sort: { key: string; dir: 1 | -1 } | null = null;
  private pool: HTMLElement[] = [];
  private poolShows: number[] = [];  // view position each pooled row shows (-1: none)
  private version = 0;               // bumped when what a position shows may have changed
  private poolVersion: number[] = [];
  private frame = 0;
  private widthsFrom = 0;  // rows sampled for column widths so far
  private readonly resort = throttle(() => this.applySort(), 600);
  private readonly resizeObserver: ResizeObserver;

  // Time spent in the latest render() (ms), for the smoothness test.
  lastRenderMs = 0;

  constructor(opts: VirtualTableOptions<T> = {}) {
    this.rowHeight = opts.rowHeight ?? 26;
    this.head = h('div', { class: 'vt-head', role: 'row' });
    this.spacer = h('div', { class: 'vt-body' });
    this.empty = h('div', { class: 'vt-empty' }, opts.emptyText ?? 'No rows');
    this.scroller = h('div', { class: 'vt-scroll', tabindex: 0 }, this.head, this.spacer);
    this.el = h('div', { class: 'vt', role: 'grid', 'aria-label': opts.label ?? 'table' },
      this.scroller, this.empty);
    this.el.style.setProperty('--vt-row', `${this.rowHeight}px`);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(this.scroller);
    if (opts.onRowClick) {
      this.spacer.addEventListener('click', (e) => {
        const rowEl = (e.target as HTMLElement).closest('.vt-row') as HTMLElement | null;
        if (!rowEl) return;
        const pos = Number(rowEl.dataset.pos);
        const row = this.rowAt(pos);
        if (row !== undefined) opts.onRowClick!(row);
      });
    }
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.resort.cancel();
    cancelAnimationFrame(this.frame);
  }

  setColumns(columns: Column<T>[]): void {
    this.columns = columns;
    this.widthsFrom = 0;
    this.filterCache = [];
    this.rebuildPool();
    this.measureWidths();
    this.renderHead();
    if (this.filter) this.recomputeView();
    this.invalidate();
  }

  columnKeys(): string[] {
    return this.columns.map((c) => c.key);
  }

  setRows(rows: T[]): void {
    this.rows = rows;
    this.filterCache = [];
    this.widthsFrom = 0;
    this.measureWidths();
    this.recomputeView();
    this.invalidate();
  }

  // Appends rows (already pushed to nothing else); keeps filter and sort.
  append(rows: T[]): void {
    if (rows.length === 0) return;
    const start = this.rows.length;
    for (const r of rows) this.rows.push(r);
    if (this.widthsFrom < SAMPLE_ROWS) this.measureWidths();
    if (this.view) {
      for (let i = start; i < this.rows.length; ++i) if (this.matches(i)) this.view.push(i);
      if (this.sort) this.resort();
    }
    this.invalidate();
  }

  setFilter(text: string): void {
    const f = text.trim().toLowerCase();
    if (f === this.filter) return;
    this.filter = f;
    this.recomputeView();
    this.scroller.scrollTop = 0;
    this.invalidate();
  }

  // Cycles ascending → descending → off when called with the current key.
  toggleSort(key: string): void {
    if (this.sort?.key !== key) this.sort = { key, dir: 1 };
    else if (this.sort.dir === 1) this.sort = { key, dir: -1 };
    else this.sort = null;
    this.recomputeView();
    this.renderHead();
    this.invalidate();
  }

  setSort(key: string | null, dir: 1 | -1 = 1): void {
    this.sort = key ? { key, dir } : null;
    this.recomputeView();
    this.renderHead();
    this.invalidate();
  }

  sortState(): { key: string; dir: 1 | -1 } | null {
    return this.sort ? { ...this.sort } : null;
  }

  // Rows shown after the filter.
  count(): number {
    return this.view ? this.view.length : this.rows.length;
  }

  total(): number {
    return this.rows.length;
  }

  // The row at view position `pos` (after filter and sort).
  rowAt(pos: number): T | undefined {
    const i = this.view ? this.view[pos] : pos;
    return i === undefined ? undefined : this.rows[i];
  }

  // The cells of the rows at view positions [from, to), as text (for tests and copy).
  textAt(from: number, to: number): string[][] {
    const out: string[][] = [];
    for (let p = from; p < Math.min(to, this.count()); ++p) {
      const row = this.rowAt(p)!;
      out.push(this.columns.map((c) => cellText(c.get(row))));
    }
    return out;
  }

  scrollToPosition(pos: number): void {
    this.scroller.scrollTop = pos * this.rowHeight;
    this.render();
  }

  // Renders now (normally it happens on the next animation frame).
  flush(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  // ---- internals ----

  private invalidate(): void {
    this.version++;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private matches(i: number): boolean {
    if (!this.filter) return true;
    let text = this.filterCache[i];
    if (text === undefined) {
      const row = this.rows[i];
      text = this.columns.map((c) => cellText(c.get(row))).join('\u0001').toLowerCase();
      this.filterCache[i] = text;
    }
    return text.includes(this.filter);
  }

  private recomputeView(): void {
    if (!this.filter && !this.sort) {
      this.view = null;
      return;
    }
    const view: number[] = [];
    for (let i = 0; i < this.rows.length; ++i) if (this.matches(i)) view.push(i);
    this.view = view;
    if (this.sort) this.sortView();
  }

  private applySort(): void {
    if (!this.sort || !this.view) return;
    this.sortView();
    this.invalidate();
  }

  private sortView(): void {
    const col = this.columns.find((c) => c.key === this.sort!.key);
    if (!col || !this.view) return;
    const dir = this.sort!.dir;
    const keys: SortKey[] = new Array(this.rows.length);
    for (const i of this.view) keys[i] = sortKey(col.get(this.rows[i]));
    this.view.sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (ka === null || kb === null) return compareKeys(ka, kb) || a - b;
      return dir * compareKeys(ka, kb) || a - b;
    });
  }

  private measureWidths(): void {
    if (this.columns.length === 0) return;
    const upto = Math.min(this.rows.length, SAMPLE_ROWS);
    const widths = this.columns.map((c) => c.width ?? Math.max(MIN_WIDTH, c.label.length * CHAR_PX + 30));
    for (let i = 0; i < upto; ++i) {
      const row = this.rows[i];
      this.columns.forEach((c, ci) => {
        if (c.width) return;
        const len = cellText(c.get(row)).length;
        widths[ci] = Math.min(MAX_WIDTH, Math.max(widths[ci], len * CHAR_PX + 20));
      });
    }
    this.widthsFrom = upto;
    const template = widths.map((w) => `${Math.round(w)}px`).join(' ');
    const total = widths.reduce((a, b) => a + b, 0);
    this.el.style.setProperty('--vt-cols', template);
    this.el.style.setProperty('--vt-width', `${Math.round(total)}px`);
  }

  private renderHead(): void {
    clear(this.head);
    for (const c of this.columns) {
      const sorted = this.sort?.key === c.key;
      const arrow = sorted ? (this.sort!.dir === 1 ? ' ▲' : ' ▼') : '';
      const btn = h('button', {
        class: `vt-th${sorted ? ' sorted' : ''}`,
        type: 'button',
        role: 'columnheader',
        'aria-sort': sorted ? (this.sort!.dir === 1 ? 'ascending' : 'descending') : 'none',
        title: `Sort by ${c.label}`,
        'data-key': c.key,
        onclick: () => this.toggleSort(c.key),
      }, c.label, arrow);
      this.head.appendChild(btn);
    }
  }

  private rebuildPool(): void {
    for (const el of this.pool) el.remove();
    this.pool = [];
    this.poolShows = [];
    this.poolVersion = [];
  }

  private ensurePool(n: number): void {
    while (this.pool.length < n) {
      const row = h('div', { class: 'vt-row', role: 'row' });
      for (let c = 0; c < this.columns.length; ++c) row.appendChild(h('span', { class: 'vt-td', role: 'gridcell' }));
      row.style.display = 'none';
      this.spacer.appendChild(row);
      this.pool.push(row);
      this.poolShows.push(-1);
      this.poolVersion.push(-1);
    }
  }

  private render(): void {
    const t0 = performance.now();
    const n = this.count();
    const rh = this.rowHeight;
    this.spacer.style.height = `${n * rh}px`;
    this.empty.style.display = n === 0 ? '' : 'none';
    this.el.setAttribute('aria-rowcount', String(n));
    this.el.dataset.rows = String(n);
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / rh) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + height) / rh) + OVERSCAN);
    const needed = Math.max(0, last - first);
    this.ensurePool(needed);
    // Each pooled row keeps a slot (pos modulo pool size), so scrolling by a
    // few rows refills only the rows that came into view.
    const size = this.pool.length;
    const used = new Set<number>();
    for (let pos = first; pos < last; ++pos) {
      const slot = pos % size;
      used.add(slot);
      const el = this.pool[slot];
      if (this.poolShows[slot] !== pos || this.poolVersion[slot] !== this.version) {
        this.fillRow(el, pos);
        this.poolShows[slot] = pos;
        this.poolVersion[slot] = this.version;
        el.style.transform = `translateY(${pos * rh}px)`;
      }
      if (el.style.display === 'none') el.style.display = '';
    }
    for (let slot = 0; slot < size; ++slot) {
      if (used.has(slot)) continue;
      const el = this.pool[slot];
      if (el.style.display !== 'none') el.style.display = 'none';
      this.poolShows[slot] = -1;
    }
    this.lastRenderMs = performance.now() - t0;
  }

  private fillRow(el: HTMLElement, pos: number): void {
    const row = this.rowAt(pos)!;
    el.dataset.pos = String(pos);
    el.classList.toggle('odd', pos % 2 === 1);
    const cells = el.children;
    for (let c = 0; c < this.columns.length; ++c) {
      const text = cellText(this.columns[c].get(row));
      const cell = cells[c] as HTMLElement;
      if (cell.textContent !== text) {
        cell.textContent = text;
        cell.title = text.length > 40 ? text : '';
      }
    }
  }
}
