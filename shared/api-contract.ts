/**
 * The one contract between the UI and the engine: each request with its
 * arguments and result, and the events the UI receives. The preload bridge
 * (Electron IPC), the main-process handlers and the HTTP bridge of
 * `burrow serve` all take their types from here; the argument schemas are
 * what the handlers validate every payload with. Browser-safe.
 */
import { z } from 'zod';
import { unwrapReply, type Reply } from './api-reply';
import type { ChannelStatus, ChannelTestResult } from './channel-status';
import { uiSettingsPatchSchema, type UiSettings } from './ui-settings';
import { NAME_PATTERN, type ConfigProblem } from './config-schema';
import type { EngineEvent, JobStatus } from './engine-events';
import type { FormatName } from './formats';
import { RUN_STATUSES, type RunDay, type RunPage, type RunRecord, type StepRecord, type TransferProgress, type TunnelState } from './run-types';

export type { UiSettings } from './ui-settings';

export interface LiveRun {
  runId: string;
  job: string;
  trigger: string;
  startedAt: string;
  steps: StepRecord[];
  tunnel: { state: TunnelState; port?: number; connections?: number };
  progress?: TransferProgress;
}

export interface AppState {
  /** A valid config with at least one job exists. */
  configured: boolean;
  configPath: string;
  /** Why the config on disk does not load, when it does not. */
  configProblems: ConfigProblem[];
  paused: boolean;
  jobs: JobStatus[];
  /** Runs under way now, by job. */
  live: Record<string, LiveRun>;
  settings: UiSettings;
  /** Where the UI runs: the desktop app, or a browser via `burrow serve`. */
  shell: 'electron' | 'web';
  /** Whether this Burrow fires the schedule (false for `serve --no-schedule` and the demo): a next run is then only what the schedule says. */
  scheduling?: boolean;
  /** Whether key passphrases can be remembered (the desktop app's system keyring); absent where nothing remembers them. */
  keyring?: KeyringStatus;
  /** The alert channels (the desktop's first) and how their deliveries go. */
  alerts?: ChannelStatus[];
}

/** Whether Burrow can remember store keys' passphrases, and if not, why, in words. */
export interface KeyringStatus {
  remembers: boolean;
  /** `gnome_libsecret`, `kwallet5`, `basic_text`, `keychain`, `dpapi`, `none`, ... */
  backend: string;
  /** Shown to the person when passphrases are not remembered. */
  message?: string;
}

/** A key of Burrow's key store as the UI sees it: never any private material. */
export interface KeyView {
  name: string;
  type: string;
  /** `SHA256:...` */
  fingerprint: string;
  comment: string;
  encrypted: boolean;
  /** ISO time the key file was written. */
  created: string;
  /** `type base64 comment`, the line for authorized_keys. */
  publicKeyLine: string;
  /** Decrypted in memory now (until lockKey, its time limit, or the end of the process). */
  unlocked: boolean;
  /** Its passphrase is kept, encrypted, by the system keyring. */
  remembered: boolean;
}

/** A configured host, as the key install form needs it. */
export interface KeyHostView {
  name: string;
  user: string;
  hostname: string;
  port: number;
  /** The host key is pinned in the config (otherwise its fingerprint must be confirmed first). */
  pinned: boolean;
  identityFile?: string;
  /** Backup paths of the jobs whose destination is this host (the default for a destination key). */
  destinationPaths: string[];
  /** Jobs whose source is this host: what its source key's gate admits. */
  sourceJobs: string[];
}

/** Whether a source key's gate admits the config's jobs as they are now. */
export interface GateStatusView {
  /** `none`: no gate guards the host's usual login; `stale`: it no longer matches the config. */
  state: 'none' | 'current' | 'stale';
  changes: string[];
  /** The command that updates it. */
  command: string;
}

/** What updating a gate wrote, and what is left to do by hand. */
export interface GateWriteView {
  jobs: string[];
  warnings: string[];
  /** sudoers lines for jobs with sudo: true. */
  sudoers: string[];
}

