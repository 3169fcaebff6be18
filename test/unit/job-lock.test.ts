import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireJobLock, LockHeldError } from '../../electron/engine/state/job-lock';

describe('the job lock', () => {
  it('lets one holder in and names it to the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-lock-'));
    const held = await acquireJobLock(dir, 'daily', 'run (manual)');
    const err = await acquireJobLock(dir, 'daily', 'run (schedule)').catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.message).toContain(`already running in process ${process.pid}`);
    await held.release();
    const again = await acquireJobLock(dir, 'daily', 'run (schedule)');
    await again.release();
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-lock-'));
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((r) => child.once('exit', () => r(child.pid!)));
    writeFileSync(
      join(dir, 'daily.lock'),
      JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), purpose: 'run', since: 'x', token: 'old' }),
    );
    const held = await acquireJobLock(dir, 'daily', 'run (manual)');
    expect(held.tookOverFrom?.pid).toBe(deadPid);
    expect(JSON.parse(readFileSync(join(dir, 'daily.lock'), 'utf8')).pid).toBe(process.pid);
    await held.release();
  });
});
