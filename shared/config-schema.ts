/**
 * The Burrow configuration file, as a schema. Browser-safe: the settings page
 * validates with the same schema the engine loads the file with, so a message
 * the user sees in the UI is the one `burrow run` would print.
 */
import { z } from 'zod';
import { alertsSchema, metricsSchema } from './alerts-schema';
import { cronProblem, fieldLabel, issueWords } from './config-words';
import { DEFAULT_FORMAT, FORMAT_NAMES, FORMATS } from './formats';

/** Names of hosts and jobs: safe in file names, unit names and log lines. */
/** Host, job and key names: a letter or digit, then letters, digits, `.`, `_` or `-`; at most 64. */
/** What a job that does not say gets: the article's 12:30, and its layout (archives, bzip2). */
export const DEFAULT_SCHEDULE = '30 12 * * *';
export const DEFAULT_COMPRESSION = 'bzip2';
/** Scheduled backups running at once unless the config says otherwise. */
export const DEFAULT_MAX_CONCURRENT_RUNS = 2;

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME = NAME_PATTERN;
const nameSchema = z.string().regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** OpenSSH public key line ("type base64"), as in known_hosts or a .pub file. */
export const PUBLIC_KEY_LINE =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}$/;
/** OpenSSH SHA256 fingerprint, as `ssh-keygen -lf` prints it. */
export const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

const hostKeyPin = z
  .string()
  .trim()
  .refine((s) => PUBLIC_KEY_LINE.test(s) || SHA256_FINGERPRINT.test(s), {
    message: 'must be an OpenSSH public key ("ssh-ed25519 AAAA...") or a "SHA256:..." fingerprint',
  });

/** Absolute POSIX path on a remote host: no control characters, not "/" alone. */
const remoteDir = z
  .string()
  .refine((s) => s.startsWith('/'), { message: 'must be an absolute path (start with "/")' })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'must not contain control characters' })
  .refine((s) => s.replace(/\/+$/, '') !== '', { message: 'must not be the root directory' })
  .refine((s) => !/\/\/|\/\.\.?(\/|$)/.test(s.replace(/\/+$/, '')), {
    message: 'must be a plain absolute path: no "//", "/./" or "/../" (the source key\'s gate compares paths exactly)',
  })
  .transform((s) => s.replace(/\/+$/, ''));

/** Path on the laptop; "~" expands to the home directory when the config is loaded. */
const localPath = z
  .string()
  .min(1)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'must not contain control characters' });

/** A 5-field cron expression; a bad one is told which field and value is wrong (see cronProblem). */
export const cronExpression = z.string().superRefine((s, ctx) => {
  const why = cronProblem(s);
  if (why) ctx.addIssue({ code: 'custom', input: s, message: why });
});

export const hostSchema = z
  .object({
    hostname: z
      .string()
      .min(1)
      .refine((s) => !/[\s\u0000-\u001f]/.test(s), {
        message: 'must not contain spaces or control characters',
      }),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/, 'must be a valid user name'),
    identityFile: localPath.optional(),
    hostKey: hostKeyPin.optional(),
    proxyJump: nameSchema.optional(),
  })
  .strict();

/** What a scheduled run does when the laptop is on battery or on a metered network. */
export const LAPTOP_CHOICES = ['run', 'defer'] as const;

export const compressionSchema = z.enum(['bzip2', 'gzip', 'zstd']);

/** restic/borg-style keep rules; see shared/retention.ts. */
export const retentionSchema = z
  .object({
    keepDaily: z.number().int().min(1).optional(),
    keepWeekly: z.number().int().min(1).optional(),
    keepMonthly: z.number().int().min(1).optional(),
    keepWithin: z
      .string()
      .regex(/^\d+[dwmy]$/, 'must be a duration like 30d, 6w, 12m or 2y')
      .optional(),
  })
  .strict()
  .refine((r) => Object.values(r).some((v) => v !== undefined), { message: 'must have at least one keep rule' });

