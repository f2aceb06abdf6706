import { useEffect, useId, useRef, useState } from 'react';

/**
 * A small accessible chart: a bar or line chart drawn by chart.js, with the same numbers in a
 * table for screen readers, keyboard users and anyone who prefers figures. chart.js is imported
 * only when a chart is on screen, so it never weighs on the first bundle or on pages without one.
 *
 * `null` in a dataset means "suppressed" (a small number that could identify people): the chart
 * leaves a gap and the table says why.
 */

export type ChartDataset = { label: string; data: (number | null)[] };

export type ChartProps = {
  type: 'bar' | 'line';
  /** One label per point (months, years…). */
  labels: string[];
  datasets: ChartDataset[];
  /** A short title, shown as the figure's caption and used as the table's caption. */
  title: string;
  /** One sentence saying what the chart shows (its trend), read out for the canvas. */
  summary: string;
  /** What a suppressed value shows as in the table. */
  suppressedText?: string;
  /** Formats a value for the table and tooltips (e.g. `v => \`${v} days\``). */
  format?: (value: number) => string;
  /** Whole numbers only on the value axis (the default; counts, days, percentages). */
  integers?: boolean;
  /** The value axis's top (e.g. 100 for percentages); otherwise it fits the data. */
  max?: number;
};

/** Colours with at least 3:1 contrast against the white chart background, told apart by shape too. */
const PALETTE = ['#0b5d5b', '#b34700', '#5b3a8c', '#0a5a8a'] as const;
const DASHES: number[][] = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

type ChartInstance = { destroy(): void };

export function Chart({
  type,
  labels,
  datasets,
  title,
  summary,
  suppressedText = 'Not shown (small number)',
  format = String,
  integers = true,
  max,
}: ChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  const id = useId();
  // Redraw only when what is drawn changes (props are often new arrays with the same content).
  const key = JSON.stringify({ type, labels, datasets, integers, max });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the drawn props
  useEffect(() => {
    let chart: ChartInstance | null = null;
    let live = true;
    (async () => {
      const {
        Chart: ChartJs,
        BarController,
        BarElement,
        CategoryScale,
        Legend,
        LineController,
        LineElement,
        LinearScale,
        PointElement,
        Tooltip,
      } = await import('chart.js');
      if (!live || !canvasRef.current) return;
      ChartJs.register(
        BarController,
        BarElement,
        LineController,
        LineElement,
        PointElement,
        CategoryScale,
        LinearScale,
        Tooltip,
        Legend,
      );
      const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      chart = new ChartJs(canvasRef.current, {
        type,
        data: {
          labels,
          datasets: datasets.map((d, i) => {
            const colour = PALETTE[i % PALETTE.length]!;
            return {
              label: d.label,
              data: d.data,
              backgroundColor: colour,
              borderColor: colour,
              borderWidth: type === 'line' ? 2 : 0,
              borderDash: type === 'line' ? DASHES[i % DASHES.length] : undefined,
              pointRadius: type === 'line' ? 4 : undefined,
              spanGaps: false,
            };
          }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: reduceMotion ? false : { duration: 300 },
          color: '#1d2330',
          scales: {
            x: { ticks: { color: '#1d2330' }, grid: { display: false } },
            y: {
              beginAtZero: true,
              max,
              ticks: {
                color: '#1d2330',
                precision: integers ? 0 : undefined,
                callback: (value) => (typeof value === 'number' ? format(value) : value),
              },
              grid: { color: '#d9d4ca' },
            },
          },
          plugins: {
            legend: { display: datasets.length > 1, labels: { color: '#1d2330' } },
            tooltip: {
              callbacks: {
                label: (item) =>
                  `${item.dataset.label ?? ''}: ${item.raw === null ? suppressedText : format(item.parsed.y ?? 0)}`,
              },
            },
          },
        },
      });
    })().catch(() => {
      if (live) setFailed(true);
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [key]);

  const cell = (value: number | null) => (value === null ? suppressedText : format(value));
  const hasSuppressed = datasets.some((d) => d.data.some((v) => v === null));

  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <span id={`${id}-title`} className="chart-title">
          {title}
        </span>
        <span className="chart-summary">{summary}</span>
      </figcaption>
      {failed ? (
        <p className="muted small">The chart could not be drawn; the figures are in the table below.</p>
      ) : (
        <div className="chart-canvas">
          <canvas ref={canvasRef} role="img" aria-label={`${title}. ${summary}`}>
            {summary}
          </canvas>
        </div>
      )}
      <details className="chart-data" open={failed || undefined}>
        <summary>Show the figures as a table</summary>
        <div className="chart-table-wrap">
          <table className="chart-table">
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="vh">Period</span>
                </th>
                {datasets.map((d) => (
                  <th key={d.label} scope="col" className="chart-num">
                    {d.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((label, row) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {datasets.map((d) => (
                    <td key={d.label} className="chart-num">
                      {cell(d.data[row] ?? null)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {hasSuppressed ? (
          <p className="small muted">
            “{suppressedText}”: the number is small enough that it could point to particular people, so it is
            left out.
          </p>
        ) : null}
      </details>
    </figure>
  );
}
