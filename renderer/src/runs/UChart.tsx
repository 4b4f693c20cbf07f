/**
 * One uPlot chart in a card: built for the container's width and rebuilt when the theme or the
 * data change; resized (not rebuilt) when its container changes width.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { usePrefersDark } from '../hooks/useColorScheme.js';
import { chartTheme, type ChartTheme } from './chart-theme.js';

export const CHART_HEIGHT = 200;

export interface UChartProps {
  title: string;
  testId: string;
  data: uPlot.AlignedData;
  /** Everything but the size; called again for a theme change. */
  options: (theme: ChartTheme) => Omit<uPlot.Options, 'width' | 'height'>;
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string | null;
  note?: string;
}

function widthOf(el: HTMLElement): number {
  return Math.max(160, Math.floor(el.clientWidth));
}

export function UChart({ title, testId, data, options, empty, note }: UChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const dark = usePrefersDark();

  useEffect(() => {
    const el = host.current;
    if (!el || empty) return;
    const chart = new uPlot(
      { ...options(chartTheme(dark)), width: widthOf(el), height: CHART_HEIGHT },
      data,
      el,
    );
    let last = widthOf(el);
    const observer = new ResizeObserver(() => {
      const width = widthOf(el);
      if (width === last) return;
      last = width;
      chart.setSize({ width, height: CHART_HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [data, options, dark, empty]);

  return (
    <figure className="run-chart" data-testid={testId}>
      <figcaption>
        {title}
        {note && <span className="muted"> · {note}</span>}
      </figcaption>
      {empty ? (
        <p className="muted run-chart-empty">{empty}</p>
      ) : (
        <div className="run-chart-plot" ref={host} />
      )}
    </figure>
  );
}
