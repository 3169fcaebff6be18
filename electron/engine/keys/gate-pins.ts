/**
 * What the source key's gate may admit, pinned from the config at install
 * time: for every job whose source is the host, the directories it reads
 * and writes there, how it packs, whether it may use `sudo -n`, and the
 * shape of its transfer (the destination's user, path, rsync path and host
 * key). The gate compiles these into exact comparisons; Burrow compares
 * them with the config before every run, so a config that moved on is
 * noticed before a command is refused half-way through a run.
 */
import { createHash } from 'node:crypto';
import type { BurrowConfig, Compression, JobConfig } from '../../../shared/config-schema';
import { FORMATS } from '../../../shared/formats';

/** One job's allowances on its source host. */
export interface JobPins {
  name: string;
  format: JobConfig['format'];
  /** The directories the job reads (packs or sends), exactly as configured. */
  paths: string[];
  /** Where archives are written, pruned and sent from; null for a snapshot job (it has none). */
  holdingDir: string | null;
  /** The compression of the job's archives; null for a snapshot job. */
  compression: Compression | null;
  /** The job packs (a job with pack: false only sends what someone else put in the holding dir). */
  pack: boolean;
  /** Packing may run tar with `sudo -n`. */
  sudo: boolean;
  destination: {
    user: string;
    path: string;
    rsyncPath: string | null;
    /** The destination's pinned host key or fingerprint; the per-run known_hosts must hold it. */
    hostKey: string | null;
  };
}

export interface GatePins {
  v: 1;
  jobs: JobPins[];
}

/** The allowances of one job, in a fixed key order. */
export function jobPins(config: BurrowConfig, job: JobConfig): JobPins {
  const dest = config.hosts[job.destination.host];
  const { usesHoldingDir, compresses } = FORMATS[job.format];
  return {
    name: job.name,
    format: job.format,
    paths: [...job.paths],
    holdingDir: usesHoldingDir ? job.holdingDir : null,
    compression: compresses ? job.compression : null,
    pack: usesHoldingDir && job.pack,
    sudo: usesHoldingDir && job.pack && job.sudo,
    destination: {
      user: dest?.user ?? '',
      path: job.destination.path,
      rsyncPath: job.destination.rsyncPath ?? null,
      hostKey: dest?.hostKey ?? null,
    },
  };
}

/** Every job of the config whose source is `hostName`, pinned. */
export function gatePinsFor(config: BurrowConfig, hostName: string): GatePins {
  return {
    v: 1,
    jobs: config.jobs
      .filter((j) => j.source === hostName)
      .map((j) => jobPins(config, j))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** The pins as the one line the gate carries and answers with. */
export function pinsJson(pins: GatePins): string {
  return JSON.stringify(pins);
}

export const pinsHash = (pins: GatePins) => createHash('sha256').update(pinsJson(pins)).digest('hex').slice(0, 16);

/** Reads pins back from the gate's answer; undefined when they are not in the shape written here. */
export function parsePins(text: string): GatePins | undefined {
  try {
    const p = JSON.parse(text) as GatePins;
    return p && p.v === 1 && Array.isArray(p.jobs) ? p : undefined;
  } catch {
    return undefined;
  }
}

const FIELDS: [string, (p: JobPins) => unknown][] = [
  ['format', (p) => p.format],
  ['paths', (p) => p.paths],
  ['holdingDir', (p) => p.holdingDir],
  ['compression', (p) => p.compression],
  ['pack', (p) => p.pack],
  ['sudo', (p) => p.sudo],
  ['destination user', (p) => p.destination.user],
  ['destination.path', (p) => p.destination.path],
  ['destination.rsyncPath', (p) => p.destination.rsyncPath],
  ["the destination's host key", (p) => p.destination.hostKey],
];

const show = (v: unknown) => (v === null ? 'unset' : Array.isArray(v) ? v.join(', ') : String(v));

/**
 * What differs between the config's pins and the gate's, in words, one
 * line per difference; only for `job` when given. Empty when they agree.
 */
export function describePinChanges(expected: GatePins, installed: GatePins, job?: string): string[] {
  const names = job ? [job] : [...new Set([...expected.jobs, ...installed.jobs].map((j) => j.name))].sort();
  const out: string[] = [];
  for (const name of names) {
    const want = expected.jobs.find((j) => j.name === name);
    const have = installed.jobs.find((j) => j.name === name);
    if (!want && have) {
      out.push(`job ${name} is pinned in the gate but no longer uses this source`);
      continue;
    }
    if (want && !have) {
      out.push(`job ${name} is not pinned in the gate`);
      continue;
    }
    if (!want || !have) continue;
    for (const [field, get] of FIELDS) {
      const [a, b] = [get(want), get(have)];
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`job ${name}: ${field} is ${show(a)} in the config but ${show(b)} in the gate`);
    }
  }
  return out;
}
