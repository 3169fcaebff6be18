/**
 * What the desktop shell and `burrow serve` share: the config file's life
 * (missing, invalid, valid), the engine built from it, the live state the
 * UI shows, and one handler per request of the API contract. Neither shell
 * adds logic of its own; they only carry requests and events.
 */
import { EventEmitter } from 'node:events';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AppEvent, AppState, ConfigDocument, Handlers, LiveRun } from '../../../shared/api-contract';
import { validateConfig, type BurrowConfig, type ConfigProblem } from '../../../shared/config-schema';
import { fieldName, problemSentence } from '../../../shared/config-words';
import { systemClock, type Clock } from '../../../shared/clock';
import type { EngineEvent, JobStatus } from '../../../shared/engine-events';
import { applyRunEvent } from '../../../shared/live-runs';
import { writeFileAtomic } from '../atomic-file';
import { browseBackup, initDestination, listBackups, restoreBackup, searchBackups, verifyBackups, type BackupsAccess } from '../archives';
import { findJob } from '../job-lookup';
import { checkJob } from '../check';
import { ConfigError, parseConfigText } from '../config-file';
import { Engine } from '../engine';
import { BurrowError, configProblems } from '../errors';
import { keyLine } from '../ssh/host-key';
import { SshSession } from '../ssh/ssh-session';
import { importSshConfig } from '../ssh-config-import';
import { KeyStore, keyStoreDirFor } from '../keys/key-store';
import { StoreAgentProvider } from '../keys/store-agent-provider';
import { envPassphraseSource } from '../keys/unlocked-keys';
import { DefaultAgentProvider } from '../ssh/auth';
import type { LaptopSource } from '../laptop/laptop-source';
import type { Channel } from '../notify/channel';
import { AppAlerts } from './app-alerts';
import { makeKeyHandlers, rememberingPassphraseSource, type PassphraseMemory } from './key-handlers';
import type { SettingsStore } from './settings-store';

export interface AppServiceOptions {
  configPath: string;
  stateDir: string;
  settings: SettingsStore;
  shell: AppState['shell'];
  clock?: Clock;
  /** Arm the schedule (node-cron and the 30 s tick). Off in tests that drive time themselves. */
  schedule?: boolean;
  /** Starts the demo lab; provided by the CLI where it is available. */
  startDemo?: () => Promise<{ started: boolean; message: string }>;
  /**
   * Where the shell keeps store keys' passphrases between runs, for the key
   * store in `storeDir` (the desktop app: the system keyring). Without it,
   * passphrases come from unlocking in the UI or BURROW_KEY_PASSPHRASE.
   */
  passphraseMemory?: (storeDir: string) => PassphraseMemory;
  /** Environment for BURROW_KEY_PASSPHRASE and SSH_AUTH_SOCK (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The shell's desktop channel for notices (Electron's notifications, or notify-send for `burrow serve`). */
  desktop?: Channel;
  /** Where the laptop's battery and network state come from (Electron's powerMonitor in the app). */
  laptop?: LaptopSource;
  /** Where the alert channels' failures are written (the serve log); the UI shows them in any case. */
  log?: (message: string) => void;
}

/** The key store of the current config and its passphrase memory. */
interface KeyContext {
  store: KeyStore;
  memory?: PassphraseMemory;
}

/** Whole-state pushes come at most this often; the events in between only fold into the live runs. */
export const STATE_PUSH_MS = 100;

/** Engine events after which the jobs' status (not only the live runs) has changed. */
const STATE_CHANGES: ReadonlySet<EngineEvent['type']> = new Set(['run-started', 'run-finished', 'missed', 'caught-up', 'stale', 'schedule', 'queued']);

export class AppService extends EventEmitter<{ event: [AppEvent] }> {
  engine?: Engine;
  private problems: ConfigProblem[] = [];
  private live: Record<string, LiveRun> = {};
  /** The last state built; live runs are folded into it without asking the engine again. */
  private current?: AppState;
  private pushTimer?: NodeJS.Timeout;
  private lastPush = 0;
  /** Start-up is under way: its events (a batch of missed slots, say) end in one push. */
  private batching = false;
  /** One per config path, shared by the engine's agents and the Keys page, so an unlock in the UI serves the runs. */
  private keyContext?: KeyContext;
  readonly handlers: Handlers;
  /** The notifier of the current engine, with the shell's desktop channel. */
  readonly alerts: AppAlerts;

