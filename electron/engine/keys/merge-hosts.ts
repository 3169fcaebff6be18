/**
 * Adds hosts imported from ~/.ssh/config (with their known_hosts pins) to
 * Burrow's config file. Hosts already in the config are never changed; the
 * result is validated before it is written, and the write is atomic, as
 * for a pinned host key.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { ImportedHost } from '../../../shared/api-contract';
import { hostSchema, NAME_PATTERN } from '../../../shared/config-schema';
import { writeFileAtomic } from '../atomic-file';
import { parseConfigText } from '../config-file';
import { BurrowError } from '../errors';

const NAME = NAME_PATTERN;

/** What a merge did with each imported host. */
export interface MergeReport {
  added: string[];
  /** Already in the config: left exactly as they were. */
  kept: string[];
  /** Not added, with the reason. */
  skipped: { name: string; reason: string }[];
  /** Added, but without something the import had (e.g. an unknown proxyJump). */
  notes: string[];
}

type RawConfig = { hosts?: Record<string, Record<string, unknown>>; jobs?: unknown[] } & Record<string, unknown>;

/** The merged config text and what happened to each host; writes nothing. */
export function mergeHostsIntoConfigText(
  text: string | undefined,
  hosts: ImportedHost[],
  defaultUser = userInfo().username,
): { text: string; report: MergeReport } {
  const data: RawConfig = text === undefined ? { hosts: {}, jobs: [] } : (JSON.parse(text) as RawConfig);
  data.hosts ??= {};
  const report: MergeReport = { added: [], kept: [], skipped: [], notes: [] };
  for (const h of hosts) {
    if (h.name in data.hosts) {
      report.kept.push(h.name);
      continue;
    }
    if (!NAME.test(h.name)) {
      report.skipped.push({ name: h.name, reason: 'not a valid Burrow host name' });
      continue;
    }
    const entry: Record<string, unknown> = { hostname: h.hostname, port: h.port, user: h.user ?? defaultUser };
    if (h.identityFile) entry.identityFile = h.identityFile;
    if (h.hostKey) entry.hostKey = h.hostKey;
    if (h.proxyJump && NAME.test(h.proxyJump)) entry.proxyJump = h.proxyJump;
    else if (h.proxyJump) report.notes.push(`${h.name}: ProxyJump ${h.proxyJump} is not a host Burrow knows; left out`);
    const valid = hostSchema.safeParse(entry);
    if (!valid.success) {
      const issue = valid.error.issues[0];
      report.skipped.push({ name: h.name, reason: `${issue?.path.join('.') || 'host'}: ${issue?.message ?? 'invalid'}` });
      continue;
    }
    data.hosts[h.name] = entry;
    report.added.push(h.name);
  }
  // A ProxyJump must name a host in the config (one of ssh's own forms like user@host:port cannot).
  for (const name of report.added) {
    const entry: Record<string, unknown> = data.hosts[name]!;
    if (typeof entry.proxyJump === 'string' && !(entry.proxyJump in data.hosts)) {
      report.notes.push(`${name}: ProxyJump ${entry.proxyJump} is not a host Burrow knows; left out`);
      delete entry.proxyJump;
    }
  }
  return { text: `${JSON.stringify(data, null, 2)}\n`, report };
}

/** Merges into the config file at `configPath` (created when missing). */
export async function mergeHostsIntoConfig(configPath: string, hosts: ImportedHost[]): Promise<MergeReport> {
  const text = await readFile(configPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new BurrowError('config', `cannot read ${configPath}: ${err.message}`);
  });
  let merged;
  try {
    merged = mergeHostsIntoConfigText(text, hosts);
  } catch (err) {
    throw new BurrowError('config', `${configPath} is not valid JSON: ${(err as Error).message}`);
  }
  parseConfigText(merged.text, configPath); // never write a config that would not load
  await mkdir(dirname(configPath), { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath, merged.text);
  return merged.report;
}
