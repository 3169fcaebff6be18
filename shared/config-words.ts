/**
 * The config schema's verdicts in words a person reads: the one place where
 * zod's issues and cron-parser's errors become sentences, and where a field
 * path gets the label a person knows it by. The schema stays the one source
 * of rules (its bounds are read from the schema itself, never re-spelled);
 * `burrow run`, the engine's refusals and the Settings page all print what
 * this module says. Browser-safe.
 */
import { CronExpressionParser } from 'cron-parser';
import type { z } from 'zod';

/** What each of a cron expression's five fields is called, in order. */
const CRON_FIELDS = ['minute', 'hour', 'day of the month', 'month', 'weekday'] as const;
/** A harmless value for each field, to test one field at a time. */
const CRON_NEUTRAL: readonly string[] = ['0', '0', '1', '1', '*'];

/**
 * Why a cron expression is no schedule, naming the field and the value
 * (`has the minute "61" out of range: it must be 0-59`); undefined when it is one.
 */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; it needs 5: minute, hour, day of the month, month and weekday (such as "30 12 * * *")`;
  }
  for (let i = 0; i < 5; i++) {
    const probe = [...CRON_NEUTRAL];
    probe[i] = fields[i]!;
    const why = cronError(probe.join(' '));
    if (why) return `has the ${CRON_FIELDS[i]} "${fields[i]}" ${why}`;
  }
  // Each field is fine alone; together they may still never match (30 February).
  const whole = cronError(fields.join(' '));
  return whole ? `is not valid: ${whole}` : undefined;
}

/** cron-parser's complaint, reworded; undefined when it parses. */
function cronError(expr: string): string | undefined {
  try {
    CronExpressionParser.parse(expr);
    return undefined;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const range = /expected range (\d+)-(\d+)/.exec(text);
    if (range) return `out of range: it must be ${range[1]}-${range[2]}`;
    if (/Invalid characters/i.test(text)) return 'which is not a number, a range (1-5), a list (1,15), a step (*/5) or *';
    if (/repeat at every 0/i.test(text)) return 'with a step of 0: a step must be 1 or more';
    return `(${text})`;
  }
}

type Issue = z.core.$ZodRawIssue;
interface Bounded {
  minValue?: number | null;
  maxValue?: number | null;
}

/** A bound a person would say aloud (zod fills unbounded ends with ±MAX_SAFE_INTEGER). */
const said = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;

const TYPE_WORDS: Record<string, string> = {
  number: 'must be a number',
  int: 'must be a whole number',
  string: 'must be text',
  boolean: 'must be on or off (true or false)',
  object: 'must be a group of settings (a JSON object)',
  array: 'must be a list',
  record: 'must be a group of named entries (a JSON object: name → settings)',
};

/**
 * zod's error map for the config: an issue the schema gave no words of its
 * own gets plain ones here ("must be between 1 and 65535"), with the bounds
 * read from the schema that raised it. Pass as `safeParse(data, { error })`.
 */
export function issueWords(iss: Issue): string | undefined {
  switch (iss.code) {
    case 'too_big':
    case 'too_small': {
      if (iss.origin === 'number' || iss.origin === 'int') {
        const schema = (iss as { schema?: Bounded }).schema;
        const min = said(schema?.minValue) ? schema.minValue : iss.code === 'too_small' ? Number(iss.minimum) : undefined;
        const max = said(schema?.maxValue) ? schema.maxValue : iss.code === 'too_big' ? Number(iss.maximum) : undefined;
        if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
        return min !== undefined ? `must be ${min} or more` : `must be ${max} or less`;
      }
      const n = Number(iss.code === 'too_small' ? iss.minimum : iss.maximum);
      if (iss.origin === 'array')
        return iss.code === 'too_small' ? (n === 1 ? 'needs at least one entry' : `needs at least ${n} entries`) : `may have at most ${n} entries`;
      if (iss.origin === 'string')
        return iss.code === 'too_small' ? (n === 1 ? 'must not be empty' : `must be at least ${n} characters`) : `must be at most ${n} characters`;
      return undefined;
    }
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      return TYPE_WORDS[iss.expected] ?? `must be ${iss.expected}`;
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${JSON.stringify(iss.values[0])}` : `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return 'is not in the form this field takes';
    case 'invalid_union':
      return 'is none of the kinds this field takes';
    case 'invalid_key': {
      // A record key (a host's name) the key schema refused: its own words, which say what a name may be.
      const inner = (iss as { issues?: { message?: string }[] }).issues?.[0]?.message;
      return inner && /^[a-z]/.test(inner) ? `is not a usable name: it ${inner}` : 'is not a usable name';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(iss.divisor)}`;
    default:
      return undefined;
  }
}

const HOST_FIELDS: Record<string, string> = {
  hostname: 'host name',
  port: 'port',
  user: 'user',
  identityFile: 'identity file',
  hostKey: 'host key',
  proxyJump: 'jump host',
};

