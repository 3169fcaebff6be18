/**
 * What each listed run sent (bars) and how long it took (dots), over time,
 * coloured by result: a failed run is a red cross, a cancelled one amber.
 * Sizes go on a log axis when they differ a lot. The chart is a picture of
 * the table below it, so it stays out of the Tab order and the
 * accessibility tree; the table is the same data, reachable.
 */
import { Bar, CartesianGrid, Cell, ComposedChart, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunSummary } from '../../../shared/run-types';
import { formatBytes, formatDateTime } from '../lib/format';
import { runSeries, type RunPoint } from '../lib/history-series';
import { runStatusWord } from '../lib/words';

export interface HistoryChartProps {
  /** The runs the table lists (the filters apply to both). */
  runs: readonly RunSummary[];
}

const FILL: Record<RunPoint['status'], string> = {
  succeeded: 'var(--accent)',
  failed: 'var(--error)',
  cancelled: 'var(--warn)',
  running: 'var(--running)',
};

const shortDate = (ms: number) => new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short' });

/** A dot for a run's duration; a cross for a failed run, a hollow ring for a cancelled one. */
function DurationMark(props: { cx?: number; cy?: number; payload?: RunPoint }) {
  const { cx = 0, cy = 0, payload } = props;
  const colour = FILL[payload?.status ?? 'succeeded'];
  if (payload?.status === 'failed') {
    return <path d={`M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx - 5},${cy + 5}L${cx + 5},${cy - 5}`} stroke={colour} strokeWidth={2.5} />;
  }
  if (payload?.status === 'cancelled') return <circle cx={cx} cy={cy} r={5} fill="none" stroke={colour} strokeWidth={2.5} />;
  return <circle cx={cx} cy={cy} r={3.5} fill="var(--line)" />;
}

function RunTip({ active, payload, unit }: { active?: boolean; payload?: { payload: RunPoint }[]; unit: string }) {
  const p = payload?.[0]?.payload;
  if (!active || !p) return null;
  return (
    <div className="chart-tip">
      <strong>{p.job}</strong> {formatDateTime(new Date(p.at).toISOString())}
      <br />
      {runStatusWord(p.status)} · {p.bytes !== undefined ? `${formatBytes(p.bytes)} sent` : 'nothing sent'}
      {p.duration !== undefined ? ` · ${p.duration} ${unit}` : ''}
    </div>
  );
}

/** `history-chart`, or nothing when there is no run to draw (the table says so once). */
export function HistoryChart({ runs }: HistoryChartProps) {
  const { points, unit, logBytes } = runSeries(runs);
  if (points.length === 0) return null;
  return (
    <figure className="chart" data-testid="history-chart" aria-hidden="true">
      <ComposedChart
        responsive
        accessibilityLayer={false}
        data={points}
        style={{ width: '100%', height: 220 }}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
        <XAxis dataKey="at" type="category" tickFormatter={shortDate} tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" minTickGap={24} />
        <YAxis
          yAxisId="bytes"
          scale={logBytes ? 'log' : 'auto'}
          domain={logBytes ? ['auto', 'auto'] : [0, 'auto']}
          allowDataOverflow
          tickFormatter={(v: number) => formatBytes(v)}
          tick={{ fill: 'var(--muted)', fontSize: 12 }}
          stroke="var(--border)"
          width={64}
        />
        <YAxis
          yAxisId="time"
          orientation="right"
          tickFormatter={(v: number) => `${v} ${unit}`}
          tick={{ fill: 'var(--muted)', fontSize: 12 }}
          stroke="var(--border)"
          width={56}
        />
        <Tooltip content={<RunTip unit={unit} />} />
        <Bar yAxisId="bytes" dataKey="bytes" name="sent" isAnimationActive={false} maxBarSize={28}>
          {points.map((p) => (
            <Cell key={p.id} fill={FILL[p.status]} />
          ))}
        </Bar>
        <Scatter yAxisId="time" dataKey="duration" name="duration" shape={<DurationMark />} isAnimationActive={false} />
      </ComposedChart>
      <figcaption className="muted chart-legend">
        <span>
          <i className="swatch swatch-bar" /> sent{logBytes ? ' (log scale)' : ''}
        </span>
        <span>
          <i className="swatch swatch-dot" /> duration
        </span>
        <span>
          <i className="swatch swatch-failed" /> failed
        </span>
        <span>
          <i className="swatch swatch-cancelled" /> cancelled
        </span>
      </figcaption>
    </figure>
  );
}
