/**
 * Shared pieces of the engine's lab tests: a Burrow config pointing at a lab,
 * sample trees, and a byte-and-permission snapshot of a directory tree.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateConfig, type BurrowConfig } from '../../shared/config-schema';
import type { RunEvent, RunRecord } from '../../shared/run-types';
import { BackupRun, type RunOptions } from '../../electron/engine/backup-run';
import type { Clock } from '../../shared/clock';
import type { Lab } from '../../electron/lab/lab';
import type { BackupsAccess } from '../../electron/engine/archives';
import type { Engine } from '../../electron/engine/engine';

/** What `burrow backups`, `ls`, `verify` and `restore` need, from an engine. */
export function accessOf(engine: Engine): BackupsAccess {
  return { config: engine.config, history: engine.history, stateDir: engine.stateDir, ...(engine.agents ? { agents: engine.agents } : {}) };
}

export interface JobOverrides {
  [key: string]: unknown;
}

/** A config with hosts source, destination and proxy from the lab and one job "daily". */
export function labConfig(
  lab: Lab,
  job: JobOverrides = {},
  extra: { hosts?: Record<string, object>; rsync?: object; ssh?: object; alerts?: object; metrics?: object } = {},
): BurrowConfig {
  const r = validateConfig(labConfigDocument(lab, job, extra));
  if (!r.ok) throw new Error(`bad test config: ${JSON.stringify(r.problems)}`);
  return r.config;
}

/** The same config as the JSON a config file holds (for a `burrow` process to read). */
export function labConfigDocument(
  lab: Lab,
  job: JobOverrides = {},
  extra: { hosts?: Record<string, object>; rsync?: object; ssh?: object; alerts?: object; metrics?: object } = {},
): Record<string, unknown> {
  const host = (h: Lab['source']) => ({
    hostname: h.address,
    port: h.port,
    user: h.user,
    identityFile: lab.clientKey.privateKeyPath,
    hostKey: h.hostKeyLine,
  });
  const raw = {
    hosts: { source: host(lab.source), destination: host(lab.destination), proxy: host(lab.proxy), ...extra.hosts },
    jobs: [
      {
        name: 'daily',
        source: 'source',
        paths: [join(lab.source.home, 'data', 'projects')],
        holdingDir: join(lab.source.home, 'holding'),
        destination: { host: 'destination', path: join(lab.destination.home, 'backups') },
        ...job,
      },
    ],
    ssh: { readyTimeoutMs: 5000, keepaliveIntervalMs: 2000, keepaliveCountMax: 3, ...extra.ssh },
    rsync: { timeoutSec: 30, ...extra.rsync },
    ...(extra.alerts ? { alerts: extra.alerts } : {}),
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
  };
  return raw;
}

/** Writes a small tree with varied permissions, a symlink, an empty dir and an awkward name. */
export function writeSampleTree(dir: string, seed = 1, bytes = 40_000): void {
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(dir, 'empty'), { recursive: true });
  writeFileSync(join(dir, 'README'), `tree ${seed}\n`);
  writeFileSync(join(dir, 'sub', 'data.bin'), pseudoRandom(bytes, seed));
  writeFileSync(join(dir, 'sub', 'deeper', 'it\'s "quoted" $(x).txt'), 'awkward\n');
  writeFileSync(join(dir, 'secret'), 'mode 600\n');
  chmodSync(join(dir, 'secret'), 0o600);
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'run.sh'), 0o750);
  chmodSync(join(dir, 'sub', 'deeper'), 0o710);
  symlinkSync('sub/data.bin', join(dir, 'link'));
}

/** Deterministic incompressible bytes. */
export function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let block = createHash('sha256').update(String(seed)).digest();
  for (let i = 0; i < n; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export interface Entry {
  type: 'file' | 'dir' | 'link';
  mode: number;
  uid: number;
  sha256?: string;
  target?: string;
}

/** Every entry below dir with its type, mode, owner and content hash. */
export function snapshotTree(dir: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (p: string) => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      const st = lstatSync(full);
      const rel = relative(dir, full);
      const base = { mode: st.mode & 0o7777, uid: st.uid };
      if (st.isSymbolicLink()) out[rel] = { type: 'link', ...base, target: readlinkSync(full) };
      else if (st.isDirectory()) {
        out[rel] = { type: 'dir', ...base };
        walk(full);
      } else out[rel] = { type: 'file', ...base, sha256: createHash('sha256').update(readFileSync(full)).digest('hex') };
    }
  };
  walk(dir);
  return out;
}

/** Names and mtimes of the files in a directory: what "unchanged" means for the destination. */
export function listing(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir)) out[name] = lstatSync(join(dir, name)).mtimeMs;
  return out;
}

/** The visible names in a directory (not Burrow's marker or rsync's hidden temporaries). */
export function visible(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort();
}

export function extract(archive: string, into: string): void {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', into, '--same-permissions', '--same-owner']);
}

/** Runs a job, collecting its events. */
export async function runJob(
  config: BurrowConfig,
  opts: {
    clock?: Clock;
    signal?: AbortSignal;
    onEvent?: (e: RunEvent) => void;
    beforeStep?: RunOptions['beforeStep'];
    priorSuccess?: boolean;
    dryRun?: boolean;
  } = {},
): Promise<{ record: RunRecord; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const run = new BackupRun({ config, job: config.jobs[0]!, ...opts });
  run.on('event', (e) => {
    events.push(e);
    opts.onEvent?.(e);
  });
  const record = await run.start();
  return { record, events };
}

/** Local midday N days after a fixed Thursday, for clocks that replay days. */
export function day(n: number, hour = 12, minute = 30): Date {
  return new Date(2026, 10, 26 + n, hour, minute);
}
