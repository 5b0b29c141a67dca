import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';

/** One plotted series: its label, and a dash pattern so it reads without colour too. */
export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
  dash?: number[];
}

export interface ChartProps {
  /** Accessible name of the chart; the data is also in a table next to it. */
  label: string;
  /** `time`: x are epoch seconds; `bars`: x are category labels (nested bars, widest first). */
  kind: 'time' | 'bars';
  x: number[];
  categories?: string[];
  series: ChartSeries[];
  height?: number;
}

function options(props: ChartProps, width: number): uPlot.Options {
  const bars = props.kind === 'bars';
  const sizes = [0.9, 0.6, 0.3, 0.15];
  return {
    width, height: props.height ?? 240,
    scales: { x: { time: !bars, ...(bars ? { range: [-0.5, props.x.length - 0.5] as uPlot.Range.MinMax } : {}) } },
    axes: [
      bars ? { values: (_u, splits) => splits.map((i) => props.categories?.[i] ?? ''), incrs: [1], space: 10, gap: 6, size: 60 } : {},
      { label: 'attempts', size: 60 },
    ],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: bars ? 'reason' : 'time', ...(bars ? { value: (_u: uPlot, v: number | null) => (v === null ? '' : props.categories?.[v] ?? '') } : {}) },
      ...props.series.map((s, i) => ({
        label: s.label, stroke: s.color, width: 2,
        ...(bars
          ? { fill: s.color, paths: uPlot.paths.bars!({ size: [sizes[i] ?? 0.1, 80] }), points: { show: false } }
          : { dash: s.dash ?? [], points: { show: true, size: 6 } }),
      })),
    ],
  };
}

/** A uPlot chart that follows its container's width. Drawn on a canvas: pass the same numbers in a table for screen readers. */
export function Chart(props: ChartProps): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(320, Math.floor(el.clientWidth || 640));
    const plot = new uPlot(options(props, width()), [props.x, ...props.series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: props.height ?? 240 }));
    resize.observe(el);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [props]);
  return <figure className="chart"><div ref={box} role="img" aria-label={props.label} /><figcaption>{props.label}</figcaption></figure>;
}