export const jobSchema = z
  .object({
    name: nameSchema,
    source: nameSchema,
    paths: z.array(remoteDir).min(1),
    holdingDir: remoteDir,
    destination: z
      .object({
        host: nameSchema,
        path: remoteDir,
        rsyncPath: z.string().min(1).optional(),
        /** Keep more at the destination than on the source: deletion there becomes its own prune step. */
        retention: retentionSchema.optional(),
      })
      .strict(),
    tunnelPort: z
      .number()
      .int()
      .refine((p) => p === 0 || (p >= 1024 && p <= 65535), {
        message: 'must be 0 (let the source pick a free port) or 1024-65535',
      })
      .default(0),
    keepDays: z.number().int().min(1).max(36500).default(28),
    /** Replaces keepDays on the source when set. */
    retention: retentionSchema.optional(),
    /** Deletions at the destination beyond what retention explains that the delete guard tolerates. */
    deleteMargin: z.number().int().min(0).default(0),
    /** rsync --max-delete: a second fuse on deletions at the destination. */
    maxDelete: z.number().int().min(0).optional(),
    /**
     * archive: date-stamped compressed tarballs in a holding dir (the original layout);
     * snapshot: the trees themselves into DEST/<job>/<YYYY-MM-DD>/, unchanged files hard-linked.
     */
    format: z.enum(FORMAT_NAMES).default(DEFAULT_FORMAT),
    compression: compressionSchema.default(DEFAULT_COMPRESSION),
    sudo: z.boolean().default(false),
    pack: z.boolean().default(true),
    schedule: cronExpression.default(DEFAULT_SCHEDULE),
    /** Bandwidth limit for rsync on the relayed link, in KiB/s (0 = none). */
    bwlimitKiBps: z.number().int().min(0).default(0),
    /** Laptop awareness: a scheduled or catch-up run on battery power runs, or waits until the laptop is plugged in. */
    onBattery: z.enum(LAPTOP_CHOICES, { error: 'must be run or defer' }).default('run'),
    /** ... on a metered network (NetworkManager's Metered: a phone hotspot, say). */
    onMetered: z.enum(LAPTOP_CHOICES, { error: 'must be run or defer' }).default('run'),
    /** On battery below this charge (percent), a scheduled run waits whatever onBattery says; 0 = no minimum. */
    minBatteryPercent: z.number().int().min(0, 'must be 0 to 100 (percent)').max(100, 'must be 0 to 100 (percent)').default(0),
  })
  .strict();

export const sshSettingsSchema = z
  .object({
    readyTimeoutMs: z.number().int().min(1000).default(20_000),
    keepaliveIntervalMs: z.number().int().min(1000).default(10_000),
    keepaliveCountMax: z.number().int().min(1).default(3),
  })
  .strict();

export const rsyncSettingsSchema = z
  .object({
    /** rsync --timeout: seconds of no I/O before rsync gives up. */
    timeoutSec: z.number().int().min(5).default(120),
  })
  .strict();

export const configSchema = z
  .object({
    version: z.literal(1).default(1),
    hosts: z.record(nameSchema, hostSchema),
    jobs: z.array(jobSchema).default([]),
    ssh: sshSettingsSchema.default({ readyTimeoutMs: 20_000, keepaliveIntervalMs: 10_000, keepaliveCountMax: 3 }),
    rsync: rsyncSettingsSchema.default({ timeoutSec: 120 }),
    /** How many scheduled backups may run at once (one per source host in any case); the rest queue. */
    maxConcurrentRuns: z
      .number({ error: 'must be a number: how many backups may run at once' })
      .int('must be a whole number of backups')
      .min(1, 'must be at least 1 (how many backups may run at once)')
      .max(64, 'must be at most 64 (how many backups may run at once)')
      .default(DEFAULT_MAX_CONCURRENT_RUNS),
    /** Where notices go besides the desktop: e-mail, webhooks, ping URLs per job. */
    alerts: alertsSchema.default({ channels: [] }),
    /** Prometheus `/metrics` in `burrow serve`. */
    metrics: metricsSchema.default({ enabled: false }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [name, host] of Object.entries(cfg.hosts)) {
      if (host.proxyJump !== undefined && !(host.proxyJump in cfg.hosts)) {
        ctx.addIssue({ code: 'custom', path: ['hosts', name, 'proxyJump'], input: host.proxyJump, message: `names no host in "hosts"` });
      }
      if (proxyCycle(cfg.hosts, name)) {
        ctx.addIssue({ code: 'custom', path: ['hosts', name, 'proxyJump'], input: host.proxyJump, message: 'forms a loop of proxyJump hosts' });
      }
    }
    const jobNames = new Set(cfg.jobs.map((j) => j.name));
    cfg.alerts.channels.forEach((c, i) => {
      if (c.type !== 'ping') return;
      for (const job of Object.keys(c.jobs)) {
        if (!jobNames.has(job)) ctx.addIssue({ code: 'custom', path: ['alerts', 'channels', i, 'jobs', job], input: job, message: 'names no job in "jobs"' });
      }
    });
    const seen = new Set<string>();
    cfg.jobs.forEach((job, i) => {
      if (seen.has(job.name)) {
        ctx.addIssue({ code: 'custom', path: ['jobs', i, 'name'], input: job.name, message: 'is used by another job' });
      }
      seen.add(job.name);
      if (!(job.source in cfg.hosts)) {
        ctx.addIssue({ code: 'custom', path: ['jobs', i, 'source'], input: job.source, message: 'names no host in "hosts"' });
      }
      if (!(job.destination.host in cfg.hosts)) {
        ctx.addIssue({ code: 'custom', path: ['jobs', i, 'destination', 'host'], input: job.destination.host, message: 'names no host in "hosts"' });
      }
      cfg.jobs.forEach((other, k) => {
        // An archive job mirrors its destination with --delete (unless the destination keeps its own retention).
        if (k === i || !FORMATS[other.format].mirrorsDestination || other.destination.retention || other.destination.host !== job.destination.host) return;
        const p = job.destination.path;
        if (p === other.destination.path || p.startsWith(`${other.destination.path}/`)) {
          ctx.addIssue({
            code: 'custom',
            path: ['jobs', i, 'destination', 'path'],
            input: p,
            message: `is inside job "${other.name}"'s destination, which its transfer mirrors with --delete: this job's backups would be deleted; use a directory of its own`,
          });
        }
      });
      const bases = new Map<string, number>();
      job.paths.forEach((p, j) => {
        const base = p.slice(p.lastIndexOf('/') + 1);
        if (bases.has(base)) {
          ctx.addIssue({
            code: 'custom',
            path: ['jobs', i, 'paths', j],
            input: p,
            message: `has the same last name "${base}" as paths[${bases.get(base)}], so their archives would collide`,
          });
        }
        bases.set(base, j);
      });
    });
  });

