/**
 * The current time, re-read every `everyMs` so "3 h ago" and a running
 * step's elapsed time stay true while the window is open. Display only: no
 * schedule depends on it.
 */
import { useEffect, useState } from 'react';

/** `Date.now()`, refreshed every `everyMs` milliseconds (never when `everyMs` is 0). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (everyMs <= 0) return undefined;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
