// ResultChart: draws a reduced table. The first text column gives the
// categories and the first numeric column the values; bar by default, pie
// when there are few non-negative values, line when there are at least two
// points. Redraws are cheap (setOption on one canvas), so it simply redraws
// whenever a new reduced table arrives.
import { h } from '../dom';
import { mountChart, onSchemeChange, palette, type EChart, type EChartsCoreOption } from '../charts';
import type { Cell, Table } from '../types';

export type ChartKind = 'bar' | 'pie' | 'line';

export interface ChartData {
  kind: ChartKind;
  category: string;
  value: string;
  categories: string[];
  values: number[];
}

const MAX_CATEGORIES = 200;
const PIE_MAX = 12;

function isNumeric(v: Cell): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return v.trim() !== '' && Number.isFinite(Number(v));
  return false;
}

// Which columns to draw, or why there is nothing to draw.
export function pickColumns(t: Table): { category: number; value: number } | string {
  if (t.columns.length < 1 || t.rows.length === 0) return 'No rows to chart yet';
  const numeric = t.columns.map((_, c) => {
    let seen = 0;
    for (const row of t.rows) {
      const v = row[c];
      if (v === null || v === '') continue;
      if (!isNumeric(v)) return false;
      ++seen;
    }
    return seen > 0;
  });
  const value = numeric.indexOf(true);
  if (value < 0) return 'The reduced table has no numeric column to chart';
  let category = numeric.findIndex((n, c) => !n && c !== value);
  if (category < 0) category = t.columns.findIndex((_, c) => c !== value);
  if (category < 0) return 'The reduced table needs a category column besides the value';
  return { category, value };
}

export function fits(kind: ChartKind, values: number[]): boolean {
  if (kind === 'bar') return values.length > 0;
  if (kind === 'pie') return values.length > 0 && values.length <= PIE_MAX && values.every((v) => v >= 0);
  return values.length >= 2;
}

export class ResultChart {
  readonly el: HTMLElement;
  private readonly canvasBox: HTMLElement;
  private readonly note: HTMLElement;
  private readonly buttons: Record<ChartKind, HTMLButtonElement>;
  private readonly mounted: { chart: EChart; dispose(): void };
  private chosen: ChartKind = 'bar';
  private table: Table | null = null;
  private readonly offScheme: () => void;
  data: ChartData | null = null;
  // performance.now() of the latest completed draw.
  drawnAt = 0;

  constructor() {
    const btn = (kind: ChartKind, text: string) =>
      h('button', { type: 'button', class: 'seg-btn', 'data-kind': kind, onclick: () => this.choose(kind) }, text);
    this.buttons = { bar: btn('bar', 'Bar'), pie: btn('pie', 'Pie'), line: btn('line', 'Line') };
    this.note = h('div', { class: 'chart-note muted' });
    this.canvasBox = h('div', { class: 'chart-canvas', id: 'result-chart' });
    this.el = h('div', { class: 'result-chart' },
      h('div', { class: 'seg small', role: 'group', 'aria-label': 'Chart type' },
        this.buttons.bar, this.buttons.pie, this.buttons.line),
      this.note, this.canvasBox);
    this.mounted = mountChart(this.canvasBox);
    this.mounted.chart.on('finished', () => {
      this.drawnAt = performance.now();
      this.canvasBox.dataset.drawn = String(this.data?.values.length ?? 0);
    });
    this.offScheme = onSchemeChange(() => this.draw());
    this.paintButtons();
  }

  get chart(): EChart {
    return this.mounted.chart;
  }

  destroy(): void {
    this.offScheme();
    this.mounted.dispose();
  }

  setTable(t: Table | null): void {
    this.table = t;
    this.draw();
  }

  private choose(kind: ChartKind): void {
    this.chosen = kind;
    this.draw();
  }

