/**
 * Hostile input: any JSON as a config, and corrupt config and history
 * files. Nothing crashes, nothing runs on bad input, and nothing is lost.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { validateConfig } from '../../shared/config-schema';
import { keepAsideIfBroken } from '../../electron/engine/app/app-service';
import { ConfigError, loadConfig } from '../../electron/engine/config-file';
import { encodeLine } from '../../electron/engine/state/journal';
import { History } from '../../electron/engine/state/history';
import { scenario } from './report';

const check = scenario('input');

check('any JSON as the config (fast-check, 3000 values)', 'accepted as valid, or rejected with every message naming a field; never a crash', async (note) => {
  let rejected = 0;
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const r = validateConfig(value);
      if (r.ok) return;
      rejected++;
      for (const p of r.problems) expect(p.field.length * p.message.length).toBeGreaterThan(0);
    }),
    { numRuns: 3000, seed: 20261126 },
  );
  note(`${rejected} of 3000 rejected, each problem naming a field`);
});

check('corrupt config and history files', 'a clear error; the corrupt file is kept aside, never overwritten silently', async (note) => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-input-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, '{"hosts": {');
  const err = await loadConfig(config).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  const aside = await keepAsideIfBroken(config);
  expect(readFileSync(aside!, 'utf8')).toBe('{"hosts": {');
  // An old journal with a damaged line: migrated without it, the journal as it was kept.
  const history = join(dir, 'history.jsonl');
  const journal = `${encodeLine({ t: 'pause', paused: true, at: '2026-11-23T10:00:00.000Z' })}not a record\n`;
  writeFileSync(history, journal);
  const warnings: string[] = [];
  const h = await History.open(dir, (m) => warnings.push(m));
  await h.add({ t: 'pause', paused: false, at: '2026-11-23T11:00:00.000Z' });
  expect(h.pauseIntervals()).toHaveLength(1);
  const kept = readdirSync(dir).find((f) => f.startsWith('history.jsonl.migrated-'));
  expect(readFileSync(join(dir, kept!), 'utf8')).toBe(journal);
  expect(warnings[0]).toMatch(/1 damaged line\(s\) skipped .* kept at/);
  note(`config: "${(err as Error).message.split('\n')[1]}"; history: ${warnings[0]}`);
});