function proxyCycle(hosts: Record<string, { proxyJump?: string | undefined }>, start: string): boolean {
  const visited = new Set<string>();
  let cur: string | undefined = start;
  while (cur !== undefined) {
    if (visited.has(cur)) return true;
    visited.add(cur);
    cur = hosts[cur]?.proxyJump;
  }
  return false;
}

export type BurrowConfig = z.output<typeof configSchema>;
export type BurrowConfigInput = z.input<typeof configSchema>;
export type HostConfig = z.output<typeof hostSchema>;
export type JobConfig = z.output<typeof jobSchema>;
export type Compression = z.output<typeof compressionSchema>;

/** One problem with a config: where it is, what was there, and what is wrong. */
export interface ConfigProblem {
  /** Dotted path such as `jobs[0].tunnelPort`, or `(top level)`. */
  field: string;
  /** The offending value, shown as JSON (truncated), when known. */
  value?: string;
  /** What is wrong and what is allowed, in words: `must be between 1 and 65535`. */
  message: string;
  /** The field as a person knows it: `Host “source”: port` (see shared/config-words.ts). */
  label?: string;
}

export type ConfigResult = { ok: true; config: BurrowConfig } | { ok: false; problems: ConfigProblem[] };

/** Validates parsed JSON; never throws. Messages are in words (shared/config-words.ts), each with its field's label. */
export function validateConfig(data: unknown): ConfigResult {
  const parsed = configSchema.safeParse(data, { reportInput: true, error: issueWords });
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => issueToProblem(issue, data)) };
}

function issueToProblem(issue: z.core.$ZodIssue, data: unknown): ConfigProblem {
  const field = formatPath(issue.path);
  const problem: ConfigProblem = { field, message: issue.message };
  const label = fieldLabel(issue.path, data);
  if (issue.code === 'unrecognized_keys') {
    problem.field = issue.keys.map((k) => joinPath(field, k)).join(', ');
    problem.message = `${issue.keys.length > 1 ? 'are unknown fields' : 'is an unknown field'} (a typing mistake, or a setting of another version?)`;
    const keys = issue.keys.map((k) => `“${k}”`).join(', ');
    problem.label = label ? `${label}: ${keys}` : keys;
    return problem;
  }
  if (label) problem.label = label;
  // A secret's value is never repeated, whatever the issue.
  if (SECRET_KEY.test(String(issue.path[issue.path.length - 1] ?? ''))) return problem;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string') {
    const input = (issue as { input?: unknown }).input;
    const tag = input && typeof input === 'object' ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
    problem.value = tag === undefined ? 'missing' : showValue(tag);
    return problem;
  }
  if ('input' in issue && issue.input !== undefined) problem.value = showValue(issue.input);
  else if (issue.code === 'invalid_type') problem.value = 'missing';
  return problem;
}

/** Fields whose value a message must not show. */
const SECRET_KEY = /^(password|token|secret|passphrase)$/i;

function joinPath(base: string, key: string): string {
  return base === '(top level)' ? formatPath([key]) : base + keyText(key, false);
}

/** A key as it reads in a path: `name`, or `["odd key"]` when it is not a plain word. */
function keyText(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

/** `['jobs', 0, 'paths', 1]` -> `jobs[0].paths[1]`; `['hosts', 'a b']` -> `hosts["a b"]` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  path.forEach((part, i) => {
    if (typeof part === 'number') out += `[${part}]`;
    else if (i === 0 && typeof part === 'string' && !/^[A-Za-z_$][\w$-]*$/.test(part)) out += `[${JSON.stringify(part)}]`;
    else out += keyText(String(part), i === 0);
  });
  return out;
}

function showValue(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * One line per problem, the label first and the path after it:
 * `Job “cvs”: tunnel port must be 0 ... — jobs[0].tunnelPort = 80`; a problem
 * without a label reads `jobs[0].tunnelPort = 80: must be 0 ...`.
 */
export function formatProblems(problems: ConfigProblem[]): string {
  return problems
    .map((p) => {
      const where = `${p.field}${p.value !== undefined ? ` = ${p.value}` : ''}`;
      return p.label ? `${p.label} ${p.message} — ${where}` : `${where}: ${p.message}`;
    })
    .join('\n');
}

export type { AlertsConfig, ChannelConfig, ChannelType, MetricsConfig } from './alerts-schema';
