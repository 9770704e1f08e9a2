// Timeline: the execution of one run as swim lanes — one lane for the
// submission, one per target host — plus a histogram of answer latency.
//
// Times are milliseconds after the submission. Each host lane shows the wait
// (submission → picked up) faintly, the execution (picked up → answered,
// failed, expired or cancelled) in the state's colour, and a mark at each
// event. Lanes are grouped by final state (or sorted by host or latency);
// beyond MAX_VISIBLE_LANES a slider scrolls and zooms the lanes, and the time
// axis zooms with the lower slider or Ctrl + wheel.
import { h } from '../dom';
import { mountChart, onSchemeChange, palette, type EChart, type Palette } from '../charts';
import { clockMs, duration } from '../format';
import type { HostState, Run, RunHost } from '../types';

const MAX_VISIBLE_LANES = 40;
const LANE_PX = 22;

type Order = 'state' | 'host' | 'latency';
type MarkKind = 'picked_up' | 'answered' | 'failed' | 'expired' | 'cancelled';

const STATE_RANK: Record<HostState, number> = {
  failed: 0, expired: 1, answered: 2, cancelled: 3, picked_up: 4, pending: 5,
};
const MARKS: { kind: MarkKind; name: string; symbol: string; size: number }[] = [
  { kind: 'picked_up', name: 'Picked up', symbol: 'circle', size: 7 },
  { kind: 'answered', name: 'Answered', symbol: 'diamond', size: 10 },
  { kind: 'failed', name: 'Failed', symbol: 'diamond', size: 11 },
  { kind: 'expired', name: 'Expired', symbol: 'triangle', size: 10 },
  { kind: 'cancelled', name: 'Cancelled', symbol: 'rect', size: 8 },
];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Lane {
  label: string;
  host: RunHost | null;  // null: the submission lane
}

// Latency bins (submission → answer) and how many hosts answered or failed in each.
export interface Histogram {
  bins: string[];
  counts: number[];
  answered: number[];
  failed: number[];
}

export interface TimelineSummary {
  lanes: number;
  marks: Record<MarkKind, number>;
  histogram: Histogram;
}

export class Timeline {
  readonly el: HTMLElement;
  private readonly laneBox: HTMLElement;
  private readonly histBox: HTMLElement;
  private readonly histNote = h('div', { class: 'muted hist-note' }, 'No answers yet');
  private readonly lanesChart: { chart: EChart; dispose(): void };
  private readonly histChart: { chart: EChart; dispose(): void };
  private readonly offScheme: () => void;
  private run: Run | null = null;
  private hosts: RunHost[] = [];
  private source: ReadonlyMap<number, RunHost> = new Map();
  private lanes: Lane[] = [];
  private order: Order = 'state';
  private zoomed = false;  // whether the current option has the lane slider
  private frame = 0;
  summary: TimelineSummary = { lanes: 0, marks: { picked_up: 0, answered: 0, failed: 0, expired: 0, cancelled: 0 }, histogram: { bins: [], counts: [], answered: [], failed: [] } };

  constructor() {
    const select = h('select', { 'aria-label': 'Order lanes by', id: 'timeline-order' },
      h('option', { value: 'state' }, 'Group by state'),
      h('option', { value: 'host' }, 'Host name'),
      h('option', { value: 'latency' }, 'Latency'));
    select.addEventListener('change', () => {
      this.order = select.value as Order;
      this.draw(true);
    });
    this.laneBox = h('div', { class: 'timeline-lanes', id: 'timeline-chart' });
    this.histBox = h('div', { class: 'timeline-hist', id: 'latency-chart' });
    this.el = h('div', { class: 'timeline' },
      h('div', { class: 'panel-tools' }, select),
      h('div', { class: 'timeline-body' },
        this.laneBox,
        h('div', { class: 'hist-wrap' }, h('div', { class: 'hist-title muted' }, 'Latency, submission → answer'),
          this.histNote, this.histBox)));
    this.lanesChart = mountChart(this.laneBox);
    this.histChart = mountChart(this.histBox);
    this.offScheme = onSchemeChange(() => this.draw(true));
  }

