/**
 * An old history.jsonl (10,000 records of 20 jobs) moves into the history
 * database on the first start, once, with the old file kept as a backup;
 * `burrow status` and `burrow history` then say exactly what the
 * journal-era Burrow said about it (test/fixtures/migration/, taken from
 * that code).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyCommand } from '../../electron/cli/commands/history';
import { formatStatus } from '../../electron/cli/output';
import { Engine } from '../../electron/engine/engine';
import { encodeLine } from '../../electron/engine/state/journal';
import { ManualClock } from '../../shared/clock';
import { validateConfig } from '../../shared/config-schema';
import { historyEntries } from '../fixtures/history-gen';
import { SCENARIO } from '../fixtures/migration-scenario';

const GOLDEN = join(import.meta.dirname, '../fixtures/migration');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('migrating a journal into the history database', () => {
  const root = mkdtempSync(join(tmpdir(), 'burrow-migrate-'));
  const dir = join(root, 'burrow');
  const savedEnv = { tz: process.env.TZ, state: process.env.XDG_STATE_HOME };
  let journalText = '';

  beforeAll(() => {
    // The golden answers were taken in UTC with XDG_STATE_HOME pointing here.
    process.env.TZ = 'UTC';
    process.env.XDG_STATE_HOME = root;
    mkdirSync(dir, { recursive: true });
    let n = 0;
    const lines: string[] = [];
    for (const e of historyEntries(SCENARIO.shape)) {
      if (n++ >= SCENARIO.records) break;
      lines.push(encodeLine(e));
    }
    journalText = lines.join('');
    writeFileSync(join(dir, 'history.jsonl'), journalText);
  });

  afterAll(() => {
    process.env.TZ = savedEnv.tz;
    if (savedEnv.state === undefined) delete process.env.XDG_STATE_HOME;
    else process.env.XDG_STATE_HOME = savedEnv.state;
  });

  async function outputs(): Promise<Record<string, string>> {
    const cfg = validateConfig(SCENARIO.config());
    if (!cfg.ok) throw new Error(JSON.stringify(cfg.problems));
    const engine = await Engine.open({ config: cfg.config, stateDir: dir, clock: new ManualClock(SCENARIO.now) });
    const out: Record<string, string> = {};
    out['status.json'] = JSON.stringify(engine.status(), null, 2);
    out['status.txt'] = engine.status().map(formatStatus).join('\n');
    await engine.shutdown();
    for (const [name, values] of Object.entries(SCENARIO.historyCalls)) {
      let s = '';
      const io = { out: (t: string) => (s += t.endsWith('\n') ? t : `${t}\n`), err: () => {}, isTTY: false };
      await historyCommand({ io, configPath: join(root, 'none.json'), values, positionals: [] });
      out[name] = s;
    }
    return out;
  }

  it('answers status and history exactly as the journal did, and keeps the journal as a backup', async () => {
    const out = await outputs();
    const golden = JSON.parse(readFileSync(join(GOLDEN, 'sha256.json'), 'utf8')) as Record<string, string>;
    // The readable ones first, so a difference shows as a diff.
    for (const k of ['status.txt', 'history.txt', 'history-job.txt']) expect(out[k], k).toBe(readFileSync(join(GOLDEN, k), 'utf8'));
    for (const [k, sum] of Object.entries(golden)) expect(sha256(out[k]!), k).toBe(sum);
    const files = readdirSync(dir);
    expect(files).toContain('history.db');
    expect(files).not.toContain('history.jsonl');
    const backup = files.find((f) => f.startsWith('history.jsonl.migrated-'));
    expect(backup).toBeDefined();
    expect(readFileSync(join(dir, backup!), 'utf8')).toBe(journalText);
  });

  it('migrates once: a second start reads the database and leaves the backup alone', async () => {
    const before = readdirSync(dir).filter((f) => f.startsWith('history.jsonl'));
    const out = await outputs();
    expect(sha256(out['status.json']!)).toBe((JSON.parse(readFileSync(join(GOLDEN, 'sha256.json'), 'utf8')) as Record<string, string>)['status.json']);
    expect(readdirSync(dir).filter((f) => f.startsWith('history.jsonl'))).toEqual(before);
    expect(existsSync(join(dir, 'history.jsonl'))).toBe(false);
  });
});
