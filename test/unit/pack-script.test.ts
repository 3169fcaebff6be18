/**
 * The pack script when its laptop is gone: the channel's pipes are closed,
 * so its first word dies of SIGPIPE. Whatever path it takes then, no
 * half-written `.NAME.partial.PID` may stay behind (a shell killed by a
 * signal it does not trap skips its EXIT trap). Found by the kill -9
 * mid-pack scenario, when the next run's archive was written first.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACK_SCRIPT } from '../../electron/engine/formats/archive/pack';

const SHELLS = ['dash', 'bash'] as const;

/** Runs the pack script under `shell`; with `deadChannel` its stdout and stderr are closed at once, as a vanished laptop's are. */
function pack(
  shell: string,
  dirs: { src: string; holding: string },
  name: string,
  deadChannel: boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  const child = spawn(shell, ['-c', PACK_SCRIPT, 'burrow', dirs.src, dirs.holding, name, 'gzip', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  if (deadChannel) {
    child.stdout.destroy();
    child.stderr.destroy();
  } else child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, out })));
}

function tree(): { src: string; holding: string } {
  const root = mkdtempSync(join(tmpdir(), 'burrow-pack-'));
  const src = join(root, 'projects');
  mkdirSync(join(src, 'a'), { recursive: true });
  for (let i = 0; i < 50; i++) writeFileSync(join(src, 'a', `f${i}.txt`), `file ${i}\n`.repeat(200));
  const holding = join(root, 'holding');
  mkdirSync(holding);
  return { src, holding };
}

describe('the pack script with its channel gone', () => {
  for (const shell of SHELLS) {
    it(`${shell}: the archive already there (the next run wrote it first): nothing partial is left`, async () => {
      const dirs = tree();
      const name = 'projects.20261130.tar.gz';
      const first = await pack(shell, dirs, name, false);
      expect(first.out).toMatch(/^packed 0 \d+ [0-9a-f]{64} /m);
      await pack(shell, dirs, name, true);
      expect(readdirSync(dirs.holding)).toEqual([name]);
    });

    it(`${shell}: a new archive: it is whole under its name and nothing partial is left`, async () => {
      const dirs = tree();
      const name = 'projects.20261201.tar.gz';
      await pack(shell, dirs, name, true);
      expect(readdirSync(dirs.holding)).toEqual([name]);
    });
  }
});