  private paintButtons(): void {
    const values = this.data?.values ?? [];
    for (const kind of ['bar', 'pie', 'line'] as ChartKind[]) {
      const b = this.buttons[kind];
      const ok = fits(kind, values);
      b.disabled = !ok;
      b.title = ok ? '' : kind === 'pie' ? `Pie needs 1–${PIE_MAX} non-negative values` : 'Needs at least two points';
      b.classList.toggle('active', this.data?.kind === kind);
      b.setAttribute('aria-pressed', String(this.data?.kind === kind));
    }
  }

  private draw(): void {
    const chart = this.mounted.chart;
    const t = this.table;
    const picked = t ? pickColumns(t) : '';
    this.el.hidden = !t;
    if (!t || typeof picked === 'string') {
      this.data = null;
      this.note.textContent = typeof picked === 'string' ? picked : '';
      this.canvasBox.hidden = true;
      chart.clear();
      this.paintButtons();
      return;
    }
    const rows = t.rows.slice(0, MAX_CATEGORIES);
    const categories = rows.map((r) => (r[picked.category] === null ? '(null)' : String(r[picked.category])));
    const values = rows.map((r) => Number(r[picked.value]));
    const kind = fits(this.chosen, values) ? this.chosen : 'bar';
    this.data = { kind, category: t.columns[picked.category], value: t.columns[picked.value], categories, values };
    this.note.textContent = `${this.data.value} by ${this.data.category}` +
      (t.rows.length > MAX_CATEGORIES ? ` (first ${MAX_CATEGORIES} of ${t.rows.length} rows)` : '');
    this.canvasBox.hidden = false;
    this.canvasBox.dataset.kind = kind;
    // Horizontal bars get taller with their count; the others keep one size.
    const height = kind === 'bar' ? Math.min(560, Math.max(200, 30 * values.length + 40)) : 320;
    this.canvasBox.style.height = `${height}px`;
    chart.setOption(this.option(this.data), { notMerge: true });
    chart.resize();
    this.paintButtons();
  }

  private option(d: ChartData): EChartsCoreOption {
    const p = palette();
    const base = {
      animationDuration: 300,
      animationDurationUpdate: 300,
      color: p.series,
      textStyle: { color: p.text, fontFamily: 'inherit' },
      tooltip: { trigger: d.kind === 'pie' ? 'item' : 'axis', confine: true },
    };
    if (d.kind === 'pie') {
      return {
        ...base,
        legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle', textStyle: { color: p.text } },
        series: [{
          type: 'pie', name: d.value, radius: ['35%', '70%'], center: ['38%', '50%'],
          itemStyle: { borderColor: p.surface, borderWidth: 2 },
          label: { color: p.text, formatter: '{b}: {c}' },
          data: d.categories.map((name, i) => ({ name, value: d.values[i] })),
        }],
      };
    }
    const axisLine = { lineStyle: { color: p.grid } };
    const splitLine = { lineStyle: { color: p.grid, opacity: 0.6 } };
    if (d.kind === 'line') {
      return {
        ...base,
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: d.categories, axisLine, axisLabel: { color: p.muted } },
        yAxis: { type: 'value', name: d.value, axisLine, splitLine, axisLabel: { color: p.muted } },
        series: [{ type: 'line', name: d.value, data: d.values, smooth: false, showSymbol: d.values.length < 60 }],
      };
    }
    // Bars are horizontal: category labels (distro names, hostnames) stay readable,
    // and the first row (ORDER BY … DESC) is on top.
    return {
      ...base,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', axisLine, splitLine, axisLabel: { color: p.muted }, minInterval: 1 },
      yAxis: {
        type: 'category', inverse: true, data: d.categories, axisLine,
        axisLabel: { color: p.text, width: 180, overflow: 'truncate' },
      },
      series: [{
        type: 'bar', name: d.value, data: d.values, barMaxWidth: 28,
        itemStyle: { color: p.series[0], borderRadius: [0, 3, 3, 0] },
        label: { show: d.values.length <= 40, position: 'right', color: p.text },
      }],
    };
  }
}