export type KeyRole = 'unrestricted' | 'source' | 'destination';

export interface KeysOverview {
  /** The key store directory. */
  dir: string;
  keys: KeyView[];
  hosts: KeyHostView[];
  keyring: KeyringStatus;
}

export interface HopResultView {
  hop: string;
  status: 'pass' | 'fail' | 'skipped';
  cause?: string;
  command: string;
}

export interface HostKeyView {
  type: string;
  fingerprint: string;
  /** `type base64`, what gets pinned. */
  keyLine: string;
}

/** Config as the UI edits it: the JSON file's content. */
export type ConfigDocument = Record<string, unknown>;

/** A saved config; one that does not validate is refused with its problems (ApiError.problems, by field path). */
export type SaveResult = { saved: true };

/** Every request's result; what it takes is its schema in ARG_SCHEMAS. */
export interface ApiResults {
  getState: AppState;
  /** `warning`: the job's laptop rules would have deferred it (on battery, metered network); Run now runs all the same. */
  runNow: { started: boolean; message?: string; runId?: string; warning?: string };
  cancelRun: { cancelled: boolean };
  setPaused: { paused: boolean };
  /** Run summaries, newest first, a page at a time (`before` = the last page's `next`); filters: job, result, start between from and to (ISO). */
  listRuns: RunPage;
  /** A whole run record (steps, log, file lists). */
  getRun: RunRecord | null;
  /** Per day over the last `days` (default 60): bytes sent and the longest run, in the asker's time zone (minutes east of UTC). */
  listRunDays: RunDay[];
  check: HopResultView[];
  getConfig: { path: string; exists: boolean; document: ConfigDocument | null; problems: ConfigProblem[] };
  saveConfig: SaveResult;
  fetchHostKey: HostKeyView;
  setSettings: UiSettings;
  /** Host candidates from ~/.ssh/config, for the welcome page and settings. */
  importSshHosts: { source: string; hosts: ImportedHost[] };
  /** The backups at a job's destination, one row per day, newest first (`burrow backups`). */
  listBackups: BackupRowView[];
  /** One directory of one day's backup (`burrow ls`); `path` '' is the day's top. */
  browseBackup: BackupEntryView[];
  /** Files and directories whose name contains `query`, in every day the destination holds. */
  searchBackups: SearchResultView;
  /** Test-restores stored backups on the destination (all, or the named days); recorded in history. */
  verifyBackups: VerifyResultView[];
  /** `burrow verify` results, newest first. */
  listVerifications: VerificationView[];
  /** Restores files, folders or a whole day to a directory on this machine or on the source (through the tunnel). */
  restoreBackup: RestoredView;
  /** Sets a job's destination up (writes its marker), or with `preview` only says what that would create. */
  initDestination: DestinationSetupView;
  /** Starts `burrow demo` behind this UI: a throw-away lab on loopback and a config for it. */
  startDemo: { started: boolean; message: string };
  /** Burrow's key store: its keys (public parts only), the hosts to install them on, the keyring. */
  listKeys: KeysOverview;
  /** A new ed25519 key, encrypted under the passphrase. */
  generateKey: KeyView;
  /**
   * A private key file (OpenSSH or PEM) copied into the store, encrypted; the file is left alone.
   * `note`: what the import changed beyond copying, e.g. a file with too few KDF rounds stored re-encrypted.
   */
  importKey: KeyView & { note?: string };
  deleteKey: { deleted: string; fingerprint: string };
  /** Decrypts a key into memory, for `minutes` or until locked; `remember` keeps its passphrase in the system keyring. */
  unlockKey: KeyView;
  /** Forgets the decrypted key and any remembered passphrase: the next use asks again. */
  lockKey: KeyView;
  /** Installs a key's public half on a configured host (ssh-copy-id with a one-time password, restricted by role). */
  installKey: { outcome: 'added' | 'present' | 'replaced'; line: string; pinned?: string; hint?: string; gate?: GateWriteView };
  /** Asks the source key's gate on a host (logging in with the host's usual key) whether it admits the jobs as configured. */
  gateStatus: GateStatusView;
  /** Rewrites the gate from the config's jobs, with the host's password (the login `keys install` uses). */
  updateGate: GateWriteView;
  /** A test notice to one alert channel of the saved config (or the desktop), or to all. */
  testChannel: ChannelTestResult[];
}