  get chart(): EChart {
    return this.lanesChart.chart;
  }

  get histogram(): EChart {
    return this.histChart.chart;
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.offScheme();
    this.lanesChart.dispose();
    this.histChart.dispose();
  }

  // Redraws on the next frame (host events come in bursts). `hosts` is read
  // when drawing, not copied per call.
  update(run: Run, hosts: ReadonlyMap<number, RunHost>): void {
    this.run = run;
    this.source = hosts;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw(false);
    });
  }

  // Draws now.
  flush(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw(false);
  }

  private latencyMs(hst: RunHost): number | null {
    if (!this.run || !hst.finished_us || (hst.state !== 'answered' && hst.state !== 'failed')) return null;
    return (hst.finished_us - this.run.created_us) / 1000;
  }

  private sortedHosts(): RunHost[] {
    const hosts = [...this.hosts];
    const name = (x: RunHost) => x.hostname || `#${x.host_id}`;
    if (this.order === 'host') {
      hosts.sort((a, b) => name(a).localeCompare(name(b)) || a.host_id - b.host_id);
    } else if (this.order === 'latency') {
      const lat = (x: RunHost) => this.latencyMs(x) ?? Number.POSITIVE_INFINITY;
      hosts.sort((a, b) => lat(a) - lat(b) || a.host_id - b.host_id);
    } else {
      const t = (x: RunHost) => x.finished_us || x.picked_up_us || Number.MAX_SAFE_INTEGER;
      hosts.sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || t(a) - t(b) || a.host_id - b.host_id);
    }
    return hosts;
  }

  private draw(full: boolean): void {
    const run = this.run;
    if (!run) return;
    this.hosts = [...this.source.values()];
    const p = palette();
    const created = run.created_us;
    const nowUs = Date.now() * 1000;
    const endUs = run.ended_us || nowUs;
    const rel = (us: number) => Math.max(0, (us - created) / 1000);

    const sorted = this.sortedHosts();
    const names = new Map<string, number>();
    for (const x of sorted) names.set(x.hostname, (names.get(x.hostname) ?? 0) + 1);
    this.lanes = [
      { label: 'Submission', host: null },
      ...sorted.map((x) => ({
        label: !x.hostname ? `#${x.host_id}` : (names.get(x.hostname)! > 1 ? `${x.hostname} (#${x.host_id})` : x.hostname),
        host: x,
      })),
    ];

    // Spans: [lane, start ms, end ms, colour key]
    const spans: [number, number, number, string][] = [[0, 0, rel(endUs), 'submission']];
    const marks: Record<MarkKind, [number, number][]> = { picked_up: [], answered: [], failed: [], expired: [], cancelled: [] };
    const submissionMarks: [number, number][] = [[0, 0]];
    if (run.ended_us) submissionMarks.push([rel(run.ended_us), 0]);
    this.lanes.forEach((lane, i) => {
      const x = lane.host;
      if (!x) return;
      const picked = x.picked_up_us ? rel(x.picked_up_us) : null;
      const finished = x.finished_us ? rel(x.finished_us) : null;
      if (picked !== null) {
        spans.push([i, 0, picked, 'wait']);
        marks.picked_up.push([picked, i]);
      }
      if (x.state === 'pending' || x.state === 'picked_up') {
        spans.push([i, picked ?? 0, rel(endUs), x.state]);
      } else if (finished !== null) {
        spans.push([i, picked ?? 0, finished, x.state]);
        marks[x.state as MarkKind].push([finished, i]);
      }
    });

    const colour = (key: string) => (p.state as Record<string, string>)[key] ?? p.muted;
    const needZoom = this.lanes.length > MAX_VISIBLE_LANES;
    const visible = Math.min(this.lanes.length, MAX_VISIBLE_LANES);
    this.laneBox.style.height = `${visible * LANE_PX + 96}px`;

    const tooltip = {
      trigger: 'item',
      confine: true,
      formatter: (params: { seriesId?: string; data: number[] }) => this.tooltip(params.data, params.seriesId ?? ''),
    };
    const series: object[] = [
      {
        id: 'spans',
        type: 'custom',
        name: 'Spans',
        silent: false,
        encode: { x: [1, 2], y: 0 },
        data: spans,
        renderItem: (_params: unknown, api: {
          value(i: number): number; coord(v: number[]): number[]; size(v: number[]): number[];
        }) => {
          const lane = api.value(0);
          const start = api.coord([api.value(1), lane]);
          const end = api.coord([api.value(2), lane]);
          const key = spans[(_params as { dataIndex: number }).dataIndex][3];
          const band = api.size([0, 1])[1];
          const thin = key === 'wait' || key === 'submission' || key === 'pending';
          const hgt = band * (thin ? 0.22 : 0.5);
          return {
            type: 'rect',
            shape: { x: start[0], y: start[1] - hgt / 2, width: Math.max(2, end[0] - start[0]), height: hgt, r: 2 },
            style: { fill: colour(key), opacity: key === 'wait' ? 0.55 : 0.9 },
          };
        },
        z: 1,
      },
      {
        id: 'submitted', type: 'scatter', name: 'Submission', symbol: 'pin', symbolSize: 14,
        itemStyle: { color: p.state.submission }, data: submissionMarks, z: 3,
      },
      ...MARKS.map((m) => ({
        id: `mark-${m.kind}`, type: 'scatter', name: m.name, symbol: m.symbol, symbolSize: m.size,
        itemStyle: { color: colour(m.kind), borderColor: p.surface, borderWidth: 1 },
        data: marks[m.kind], z: 3, large: marks[m.kind].length > 2000,
      })),
    ];

    const laneLabels = this.lanes.map((l) => l.label);
    const update = !full && this.zoomed === needZoom && this.lanesChart.chart.getOption() !== undefined && this.summary.lanes > 0;
    if (update) {
      this.lanesChart.chart.setOption({ yAxis: { data: laneLabels }, series });
    } else {
      const dataZoom: object[] = [
        { type: 'slider', xAxisIndex: 0, height: 16, bottom: 6, filterMode: 'none', labelFormatter: (v: number) => duration(v) },
        { type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'ctrl', moveOnMouseWheel: false },
      ];
      if (needZoom) {
        dataZoom.push(
          { type: 'slider', yAxisIndex: 0, right: 4, width: 14, filterMode: 'weakFilter', startValue: 0, endValue: MAX_VISIBLE_LANES - 1, showDetail: false, zoomLock: false },
          { type: 'inside', yAxisIndex: 0, filterMode: 'weakFilter', zoomOnMouseWheel: false, moveOnMouseWheel: true },
        );
      }
      this.lanesChart.chart.setOption({
        animation: false,
        textStyle: { color: p.text, fontFamily: 'inherit' },
        legend: {
          type: 'scroll', top: 0, left: 0, right: 0, itemWidth: 10, itemHeight: 10, textStyle: { color: p.muted },
          pageTextStyle: { color: p.muted },
          data: ['Submission', ...MARKS.map((m) => m.name)],
        },
        tooltip,
        grid: { left: 8, right: needZoom ? 28 : 12, top: 28, bottom: 30, containLabel: true },
        xAxis: {
          type: 'value', min: 0, axisLabel: { color: p.muted, formatter: (v: number) => `+${duration(v)}` },
          splitLine: { lineStyle: { color: p.grid, opacity: 0.6 } }, axisLine: { lineStyle: { color: p.grid } },
        },
        yAxis: {
          type: 'category', inverse: true, data: laneLabels,
          axisLabel: { color: p.text, width: 150, overflow: 'truncate', interval: 0 },
          axisTick: { show: false }, axisLine: { lineStyle: { color: p.grid } },
          splitLine: { show: true, lineStyle: { color: p.grid, opacity: 0.3 } },
        },
        dataZoom,
        series,
      }, { notMerge: true });
      this.zoomed = needZoom;
    }
    this.laneBox.dataset.lanes = String(this.lanes.length);

    const hist = this.histogramData();
    this.drawHistogram(hist, p);
    this.summary = {
      lanes: this.lanes.length,
      marks: {
        picked_up: marks.picked_up.length, answered: marks.answered.length, failed: marks.failed.length,
        expired: marks.expired.length, cancelled: marks.cancelled.length,
      },
      histogram: hist,
    };
  }

  private histogramData(): Histogram {
    const answers = this.hosts
      .map((x) => ({ ms: this.latencyMs(x), failed: x.state === 'failed' }))
      .filter((v): v is { ms: number; failed: boolean } => v.ms !== null);
    if (answers.length === 0) return { bins: [], counts: [], answered: [], failed: [] };
    const max = Math.max(...answers.map((a) => a.ms));
    // A "nice" bin width giving at most ~16 bins.
    const raw = Math.max(1, max / 16);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const width = [1, 2, 5, 10].map((m) => m * mag).find((w) => w >= raw) ?? 10 * mag;
    const n = Math.max(1, Math.floor(max / width) + 1);
    const answered = new Array<number>(n).fill(0);
    const failed = new Array<number>(n).fill(0);
    for (const a of answers) (a.failed ? failed : answered)[Math.min(n - 1, Math.floor(a.ms / width))]++;
    const bins = answered.map((_, i) => `${duration(i * width)}–${duration((i + 1) * width)}`);
    return { bins, counts: answered.map((v, i) => v + failed[i]), answered, failed };
  }

  private drawHistogram(hist: Histogram, p: Palette): void {
    this.histBox.dataset.answers = String(hist.counts.reduce((a, b) => a + b, 0));
    this.histNote.hidden = hist.counts.length > 0;
    this.histChart.chart.setOption({
      animation: false,
      textStyle: { color: p.text, fontFamily: 'inherit' },
      tooltip: { trigger: 'axis', confine: true },
      grid: { left: 8, right: 12, top: 12, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category', data: hist.bins, axisLabel: { color: p.muted, rotate: 40, fontSize: 10 },
        axisLine: { lineStyle: { color: p.grid } },
      },
      yAxis: {
        type: 'value', minInterval: 1, axisLabel: { color: p.muted },
        splitLine: { lineStyle: { color: p.grid, opacity: 0.6 } },
      },
      series: [
        { id: 'answered', type: 'bar', name: 'answered', stack: 'latency', data: hist.answered, itemStyle: { color: p.state.answered }, barCategoryGap: '8%' },
        { id: 'failed', type: 'bar', name: 'failed', stack: 'latency', data: hist.failed, itemStyle: { color: p.state.failed }, barCategoryGap: '8%' },
      ],
    }, { notMerge: true });
  }

  private tooltip(data: number[], seriesId: string): string {
    const run = this.run;
    if (!run || !data) return '';
    const laneIndex = seriesId === 'spans' ? data[0] : data[1];
    const lane = this.lanes[laneIndex];
    if (!lane) return '';
    const at = (us: number) => (us ? `${clockMs(us)} (+${duration((us - run.created_us) / 1000)})` : '—');
    const rows: [string, string][] = [];
    if (!lane.host) {
      rows.push(['Submitted', clockMs(run.created_us)], ['By', run.submitted_by],
        ['Deadline', at(run.deadline_us)], ['Ended', run.ended_us ? `${at(run.ended_us)} ${run.status}` : 'still running']);
    } else {
      const x = lane.host;
      rows.push(['State', x.state], ['Picked up', at(x.picked_up_us)], ['Finished', at(x.finished_us)]);
      const lat = this.latencyMs(x);
      if (lat !== null) rows.push(['Latency', duration(lat)]);
      if (x.picked_up_us && x.finished_us) rows.push(['On host', duration((x.finished_us - x.picked_up_us) / 1000)]);
      if (x.state === 'answered' || x.state === 'failed') rows.push(['Rows', String(x.rows)]);
      if (x.stats) rows.push(['osquery wall time', `${x.stats.wall_time_ms} ms`]);
      if (x.message) rows.push(['Error', x.message]);
      if (!x.online) rows.push(['Host', 'offline']);
    }
    return `<div class="tt"><b>${escapeHtml(lane.label)}</b>` +
      rows.map(([k, v]) => `<div><span class="tt-k">${escapeHtml(k)}</span> ${escapeHtml(v)}</div>`).join('') + '</div>';
  }
}
