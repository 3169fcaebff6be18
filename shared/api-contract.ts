/**
 * The one contract between the UI and the engine: each request with its
 * arguments and result, and the events the UI receives. The preload bridge
 * (Electron IPC), the main-process handlers and the HTTP bridge of
 * `burrow serve` all take their types from here; the argument schemas are
 * what the handlers validate every payload with. Browser-safe.
 */
import { z } from 'zod';
import type { ConfigProblem } from './config-schema';
import type { EngineEvent, JobStatus } from './engine-events';
import type { RunRecord, StepRecord, TransferProgress, TunnelState } from './run-types';

export interface UiSettings {
  /** No pop-up notifications at all (events still show in the window and tray). */
  quiet: boolean;
  notifySuccess: boolean;
  startAtLogin: boolean;
}

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

export type SaveResult = { ok: true } | { ok: false; problems: ConfigProblem[] };

export interface ApiRequests {
  getState: { args: Record<string, never>; result: AppState };
  runNow: { args: { job: string }; result: { started: boolean; message?: string; runId?: string } };
  cancelRun: { args: { job: string }; result: { cancelled: boolean } };
  setPaused: { args: { paused: boolean }; result: { paused: boolean } };
  listRuns: { args: { job?: string; limit?: number }; result: RunRecord[] };
  getRun: { args: { id: string }; result: RunRecord | null };
  check: { args: { job: string }; result: HopResultView[] };
  getConfig: { args: Record<string, never>; result: { path: string; exists: boolean; document: ConfigDocument | null; problems: ConfigProblem[] } };
  saveConfig: { args: { document: ConfigDocument }; result: SaveResult };
  fetchHostKey: { args: { hostname: string; port: number }; result: HostKeyView };
  setSettings: { args: Partial<UiSettings>; result: UiSettings };
  /** Host candidates from ~/.ssh/config, for the welcome page and settings. */
  importSshHosts: { args: Record<string, never>; result: { source: string; hosts: ImportedHost[] } };
  /** The archives at a job's destination, and where else each exists. */
  listArchives: { args: { job: string }; result: ArchiveRowView[] };
  /** Test-restores archives on the destination (all, or the named ones); recorded in history. */
  verifyArchives: { args: { job: string; names?: string[] }; result: VerifyResultView[] };
  /** `burrow verify` results, newest first. */
  listVerifications: { args: { job?: string }; result: VerificationView[] };
  /** Restores one archive to a directory on this machine or on the source (through the tunnel). */
  restoreArchive: {
    args: { job: string; archive: string; toLaptop?: string; toSource?: string; extract?: boolean };
    result: { path: string; sha256: string; extractedTo?: string };
  };
  /** Starts `burrow demo` behind this UI: a throw-away lab on loopback and a config for it. */
  startDemo: { args: Record<string, never>; result: { started: boolean; message: string } };
}

export interface ArchiveRowView {
  name: string;
  stamp: string;
  size: number;
  atDestination: boolean;
  atSource: boolean | 'unknown';
  verified: 'ok' | 'failed' | 'at transfer' | 'never';
  sha256?: string;
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

export type RequestName = keyof ApiRequests;
export type ArgsOf<K extends RequestName> = ApiRequests[K]['args'];
export type ResultOf<K extends RequestName> = ApiRequests[K]['result'];

const empty = z.object({}).strict();
const jobName = z.string().min(1).max(64);

/** Every request's argument schema: what the main process and `burrow serve` accept. */
export const ARG_SCHEMAS: { [K in RequestName]: z.ZodType<ArgsOf<K>> } = {
  getState: empty as z.ZodType<Record<string, never>>,
  runNow: z.object({ job: jobName }).strict(),
  cancelRun: z.object({ job: jobName }).strict(),
  setPaused: z.object({ paused: z.boolean() }).strict(),
  listRuns: z.object({ job: jobName.optional(), limit: z.number().int().min(1).max(5000).optional() }).strict() as z.ZodType<ArgsOf<'listRuns'>>,
  getRun: z.object({ id: z.string().min(1).max(100) }).strict(),
  check: z.object({ job: jobName }).strict(),
  getConfig: empty as z.ZodType<Record<string, never>>,
  saveConfig: z.object({ document: z.record(z.string(), z.unknown()) }).strict(),
  fetchHostKey: z.object({ hostname: z.string().min(1).max(255), port: z.number().int().min(1).max(65535) }).strict(),
  setSettings: z
    .object({ quiet: z.boolean().optional(), notifySuccess: z.boolean().optional(), startAtLogin: z.boolean().optional() })
    .strict() as z.ZodType<Partial<UiSettings>>,
  importSshHosts: empty as z.ZodType<Record<string, never>>,
  listArchives: z.object({ job: jobName }).strict(),
  verifyArchives: z.object({ job: jobName, names: z.array(z.string().min(1).max(255)).max(10_000).optional() }).strict() as z.ZodType<ArgsOf<'verifyArchives'>>,
  listVerifications: z.object({ job: jobName.optional() }).strict() as z.ZodType<ArgsOf<'listVerifications'>>,
  restoreArchive: z
    .object({
      job: jobName,
      archive: z.string().min(1).max(255),
      toLaptop: z.string().min(1).max(4096).optional(),
      toSource: z.string().min(1).max(4096).optional(),
      extract: z.boolean().optional(),
    })
    .strict()
    .refine((a) => (a.toLaptop === undefined) !== (a.toSource === undefined), { message: 'give exactly one of toLaptop and toSource' }) as z.ZodType<ArgsOf<'restoreArchive'>>,
  startDemo: empty as z.ZodType<Record<string, never>>,
};

export { REQUEST_NAMES, ipcChannel, EVENT_CHANNEL } from './api-names';

/** What the UI hears: the engine's events, plus "state changed, fetch it again". */
export type AppEvent = EngineEvent | { type: 'state'; state: AppState };

/**
 * The object the renderer talks to, whichever shell it runs in: one method per
 * request, plus a subscription that returns its own unsubscribe function.
 */
export type BurrowBridge = { [K in RequestName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};