const JOB_FIELDS: Record<string, string> = {
  name: 'name',
  source: 'source host',
  paths: 'paths',
  holdingDir: 'holding directory',
  destination: 'destination',
  'destination.host': 'destination host',
  'destination.path': 'destination path',
  'destination.rsyncPath': 'rsync program on the destination',
  'destination.retention': 'retention at the destination',
  tunnelPort: 'tunnel port',
  keepDays: 'days to keep',
  retention: 'retention',
  deleteMargin: 'delete margin',
  maxDelete: 'most deletions per run',
  format: 'storage format',
  compression: 'compression',
  sudo: 'sudo',
  pack: 'pack',
  schedule: 'schedule',
  bwlimitKiBps: 'bandwidth limit',
  onBattery: 'on battery',
  onMetered: 'on a metered network',
  minBatteryPercent: 'lowest battery charge',
};

const RETENTION_FIELDS: Record<string, string> = {
  keepDaily: 'daily backups kept',
  keepWeekly: 'weekly backups kept',
  keepMonthly: 'monthly backups kept',
  keepWithin: 'keep everything within',
};

const TOP_FIELDS: Record<string, string> = {
  'ssh.readyTimeoutMs': 'SSH connect timeout',
  'ssh.keepaliveIntervalMs': 'SSH keepalive interval',
  'ssh.keepaliveCountMax': 'SSH keepalives missed',
  'rsync.timeoutSec': 'rsync timeout',
  maxConcurrentRuns: 'backups at once',
  hosts: 'hosts',
  jobs: 'jobs',
};

/** `“name”`, or the fallback when the name is missing. */
const quoted = (name: unknown, fallback: string) => (typeof name === 'string' && name.trim() !== '' ? `“${name}”` : fallback);

function at(data: unknown, ...keys: PropertyKey[]): unknown {
  let cur = data;
  for (const k of keys) cur = typeof cur === 'object' && cur !== null ? (cur as Record<PropertyKey, unknown>)[k] : undefined;
  return cur;
}

/** The rest of a job's path in words: `paths[1]` is "path 2", `retention.keepDaily` "daily backups kept". */
function jobFieldName(rest: readonly PropertyKey[]): string {
  if (rest[0] === 'paths' && typeof rest[1] === 'number') return `path ${rest[1] + 1}`;
  const retention = rest[0] === 'retention' ? 1 : rest[0] === 'destination' && rest[1] === 'retention' ? 2 : 0;
  if (retention && typeof rest[retention] === 'string') {
    const name = RETENTION_FIELDS[rest[retention] as string] ?? String(rest[retention]);
    return retention === 2 ? `${name} at the destination` : name;
  }
  const key = rest.filter((k) => typeof k === 'string').join('.');
  return JOB_FIELDS[key] ?? key;
}

/**
 * A field path as a person reads it: `hosts.source.port` is `Host “source”:
 * port`, `jobs[0].schedule` is `Job “cvs”: schedule` (the job's name read
 * from the config being checked). Undefined for the top level.
 */
export function fieldLabel(path: readonly PropertyKey[], data?: unknown): string | undefined {
  if (path.length === 0) return undefined;
  const [head, second, ...rest] = path;
  if (head === 'hosts' && typeof second === 'string') {
    const key = rest[0];
    return key === undefined ? `Host “${second}”` : `Host “${second}”: ${HOST_FIELDS[String(key)] ?? String(key)}`;
  }
  if (head === 'jobs' && typeof second === 'number') {
    const job = `Job ${quoted(at(data, 'jobs', second, 'name'), String(second + 1))}`;
    return rest.length === 0 ? job : `${job}: ${jobFieldName(rest)}`;
  }
  if (head === 'alerts' && second === 'channels' && typeof rest[0] === 'number') {
    const channel = at(data, 'alerts', 'channels', rest[0]);
    const channelLabel = `Alert channel ${quoted(at(channel, 'name'), quoted(at(channel, 'type'), String(rest[0] + 1)))}`;
    const fields = rest.slice(1).filter((k) => typeof k === 'string');
    return fields.length === 0 ? channelLabel : `${channelLabel}: ${fields.join(' ')}`;
  }
  const key = path.filter((k) => typeof k === 'string').join('.');
  return `Settings: ${TOP_FIELDS[key] ?? key}`;
}

/** The field's own name, first letter up, from a label: `Host “source”: port` -> `Port`. */
export function fieldName(label: string | undefined, fallback: string): string {
  const cut = label?.lastIndexOf(': ') ?? -1;
  const name = label === undefined ? fallback : cut < 0 ? label : label.slice(cut + 2);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A problem as one sentence for a summary: `Host “source”: port must be between 1 and 65535`. */
export function problemSentence(p: { field: string; label?: string | undefined; message: string }): string {
  return `${p.label ?? p.field} ${p.message}`;
}