/** One day's backup at the destination, whatever the format. */
export interface BackupRowView {
  /** What `burrow ls` and `burrow restore` take: the day, YYYY-MM-DD. */
  name: string;
  /** YYYYMMDD */
  stamp: string;
  format: FormatName;
  /** Bytes: the archives' sizes, or a snapshot's files (unchanged ones are hard links, stored once). */
  size: number;
  /** Files in it, where known (a snapshot's manifest; an archive listed once). */
  files?: number;
  /** What changed from the day before, where both days are known. */
  changes?: { added: number; changed: number; removed: number; bytes: number };
  atDestination: boolean;
  /** The archives are still in the source's holding dir (snapshots: never, 'unknown' when the source is out of reach). */
  atSource: boolean | 'unknown';
  verified: 'ok' | 'failed' | 'at transfer' | 'never';
  /** The archive files of that day (archive format). */
  archives?: { name: string; size: number; sha256?: string }[];
}

/** An entry of a backup's tree. */
export interface BackupEntryView {
  /** Relative to the day's top: `projects/sub/data.bin`. */
  path: string;
  name: string;
  type: 'file' | 'dir' | 'link';
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Octal, when recorded. */
  mode?: string;
}

export interface SearchHitView extends BackupEntryView {
  /** The day it is in. */
  backup: string;
}

export interface SearchResultView {
  hits: SearchHitView[];
  /** More matched than are returned. */
  truncated: boolean;
  /** Days that could not be searched, and why (an archive not listed yet, say). */
  notSearched: string[];
}

export interface RestoredView {
  /** The directory restored into (or the archive file written, for a whole archive). */
  path: string;
  /** What was restored, relative to `path`. */
  paths: string[];
  files: number;
  bytes: number;
  /** Files whose content was checked against the checksum recorded when they were sent. */
  checked: number;
  sha256?: string;
  extractedTo?: string;
}

export interface DestinationSetupView {
  /** `HOST:PATH` */
  destination: string;
  /** What setting up creates or writes, in words. */
  creates: string[];
  /** What is there now, in words. */
  found: string;
  /** The marker's content after set-up. */
  marker: string;
  state: 'new' | 'set up' | 'adopted' | 'refused';
  message: string;
}

export interface VerifyResultView {
  name: string;
  ok: boolean;
  problems: string[];
  entries?: number;
}

export interface VerificationView {
  job: string;
  at: string;
  results: { name: string; ok: boolean; problems: string[] }[];
}

export interface ImportedHost {
  name: string;
  hostname: string;
  port: number;
  user?: string;
  identityFile?: string;
  proxyJump?: string;
  /** A pin found in ~/.ssh/known_hosts for it, when there is one. */
  hostKey?: string;
}

export type RequestName = keyof ApiResults;
/** What a caller passes (the schema's input). */
export type ArgsOf<K extends RequestName> = z.input<(typeof ARG_SCHEMAS)[K]>;
/** What a handler receives: the arguments after their schema checked them. */
export type ParsedArgsOf<K extends RequestName> = z.output<(typeof ARG_SCHEMAS)[K]>;
export type ResultOf<K extends RequestName> = ApiResults[K];
export type ApiRequests = { [K in RequestName]: { args: ArgsOf<K>; result: ResultOf<K> } };

/** The engine's side: one handler per request, given checked arguments (app-service.ts implements them). */
export type Handlers = { [K in RequestName]: (args: ParsedArgsOf<K>) => Promise<ResultOf<K>> };