  private constructor(private readonly opts: AppServiceOptions) {
    super();
    this.handlers = this.makeHandlers();
    this.alerts = new AppAlerts({
      desktop: opts.desktop,
      clock: opts.clock ?? systemClock,
      ...(opts.log ? { log: (level: string, m: string) => opts.log!(`${level}: ${m}`) } : {}),
      // A channel's health changed: a state push like any other (coalesced, none mid start-up).
      onStatus: () => this.pushState(),
    });
  }

  /** Points the app at another config and state (the demo's), and reloads. */
  async switchTo(configPath: string, stateDir: string): Promise<void> {
    this.opts.configPath = configPath;
    this.opts.stateDir = stateDir;
    await this.load();
  }

  static async open(opts: AppServiceOptions): Promise<AppService> {
    const svc = new AppService(opts);
    await svc.load();
    return svc;
  }

  /** (Re)reads the config and starts an engine on it, replacing the old one. */
  async load(): Promise<void> {
    await this.engine?.shutdown();
    this.engine = undefined;
    this.alerts.clear();
    this.problems = [];
    let config: BurrowConfig | undefined;
    try {
      const text = await readFile(this.opts.configPath, 'utf8');
      config = parseConfigText(text, this.opts.configPath);
    } catch (err) {
      if (err instanceof ConfigError) this.problems = err.configProblems;
      else if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.problems = [{ field: '(file)', message: (err as Error).message }];
    }
    if (config) {
      const engine = await Engine.open({
        config,
        stateDir: this.opts.stateDir,
        agents: this.agentsFor(this.keys()),
        ...(this.opts.clock ? { clock: this.opts.clock } : {}),
        ...(this.opts.laptop ? { laptop: this.opts.laptop } : {}),
      });
      engine.on('event', (e) => this.onEngineEvent(e));
      // Listening before start-up, which may find missed slots.
      this.alerts.attach(engine, this.opts.schedule !== false);
      this.engine = engine;
      this.batching = true;
      try {
        await engine.scheduler.startUp();
      } finally {
        this.batching = false;
      }
      if (this.opts.schedule !== false) engine.scheduler.arm();
    }
    this.emitState();
  }

  /**
   * Every event goes out as it is; step, tunnel and progress events only fold
   * into the live runs (O(1)); events that change a job's status ask for a
   * whole-state push, coalesced to one per STATE_PUSH_MS.
   */
  private onEngineEvent(e: EngineEvent): void {
    this.live = applyRunEvent(this.live, e);
    this.emit('event', e);
    if (STATE_CHANGES.has(e.type)) this.pushState();
  }

