/**
 * Polling helper for lab tests: wait for a condition instead of sleeping for a
 * fixed time.
 */

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Delay between two polls (default 25 ms). */
  intervalMs?: number;
  /** Human readable description used in the timeout error. */
  what: string;
}

/**
 * Poll `cond` until it returns (or resolves to) `true`.
 *
 * The condition is evaluated at least once, even with `timeoutMs: 0`. An
 * exception thrown by the condition is treated as "not yet" and its message is
 * appended to the timeout error.
 *
 * @throws Error `Timed out after N ms waiting for <what>` when the condition
 *   did not become true in time.
 */
export async function waitFor(cond: () => Promise<boolean> | boolean, opts: WaitForOptions): Promise<void> {
  const interval = opts.intervalMs ?? 25;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await cond()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, remaining)));
  }
  const detail = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  throw new Error(`Timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${detail}`);
}
