/**
 * Training metrics drawn with uPlot (a small, fast canvas chart library): one chart per family —
 * loss, token accuracy, and reward for reinforcement fine-tuning — with whatever columns of that
 * family the service reports (train_*, valid_*, full_valid_*). Updated in place as rows arrive.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricRow } from '../runs/training-metrics.js';

const COLORS = ['#1f6feb', '#e36209', '#2da44e', '#8250df', '#cf222e', '#6e7781'];

export const FAMILIES = [
  { id: 'loss', title: 'Loss', match: (c: string) => c.includes('loss') },
  { id: 'accuracy', title: 'Token accuracy', match: (c: string) => c.includes('accuracy') },
  { id: 'reward', title: 'Reward', match: (c: string) => c.includes('reward') },
] as const;

function label(column: string): string {
  return column.replace(/_/g, ' ');
}

export function MetricsChart({ rows, family }: { rows: readonly MetricRow[]; family: (typeof FAMILIES)[number] }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => c !== 'step' && family.match(c)).sort();
  const key = columns.join(',');

  useEffect(() => {
    const element = holder.current;
    if (!element || columns.length === 0) return;
    const width = (): number => Math.max(260, element.clientWidth);
    const options: uPlot.Options = {
      width: width(),
      height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'step' }, { label: family.title.toLowerCase(), size: 56 }],
      series: [{ label: 'step' }, ...columns.map((c, i) => ({ label: label(c), stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true }))],
      legend: { live: true },
    };
    plot.current = new uPlot(options, [[], ...columns.map(() => [])] as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    if (!plot.current) return;
    const data = [rows.map((r) => r.step), ...columns.map((c) => rows.map((r) => r[c] ?? null))] as uPlot.AlignedData;
    plot.current.setData(data);
  });

  if (columns.length === 0) return null;
  return (
    <figure class="chart" data-chart={family.id} data-points={rows.length}>
      <figcaption>
        {family.title} <span class="muted">({rows.length} steps)</span>
      </figcaption>
      <div ref={holder} role="img" aria-label={`${family.title} per step: ${columns.map(label).join(', ')}`} />
    </figure>
  );
}
