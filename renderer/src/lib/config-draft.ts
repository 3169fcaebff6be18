/**
 * The config document as the settings page edits it. Hosts are a record keyed
 * by name in the file, but a form needs stable identities while a name is
 * being typed, so the draft keeps hosts and jobs as lists with ids and turns
 * back into the file's shape for validation and saving. Pure and DOM-free.
 */
import { NEW_JOB_COMPRESSION, NEW_JOB_FORMAT } from '../../../shared/formats';
import type { ConfigDocument, ImportedHost } from '../../../shared/api-contract';
import { DEFAULT_SCHEDULE, type ConfigProblem } from '../../../shared/config-schema';

export type Fields = Record<string, unknown>;

export interface HostDraft {
  uid: number;
  name: string;
  fields: Fields;
}

export interface JobDraft {
  uid: number;
  job: Fields;
}

export interface ConfigDraft {
  /** Top-level keys the form does not edit (version, ssh, rsync...), kept as they were. */
  rest: Fields;
  hosts: HostDraft[];
  jobs: JobDraft[];
}

let lastUid = 0;
const nextUid = () => ++lastUid;

/** A plain JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a config document into the editable draft. A missing document starts empty. */
export function draftFromDocument(doc: ConfigDocument | null | undefined): ConfigDraft {
  const { hosts, jobs, ...rest } = doc ?? {};
  return {
    rest: doc ? rest : { version: 1 },
    hosts: isRecord(hosts) ? Object.entries(hosts).map(([name, fields]) => ({ uid: nextUid(), name, fields: isRecord(fields) ? { ...fields } : {} })) : [],
    jobs: Array.isArray(jobs) ? jobs.map((job) => ({ uid: nextUid(), job: isRecord(job) ? { ...job } : {} })) : [],
  };
}

/** The draft in the file's shape, ready for `validateConfig` and `saveConfig`. */
export function documentFromDraft(draft: ConfigDraft): ConfigDocument {
  return {
    ...draft.rest,
    hosts: Object.fromEntries(draft.hosts.map((h) => [h.name, h.fields])),
    jobs: draft.jobs.map((j) => j.job),
  };
}

/**
 * What the schema cannot see because the file's shape hides it: two hosts
 * with one name collapse into one key, so the form has to say so itself.
 */
export function draftProblems(draft: ConfigDraft): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const h of draft.hosts) {
    if (seen.has(h.name)) problems.push({ field: `hosts.${h.name}`, value: JSON.stringify(h.name), message: 'is the name of another host too' });
    seen.add(h.name);
  }
  return problems;
}

/**
 * A copy of `obj` with `key` set, or removed when the value is empty, so an
 * optional field left blank falls back to its default instead of failing.
 */
export function withField(obj: Fields, key: string, value: unknown): Fields {
  const out = { ...obj };
  if (value === undefined || value === '') delete out[key];
  else out[key] = value;
  return out;
}

/** A number input's text as the schema wants it: blank means "use the default". */
export function parseNumberInput(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  // Keep what was typed when it is not a number, so the schema names the mistake.
  return Number.isFinite(n) ? n : t;
}

/** Paths typed one per line; blank lines are ignored. */
export function parseLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** `base`, or `base2`, `base3`... whichever is not taken yet. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base}${i}`)) return `${base}${i}`;
}

/** A new, empty host entry with a free name. */
export function newHost(draft: ConfigDraft): HostDraft {
  return {
    uid: nextUid(),
    name: uniqueName(
      'host',
      draft.hosts.map((h) => h.name),
    ),
    fields: { hostname: '', user: '' },
  };
}

/**
 * A new job wired to the first two hosts, with the default schedule spelled
 * out, and the storage the benchmark found best (docs/performance.md):
 * snapshots, and gzip --rsyncable should the user switch to archives. A
 * config that names no format keeps the original's archives and bzip2.
 */
export function newJob(draft: ConfigDraft): JobDraft {
  const [first, second] = draft.hosts;
  const taken = draft.jobs.map((j) => (typeof j.job.name === 'string' ? j.job.name : ''));
  return {
    uid: nextUid(),
    job: {
      name: uniqueName('backup', taken),
      source: first?.name ?? '',
      paths: [],
      holdingDir: '',
      destination: { host: second?.name ?? first?.name ?? '', path: '' },
      schedule: DEFAULT_SCHEDULE,
      format: NEW_JOB_FORMAT,
      compression: NEW_JOB_COMPRESSION,
    },
  };
}

/**
 * Renames a host and the jobs and proxy jumps that name it. References move
 * only while the rename is unambiguous (the old name was this host's alone and
 * the new one is free); otherwise they stay put and validation points at them.
 */
export function renameHost(draft: ConfigDraft, uid: number, name: string): ConfigDraft {
  const host = draft.hosts.find((h) => h.uid === uid);
  if (!host) return draft;
  const old = host.name;
  const others = draft.hosts.filter((h) => h.uid !== uid);
  const follow = old !== name && !others.some((h) => h.name === old || h.name === name);
  const move = (ref: unknown) => (follow && ref === old ? name : ref);
  return {
    ...draft,
    hosts: draft.hosts.map((h) => {
      const fields = 'proxyJump' in h.fields ? { ...h.fields, proxyJump: move(h.fields.proxyJump) } : h.fields;
      return h.uid === uid ? { ...h, name, fields } : { ...h, fields };
    }),
    jobs: follow
      ? draft.jobs.map((j) => {
          const job: Fields = { ...j.job, source: move(j.job.source) };
          if (isRecord(j.job.destination)) job.destination = { ...j.job.destination, host: move(j.job.destination.host) };
          return { ...j, job };
        })
      : draft.jobs,
  };
}

/** A host from ~/.ssh/config in the config file's shape (blank optional fields left out). */
export function hostFieldsFromImport(h: ImportedHost): Fields {
  let fields: Fields = { hostname: h.hostname, port: h.port };
  fields = withField(fields, 'user', h.user);
  fields = withField(fields, 'identityFile', h.identityFile);
  fields = withField(fields, 'proxyJump', h.proxyJump);
  return withField(fields, 'hostKey', h.hostKey);
}

/**
 * Adds imported hosts to a config document. A name already in the document
 * keeps its entry: the user may have edited it, and the import must not undo that.
 */
export function mergeImportedHosts(
  doc: ConfigDocument | null | undefined,
  imported: readonly ImportedHost[],
): { document: ConfigDocument; added: string[]; skipped: string[] } {
  const base: ConfigDocument = doc ? { ...doc } : { version: 1, hosts: {}, jobs: [] };
  const hosts: Fields = isRecord(base.hosts) ? { ...base.hosts } : {};
  const added: string[] = [];
  const skipped: string[] = [];
  for (const h of imported) {
    if (Object.hasOwn(hosts, h.name)) {
      skipped.push(h.name);
      continue;
    }
    hosts[h.name] = hostFieldsFromImport(h);
    added.push(h.name);
  }
  return { document: { ...base, hosts }, added, skipped };
}
