/**
 * Bytes sent per day (bars) and how long the day's longest run took (line),
 * for the history page.
 */
import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunDay } from '../../../shared/run-types';
import { dailySeries } from '../lib/history-series';

export interface HistoryChartProps {
  /** Per-day totals from the engine (every run of those days, not only the ones listed). */
  days: readonly RunDay[];
}

/** `history-chart`: a chart when there are runs, a sentence when there are none. */
export function HistoryChart({ days }: HistoryChartProps) {
  const { points, unit } = dailySeries(days);
  if (points.length === 0) {
    return (
      <div className="chart chart-empty" data-testid="history-chart">
        <p className="muted">No runs yet: the chart fills in as backups run.</p>
      </div>
    );
  }
  return (
    <figure className="chart" data-testid="history-chart">
      <ComposedChart responsive data={points} style={{ width: '100%', height: 220 }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
        <XAxis dataKey="day" tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" />
        <YAxis yAxisId="mb" tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" width={48} unit=" MB" />
        <YAxis yAxisId="time" orientation="right" tick={{ fill: 'var(--muted)', fontSize: 12 }} stroke="var(--border)" width={48} unit={` ${unit}`} />
        <Tooltip contentStyle={{ background: 'var(--surface)', borderColor: 'var(--border)', color: 'var(--text)' }} />
        <Legend />
        <Bar yAxisId="mb" dataKey="sentMB" name="MB sent" fill="var(--accent)" isAnimationActive={false} />
        <Line yAxisId="time" dataKey="duration" name={`Longest run (${unit})`} stroke="var(--line)" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
      </ComposedChart>
      <figcaption className="muted">Bytes sent per day, and the longest run of each day (the last 60 days).</figcaption>
    </figure>
  );
}
