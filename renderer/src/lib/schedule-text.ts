/**
 * Cron expressions in words, for the schedule preview. Whether an expression
 * is valid is the config schema's call (the engine uses the same one); this
 * only phrases it.
 */
import cronstrue from 'cronstrue';

/** The schedule a job gets when its config leaves `schedule` out. */
export { DEFAULT_SCHEDULE } from '../../../shared/config-schema';

/**
 * `"30 12 * * *"` -> `"At 12:30 PM (every day at 12:30)"`. Undefined when
 * cronstrue cannot read it.
 */
export function describeSchedule(expr: string): string | undefined {
  let words: string;
  try {
    words = cronstrue.toString(expr, { throwExceptionOnParseError: true, use24HourTimeFormat: false, verbose: false });
  } catch {
    return undefined;
  }
  const daily = dailyTime(expr);
  return daily ? `${words} (every day at ${daily})` : words;
}

/** The schedule in a few words: `"daily at 12:30"`, else cronstrue's words; undefined when unreadable. */
export function shortSchedule(expr: string): string | undefined {
  const daily = dailyTime(expr);
  if (daily) return `daily at ${daily}`;
  const words = describeSchedule(expr);
  return words ? words.charAt(0).toLowerCase() + words.slice(1) : undefined;
}

/** `"HH:MM"` when the expression fires once a day at a fixed time. */
function dailyTime(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return undefined;
  const [minute, hour, dom, month, dow] = parts as [string, string, string, string, string];
  if (dom !== '*' || month !== '*' || dow !== '*') return undefined;
  if (!/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour)) return undefined;
  const h = Number(hour);
  const m = Number(minute);
  if (h > 23 || m > 59) return undefined;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
