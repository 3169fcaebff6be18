/**
 * Electronegativity (Doyensec's Electron security scanner) over the main
 * process, the preload and the renderer: no high-severity finding may exist.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TOOL = join(ROOT, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
const ELECTRON = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;

/** Scans the given directories as one application (its global checks need main and renderer together). */
async function scan(dirs: string[]): Promise<string[][]> {
  const work = mkdtempSync(join(tmpdir(), 'burrow-en-'));
  for (const d of dirs) cpSync(join(ROOT, d), join(work, 'app', d), { recursive: true });
  const out = join(work, 'report.csv');
  await promisify(execFile)(process.execPath, [TOOL, '-i', join(work, 'app'), '-e', ELECTRON, '-o', out, '-v', 'false'], { timeout: 120_000 });
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
}

describe('electronegativity', () => {
  it('finds nothing of high severity in the main process, the preload and the renderer', async () => {
    const findings = await scan(['electron/main', 'electron/preload', 'renderer']);
    const high = findings.filter((f) => f[1] === 'HIGH' || f[1] === 'CRITICAL');
    expect(high.map((f) => `${f[0]} ${f[3]}:${f[4]}`)).toEqual([]);
  }, 120_000);

  it('does flag a window without context isolation (the scan is live)', async () => {
    const findings = await scan(['test/unit/fixtures/insecure-electron']);
    expect(findings.some((f) => f[0] === 'CONTEXT_ISOLATION_JS_CHECK' && f[1] === 'HIGH')).toBe(true);
  }, 120_000);
});
