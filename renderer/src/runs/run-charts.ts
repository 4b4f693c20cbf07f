/** uPlot options for the Runs view's charts: shared axes and series styling, per-chart extras. */
import uPlot from 'uplot';
import { middleEllipsis } from '../lib/format.js';
import type { ChartTheme } from './chart-theme.js';
import { vendorColour } from './chart-theme.js';
import type { ChartData, SeriesDef } from './run-series.js';

type Options = Omit<uPlot.Options, 'width' | 'height'>;

const FONT = '11px system-ui, sans-serif';

function axis(theme: ChartTheme, label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: theme.muted,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    font: FONT,
    labelFont: FONT,
    label,
    labelSize: 16,
    labelGap: 2,
    ...extra,
  };
}

const DASHED = [6, 4];
const DOTTED = [2, 3];

/** The legend's marker drawn as its line is: dashed for a compared run, dotted for in flight. */
const LEGEND: uPlot.Legend = {
  live: false,
  markers: {
    dash: (u, i) => {
      const dash = u.series[i]?.dash;
      if (!dash || dash.length === 0) return 'solid';
      return dash[0] === DOTTED[0] ? 'dotted' : 'dashed';
    },
  },
};

const fromZero: uPlot.Scale.Range = (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];

export function seriesColour(theme: ChartTheme, vendors: readonly string[], s: SeriesDef): string {
  if (s.vendor === null) {
    if (s.label.startsWith('errors')) return theme.errors;
    if (s.label.startsWith('timeouts')) return theme.timeouts;
    if (s.label.startsWith('retries')) return theme.retries;
    return theme.target;
  }
  return vendorColour(theme, vendors, s.vendor);
}

function lineSeries(theme: ChartTheme, vendors: readonly string[], s: SeriesDef): uPlot.Series {
  const stroke = seriesColour(theme, vendors, s);
  return {
    label: s.label,
    stroke,
    width: s.vendor === null && !s.compared ? 2.5 : 2,
    ...(s.compared ? { dash: DASHED } : s.dotted ? { dash: DOTTED } : {}),
    points: { show: true, size: 5, stroke, fill: theme.bg },
    spanGaps: true,
  };
}

export function aligned(data: ChartData): uPlot.AlignedData {
  return [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData;
}

/** x: the concurrency of each step (log-spaced: 5, 20, 50, 100 read evenly), labelled at the steps. */
export function stepOptions(
  theme: ChartTheme,
  data: ChartData,
  vendors: readonly string[],
  yLabel: string,
  yRange?: uPlot.Scale.Range,
): Options {
  const min = Math.min(...data.x);
  const max = Math.max(...data.x);
  return {
    scales: {
      x: { time: false, distr: 3, log: 10, range: () => [min / 1.35, max * 1.35] },
      y: { range: yRange ?? fromZero },
    },
    axes: [
      axis(theme, 'concurrency', {
        size: 30,
        splits: () => data.x,
        // A log scale's default filter keeps the powers of ten only; every step is labelled here.
        filter: (_u, splits) => splits,
        values: (_u, vals) => vals.map((v) => String(v)),
      }),
      axis(theme, yLabel, { size: 48 }),
    ],
    series: [{ label: 'concurrency' }, ...data.series.map((s) => lineSeries(theme, vendors, s))],
    legend: LEGEND,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
  };
}

/** x: seconds since the run started; a dashed line where each step begins, named by its concurrency. */
export function timeOptions(
  theme: ChartTheme,
  data: ChartData,
  vendors: readonly string[],
  yLabel: string,
  starts: { t: number; concurrency: number }[],
): Options {
  const right = data.series.find((s) => s.right !== undefined)?.right;
  return {
    scales: {
      x: { time: false },
      y: { range: fromZero },
      ...(right !== undefined ? { right: { range: fromZero } } : {}),
    },
    axes: [
      axis(theme, 'seconds since start', { size: 30 }),
      axis(theme, yLabel, { size: 48 }),
      ...(right !== undefined
        ? [axis(theme, right, { side: 1, scale: 'right', size: 48, grid: { show: false } })]
        : []),
    ],
    series: [
      { label: 't' },
      ...data.series.map((s) => ({
        ...lineSeries(theme, vendors, s),
        points: { show: false },
        ...(s.right !== undefined ? { scale: 'right' } : {}),
      })),
    ],
    legend: LEGEND,
    cursor: { drag: { x: false, y: false } },
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const ratio = devicePixelRatio || 1;
          ctx.save();
          ctx.strokeStyle = theme.muted;
          ctx.fillStyle = theme.muted;
          ctx.setLineDash([3 * ratio, 3 * ratio]);
          ctx.lineWidth = ratio;
          ctx.font = `${10 * ratio}px system-ui, sans-serif`;
          ctx.textBaseline = 'top';
          for (const s of starts) {
            const x = Math.round(u.valToPos(s.t, 'x', true));
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(`×${s.concurrency}`, x + 3 * ratio, u.bbox.top + 2 * ratio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

export interface CostBar {
  id: string;
  usd: number;
  role: 'shown' | 'compared' | 'other';
}

/** One bar per run, oldest first; the shown and the compared run in their own colours. */
export function costData(bars: CostBar[]): uPlot.AlignedData {
  const pick = (role: CostBar['role']) => bars.map((b) => (b.role === role ? b.usd : null));
  return [bars.map((_b, i) => i), pick('other'), pick('shown'), pick('compared')];
}

export function costOptions(theme: ChartTheme, bars: CostBar[]): Options {
  const paths = uPlot.paths.bars?.({ size: [0.6, 40], align: 0 });
  const bar = (label: string, colour: string): uPlot.Series => ({
    label,
    stroke: colour,
    fill: colour,
    width: 0,
    ...(paths ? { paths } : {}),
    points: { show: false },
  });
  return {
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(0, bars.length - 1) + 0.5] },
      y: { range: fromZero },
    },
    axes: [
      axis(theme, 'run', {
        size: 30,
        splits: () => bars.map((_b, i) => i),
        values: (_u, vals) => vals.map((v) => middleEllipsis(bars[v]?.id ?? '', 13)),
        grid: { show: false },
      }),
      axis(theme, 'USD', {
        size: 56,
        values: (_u, vals) => vals.map((v) => `$${v > 0 && v < 0.1 ? v.toFixed(3) : v.toFixed(2)}`),
      }),
    ],
    series: [
      { label: 'run' },
      bar('other runs', theme.muted),
      bar('shown', theme.bar),
      bar('compared', theme.barCompared),
    ],
    legend: LEGEND,
    cursor: { drag: { x: false, y: false }, points: { show: false } },
  };
}