const empty = z.object({}).strict();
const isoTime = z.iso.datetime({ error: 'must be an ISO time such as 2026-11-26T12:30:00Z' });
const jobName = z.string().min(1).max(64);
/** A day (YYYY-MM-DD or YYYYMMDD) or an archive's file name. */
const backupName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !n.includes('/') && n !== '.' && n !== '..', 'must be a day or an archive name, not a path');
/** A path inside a backup: relative, no `.` or `..` parts. */
const backupPath = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (p) => !p.startsWith('/') && p.split('/').every((c) => c !== '' && c !== '.' && c !== '..') && !/[\0]/.test(p),
    'must be a path inside the backup (no leading /, . or ..)',
  );
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/'), 'must be an absolute path');

export const KEY_ROLES = ['unrestricted', 'source', 'destination'] as const satisfies readonly KeyRole[];
/** The shortest passphrase Burrow encrypts a key under (the rule itself: electron/engine/keys/passphrase-floor.ts). */
export const MIN_PASSPHRASE_LENGTH = 12;
/** The longest time limit of an unlock: a week. */
export const MAX_UNLOCK_MINUTES = 7 * 24 * 60;
/** Store key names, as the key store checks them: like host names, never ending in .pub. */
export const KEY_NAME_PATTERN = NAME_PATTERN;
const keyName = z
  .string()
  .regex(KEY_NAME_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
  .refine((n) => !n.endsWith('.pub'), 'must not end in .pub');
const keyComment = z
  .string()
  .max(200)
  .refine((c) => !/[\r\n]/.test(c), 'must be one line');
/** A passphrase or password: its messages never repeat the value. */
const secret = (what: string) =>
  z
    .string({ error: `give ${what} as text` })
    .min(1, `give ${what}`)
    .max(1024, `${what} is longer than 1024 characters`);

/** Every request's argument schema: what the main process and `burrow serve` accept. */
export const ARG_SCHEMAS = {
  getState: empty,
  runNow: z.object({ job: jobName }).strict(),
  cancelRun: z.object({ job: jobName }).strict(),
  setPaused: z.object({ paused: z.boolean() }).strict(),
  listRuns: z
    .object({
      job: jobName.optional(),
      status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
      before: z
        .string()
        .regex(/^\d{1,16}\.\d{1,16}$/, "must be a page's next cursor")
        .optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  listRunDays: z
    .object({
      job: jobName.optional(),
      days: z.number().int().min(1).max(3660).optional(),
      tzOffsetMinutes: z
        .number()
        .int()
        .min(-14 * 60)
        .max(14 * 60)
        .optional(),
    })
    .strict(),
  getRun: z.object({ id: z.string().min(1).max(100) }).strict(),
  check: z.object({ job: jobName }).strict(),
  getConfig: empty,
  saveConfig: z.object({ document: z.record(z.string(), z.unknown()) }).strict(),
  fetchHostKey: z
    .object({
      hostname: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535),
      /** The host's name and user in the form, so a failure names them (no login happens either way). */
      name: z.string().regex(NAME_PATTERN).optional(),
      user: z.string().min(1).max(32).optional(),
    })
    .strict(),
  setSettings: uiSettingsPatchSchema,
  importSshHosts: empty,
  listBackups: z.object({ job: jobName }).strict(),
  browseBackup: z.object({ job: jobName, backup: backupName, path: backupPath.or(z.literal('')) }).strict(),
  searchBackups: z.object({ job: jobName, query: z.string().min(1, 'type part of a name').max(255) }).strict(),
  verifyBackups: z.object({ job: jobName, names: z.array(backupName).max(10_000).optional() }).strict(),
  listVerifications: z.object({ job: jobName.optional() }).strict(),
  restoreBackup: z
    .object({
      job: jobName,
      backup: backupName,
      paths: z.array(backupPath).max(10_000).optional(),
      toLaptop: absolutePath.optional(),
      toSource: absolutePath.optional(),
      inPlace: z.boolean().optional(),
    })
    .strict()
    .refine((a) => (a.toLaptop === undefined) !== (a.toSource === undefined), { message: 'give exactly one of toLaptop and toSource' }),
  initDestination: z.object({ job: jobName, preview: z.boolean().optional() }).strict(),
  startDemo: empty,
  listKeys: empty,
  generateKey: z.object({ name: keyName, comment: keyComment.optional(), passphrase: secret('the passphrase'), remember: z.boolean().optional() }).strict(),
  importKey: z
    .object({
      path: z.string().min(1, 'name the key file').max(4096),
      name: keyName.optional(),
      comment: keyComment.optional(),
      passphrase: secret("the key file's passphrase").optional(),
      storePassphrase: secret('the passphrase to store it under').optional(),
      remember: z.boolean().optional(),
    })
    .strict(),
  deleteKey: z.object({ name: keyName }).strict(),
  unlockKey: z
    .object({
      name: keyName,
      passphrase: secret('the passphrase'),
      minutes: z
        .number()
        .int('must be whole minutes')
        .min(1, 'must be at least 1 minute')
        .max(MAX_UNLOCK_MINUTES, `must be at most ${MAX_UNLOCK_MINUTES} minutes (a week)`)
        .optional(),
      remember: z.boolean().optional(),
    })
    .strict(),
  lockKey: z.object({ name: keyName }).strict(),
  installKey: z
    .object({
      name: keyName,
      host: z.string().min(1, 'name the host').max(64),
      role: z.enum(KEY_ROLES, { error: 'must be unrestricted, source or destination' }),
      password: secret("the host's password"),
      path: z
        .string()
        .min(1)
        .max(4096)
        .refine((p) => p.startsWith('/'), 'must be an absolute path')
        .optional(),
      fingerprint: z
        .string()
        .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:... fingerprint')
        .optional(),
    })
    .strict(),
  gateStatus: z.object({ host: z.string().min(1, 'name the host').max(64) }).strict(),
  updateGate: z.object({ host: z.string().min(1, 'name the host').max(64), password: secret("the host's password") }).strict(),
  testChannel: z.object({ channel: z.string().regex(NAME_PATTERN, 'must be a channel name').optional() }).strict(),
} satisfies { [K in keyof ApiResults]: z.ZodType };

export { REQUEST_NAMES, ipcChannel, EVENT_CHANNEL } from './api-names';
import { REQUEST_NAMES } from './api-names';
export type { ApiError, ApiProblem, Reply } from './api-reply';
export { BridgeError } from './api-reply';

/** What the UI hears: the engine's events, plus "state changed, fetch it again". */
export type AppEvent = EngineEvent | { type: 'state'; state: AppState };

/**
 * The object the renderer talks to, whichever shell it runs in: one method per
 * request, plus a subscription that returns its own unsubscribe function.
 */
export type BurrowBridge = { [K in RequestName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

/**
 * What a shell hands the page (the Electron preload): the same methods, each
 * resolving with the reply envelope as the engine wrote it; the page's
 * bridge (bridgeFromRaw) turns an error reply into a thrown BridgeError.
 */
export type RawBridge = { [K in RequestName]: (args: ArgsOf<K>) => Promise<Reply<ResultOf<K>>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

/** The page's bridge over a raw one: values out, error replies thrown as BridgeError (with their problems). */
export function bridgeFromRaw(raw: RawBridge): BurrowBridge {
  const methods = Object.fromEntries(
    REQUEST_NAMES.map((name) => [name, async (args: unknown) => unwrapReply(await (raw[name] as (a: unknown) => Promise<Reply<unknown>>)(args))]),
  );
  return { ...(methods as Omit<BurrowBridge, 'onEvent'>), onEvent: (listener) => raw.onEvent(listener) };
}