  /** A whole-state push soon: at most one per STATE_PUSH_MS, none during start-up (it ends with one). */
  private pushState(): void {
    if (this.batching || this.pushTimer) return;
    const wait = Math.max(0, this.lastPush + STATE_PUSH_MS - performance.now());
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      this.emitState();
    }, wait);
  }

  private emitState(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    this.lastPush = performance.now();
    this.emit('event', { type: 'state', state: this.state() });
  }

  /**
   * The last state built, with the live runs as they are now: for watchers
   * that redraw on every step or progress event (the tray) without asking
   * the engine for the jobs again.
   */
  cachedState(): AppState {
    return this.current ? { ...this.current, live: this.live } : this.state();
  }

  /** The key store beside the current config (a new one when the config moved, as for the demo). */
  keys(): KeyContext {
    const dir = keyStoreDirFor(this.opts.configPath);
    if (this.keyContext?.store.dir === dir) return this.keyContext;
    const store = new KeyStore({ dir, ...(this.opts.clock ? { clock: this.opts.clock } : {}) });
    const memory = this.opts.passphraseMemory?.(dir);
    this.keyContext = { store, ...(memory ? { memory } : {}) };
    return this.keyContext;
  }

  /** Agents for an engine: `burrow:` hosts from the shared store, the rest from files or the user's ssh-agent. */
  private agentsFor({ store, memory }: KeyContext): StoreAgentProvider {
    const env = this.opts.env ?? process.env;
    return new StoreAgentProvider({
      store,
      passphrases: rememberingPassphraseSource(store, memory, envPassphraseSource(env)),
      fallback: new DefaultAgentProvider(env),
    });
  }

  state(): AppState {
    const engine = this.engine;
    const keyring = this.keys().memory?.status();
    this.current = {
      configured: engine !== undefined && engine.config.jobs.length > 0,
      configPath: this.opts.configPath,
      configProblems: this.problems,
      paused: engine?.history.isPaused() ?? false,
      jobs: engine ? withHosts(engine.status(), engine.config) : [],
      live: this.live,
      settings: this.opts.settings.get(),
      shell: this.opts.shell,
      scheduling: this.opts.schedule !== false,
      ...(keyring ? { keyring } : {}),
      alerts: this.alerts.status(),
    };
    return this.current;
  }

  private backupsAccess(engine: Engine): BackupsAccess {
    return { config: engine.config, history: engine.history, stateDir: engine.stateDir, ...(engine.agents ? { agents: engine.agents } : {}) };
  }

  private requireEngine(): Engine {
    if (!this.engine)
      throw new BurrowError('config', this.problems.length ? 'the config is invalid; fix it in Settings' : 'no config yet; set Burrow up first');
    return this.engine;
  }

  private makeHandlers(): Handlers {
    return {
      getState: async () => this.state(),
      runNow: async ({ job }) => {
        let started;
        try {
          started = await this.requireEngine().startRun(job);
        } catch (err) {
          // Another process holds the job's lock, or the job is unknown: say so, start nothing.
          return { started: false, message: (err as Error).message };
        }
        started.done.catch(() => {});
        return { started: true, runId: started.runId, ...(started.warning ? { warning: started.warning } : {}) };
      },
      cancelRun: async ({ job }) => ({ cancelled: this.requireEngine().cancel(job) }),
      setPaused: async ({ paused }) => {
        await this.requireEngine().scheduler.setPaused(paused);
        return { paused };
      },
      listRuns: async ({ job, status, from, to, before, limit }) =>
        this.engine?.history.pageRuns({
          limit: limit ?? 100,
          ...(job ? { job } : {}),
          ...(status ? { status } : {}),
          ...(from ? { from: new Date(from) } : {}),
          ...(to ? { to: new Date(to) } : {}),
          ...(before ? { before } : {}),
        }) ?? { runs: [] },
      getRun: async ({ id }) => this.engine?.history.getRun(id) ?? null,
      listRunDays: async ({ job, days, tzOffsetMinutes }) => {
        const engine = this.engine;
        if (!engine) return [];
        const from = new Date(engine.clock.now().getTime() - (days ?? 60) * 86_400_000);
        return engine.history.runDays({ from, tzOffsetMinutes: tzOffsetMinutes ?? 0, ...(job ? { job } : {}) });
      },
      check: async ({ job }) => {
        const engine = this.requireEngine();
        const j = engine.config.jobs.find((x) => x.name === job);
        if (!j) throw new BurrowError('config', `no job named "${job}"`);
        return checkJob({ config: engine.config, job: j, ...(engine.agents ? { agents: engine.agents } : {}) });
      },
      getConfig: async () => {
        let document: ConfigDocument | null = null;
        let exists = true;
        try {
          document = JSON.parse(await readFile(this.opts.configPath, 'utf8')) as ConfigDocument;
        } catch (err) {
          exists = (err as NodeJS.ErrnoException).code !== 'ENOENT';
        }
        return { path: this.opts.configPath, exists, document, problems: this.problems };
      },
      saveConfig: async ({ document }) => {
        const result = validateConfig(document);
        if (!result.ok) {
          const [first, ...more] = result.problems;
          const also = more.length ? ` (and ${more.length} more problem${more.length === 1 ? '' : 's'})` : '';
          throw new BurrowError('config', `${problemSentence(first!)}${also}; nothing was saved`, { problems: configProblems(result.problems) });
        }
        if (Object.keys(this.live).length > 0) throw new BurrowError('config', 'a backup is running; save again when it has finished');
        await mkdir(dirname(this.opts.configPath), { recursive: true });
        await keepAsideIfBroken(this.opts.configPath);
        await writeFileAtomic(this.opts.configPath, `${JSON.stringify(document, null, 2)}\n`);
        await this.load();
        return { saved: true };
      },
      fetchHostKey: async ({ hostname, port, name, user }) => {
        // A host of the form's own (no login happens: only the key is read), named as the form names it.
        const probe = name ?? 'host';
        const config = validateConfig({ hosts: { [probe]: { hostname, port, user: user ?? 'burrow' } } });
        if (!config.ok) {
          const problems = config.problems.map((p) => {
            const { label: _label, ...rest } = p;
            return { ...rest, field: p.field.replace(/^hosts\.[^.]+\./, '') };
          });
          throw new BurrowError('config', problems.map((p) => `${fieldName(p.field, p.field)} ${p.message}`).join('; '), {
            problems: configProblems(problems),
          });
        }
        const key = await SshSession.fetchHostKey({ config: config.config, hostName: probe });
        return { type: key.type, fingerprint: key.fingerprint, keyLine: keyLine(key) };
      },
      setSettings: async (patch) => {
        const s = await this.opts.settings.set(patch);
        this.emitState();
        return s;
      },
      importSshHosts: async () => importSshConfig(),
      listBackups: async ({ job }) => {
        const engine = this.requireEngine();
        return listBackups(this.backupsAccess(engine), findJob(engine.config, job));
      },
      browseBackup: async ({ job, backup, path }) => {
        const engine = this.requireEngine();
        return browseBackup(this.backupsAccess(engine), findJob(engine.config, job), backup, path);
      },
      searchBackups: async ({ job, query }) => {
        const engine = this.requireEngine();
        return searchBackups(this.backupsAccess(engine), findJob(engine.config, job), query);
      },
      verifyBackups: async ({ job, names }) => {
        const engine = this.requireEngine();
        return verifyBackups(this.backupsAccess(engine), findJob(engine.config, job), names ? { names } : { all: true });
      },
      listVerifications: async ({ job }) => this.engine?.history.verifyRuns(job) ?? [],
      restoreBackup: async ({ job, backup, paths, toLaptop, toSource, inPlace }) => {
        const engine = this.requireEngine();
        return restoreBackup(this.backupsAccess(engine), findJob(engine.config, job), {
          backup,
          ...(paths ? { paths } : {}),
          ...(toLaptop ? { toLaptop } : {}),
          ...(toSource ? { toSource } : {}),
          inPlace: inPlace === true,
        });
      },
      initDestination: async ({ job, preview }) => {
        const engine = this.requireEngine();
        return initDestination(this.backupsAccess(engine), findJob(engine.config, job), preview === true);
      },
      testChannel: async ({ channel }) => this.alerts.test(channel),
      startDemo: async () =>
        this.opts.startDemo ? this.opts.startDemo() : { started: false, message: 'the demo is only available from `burrow demo` or `burrow serve`' },
      ...makeKeyHandlers({
        store: () => this.keys().store,
        memory: () => this.keys().memory,
        configPath: () => this.opts.configPath,
        config: () => this.engine?.config,
        agents: () => this.engine?.agents,
        configChanged: async () => {
          // A pin written while a backup runs is picked up by the next load; a run is never cut short for it.
          if (Object.keys(this.live).length === 0) await this.load();
        },
      }),
    };
  }

  async shutdown(): Promise<void> {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    await this.engine?.shutdown();
    await this.alerts.close();
  }
}

/** The jobs' status with their source and destination host names, for the window. */
function withHosts(jobs: JobStatus[], config: BurrowConfig): JobStatus[] {
  const hosts = new Map(config.jobs.map((j) => [j.name, { source: j.source, destination: j.destination.host }]));
  return jobs.map((j) => ({ ...j, ...hosts.get(j.job) }));
}

/** A config that does not load is copied aside before a save replaces it, never lost. */
export async function keepAsideIfBroken(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    parseConfigText(text, path);
    return undefined;
  } catch {
    const aside = `${path}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await copyFile(path, aside);
    return aside;
  }
}
