// ECharts, tree-shaken: only the series, components and renderer the UI draws
// with (bar, pie and line for results; custom + scatter for the timeline).
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent, GridComponent, LegendComponent, TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, CustomChart, LineChart, PieChart, ScatterChart,
  DataZoomComponent, GridComponent, LegendComponent, TooltipComponent,
  CanvasRenderer,
]);

export { echarts };
export type EChart = echarts.ECharts;
export type EChartsCoreOption = echarts.EChartsCoreOption;

// Colours from the page's CSS variables, so charts follow light and dark mode.
export interface Palette {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  accent: string;
  series: string[];
  state: Record<'pending' | 'picked_up' | 'answered' | 'failed' | 'expired' | 'cancelled' | 'wait' | 'submission', string>;
}

export function palette(): Palette {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: v('--text'),
    muted: v('--muted'),
    grid: v('--line'),
    surface: v('--surface'),
    accent: v('--accent'),
    series: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => v(`--series-${i}`)),
    state: {
      pending: v('--st-pending'),
      picked_up: v('--st-picked'),
      answered: v('--st-answered'),
      failed: v('--st-failed'),
      expired: v('--st-expired'),
      cancelled: v('--st-cancelled'),
      wait: v('--st-wait'),
      submission: v('--accent'),
    },
  };
}

const schemeListeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');
media.addEventListener('change', () => schemeListeners.forEach((l) => l()));

// Runs `l` when the colour scheme changes; returns the unsubscribe function.
export function onSchemeChange(l: () => void): () => void {
  schemeListeners.add(l);
  return () => schemeListeners.delete(l);
}

// An ECharts instance bound to `el` that follows the element's size.
export function mountChart(el: HTMLElement): { chart: EChart; dispose(): void } {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  return {
    chart,
    dispose() {
      observer.disconnect();
      chart.dispose();
    },
  };
}
