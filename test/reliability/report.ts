/**
 * The reliability suite reports each scenario it ran: what it promises
 * (the invariant) and what happened. `npm test` turns the rows into
 * docs/reliability.md, so that table holds no hand-written claims.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, it } from 'vitest';

export const ROWS_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'reliability');

interface Row {
  scenario: string;
  invariant: string;
  result: 'pass' | 'fail' | 'skipped';
  detail: string;
}

type Body = (note: (detail: string) => void) => Promise<void>;

/** Declares a scenario: a test whose outcome lands in the report, with what it measured. */
export function scenario(file: string) {
  const rows: Row[] = [];
  afterAll(() => {
    mkdirSync(ROWS_DIR, { recursive: true });
    writeFileSync(join(ROWS_DIR, `${file}.json`), JSON.stringify(rows, null, 2));
  });
  /** A scenario that only runs where `skipReason` is undefined; otherwise skipped with the reason printed. */
  const run = (name: string, invariant: string, fn: Body, timeoutMs = 120_000, skipReason?: string) => {
    if (skipReason !== undefined) {
      console.warn(`skipping "${name}": ${skipReason}`);
      rows.push({ scenario: name, invariant, result: 'skipped', detail: skipReason });
    }
    return it.skipIf(skipReason !== undefined)(
      name,
      async () => {
        let detail = '';
        try {
          await fn((d) => (detail = d));
          rows.push({ scenario: name, invariant, result: 'pass', detail });
        } catch (err) {
          rows.push({ scenario: name, invariant, result: 'fail', detail: (err as Error).message.split('\n')[0] ?? '' });
          throw err;
        }
      },
      timeoutMs,
    );
  };
  return run;
}
