/**
 * The schedule picker's model: the common schedules (every day at a time,
 * weekdays at a time, every hour at a minute) as cron expressions and back.
 * Anything else is "custom" and edited as cron. Pure.
 */
export type ScheduleMode = 'daily' | 'weekdays' | 'hourly' | 'custom';

export interface PickedSchedule {
  mode: ScheduleMode;
  /** `HH:MM` for daily and weekdays. */
  time: string;
  /** 0-59 for hourly. */
  minute: number;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Which picker mode an expression is, with its time or minute (12:30 when it has none). */
export function pickSchedule(expr: string): PickedSchedule {
  const f = expr.trim().split(/\s+/);
  const num = (s: string | undefined, max: number) => (s !== undefined && /^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : undefined);
  const minute = num(f[0], 59);
  const hour = num(f[1], 23);
  const fallback = { time: '12:30', minute: minute ?? 30 };
  if (f.length !== 5 || minute === undefined || f[2] !== '*' || f[3] !== '*') return { mode: 'custom', ...fallback };
  if (f[1] === '*' && f[4] === '*') return { mode: 'hourly', time: fallback.time, minute };
  if (hour === undefined) return { mode: 'custom', ...fallback };
  const time = `${two(hour)}:${two(minute)}`;
  if (f[4] === '*') return { mode: 'daily', time, minute };
  if (f[4] === '1-5') return { mode: 'weekdays', time, minute };
  return { mode: 'custom', ...fallback };
}

/** The cron expression of a picked schedule; undefined for custom (the cron text is kept as typed). */
export function cronOf(p: PickedSchedule): string | undefined {
  const [h, m] = p.time.split(':').map(Number);
  const hm = Number.isInteger(h) && Number.isInteger(m) ? `${m} ${h}` : '30 12';
  switch (p.mode) {
    case 'daily':
      return `${hm} * * *`;
    case 'weekdays':
      return `${hm} * * 1-5`;
    case 'hourly':
      return `${p.minute} * * * *`;
    default:
      return undefined;
  }
}
