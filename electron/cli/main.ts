/**
 * `burrow <command>`: the engine on the command line. Exit status 0 is
 * success, 1 a failed operation, 2 a usage or config error. `burrow --help`,
 * `burrow help CMD` and `burrow CMD --help` (or `-h`) print usage and exit 0;
 * `burrow --version` prints the version.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BurrowError } from '../engine/errors';
import { defaultConfigPath } from '../engine/paths';
import { KEY_COMMANDS, type CliCommand } from './commands/key-commands';
import { lazy } from './lazy-command';
import { RUN_STATUSES } from '../../shared/run-types';
import { burrowVersion } from './app-root';
import { processIo, type Io } from './output';

export interface CommandContext {
  io: Io;
  configPath: string;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

type Command = CliCommand;

const jobOpt = { job: { type: 'string' }, json: { type: 'boolean' } } as const;

const backups: Command = {
  summary: 'the backups at the destination, one row per day, with what changed (alias: archives)',
  usage: 'burrow backups [--job NAME] [--json]',
  options: jobOpt,
  run: lazy(() => import('./commands/backups'), 'backupsCommand'),
};

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'the tray app; where Electron cannot run, the web UI (serve, or the demo)',
    usage: 'burrow start [--retry-electron] [--port N]',
    options: { port: { type: 'string' }, 'retry-electron': { type: 'boolean' } },
    run: lazy(() => import('./commands/start'), 'startCommand'),
  },
  demo: {
    summary: 'a real backup through a tunnel on a throw-away loopback lab',
    usage: 'burrow demo [--serve] [--keep] [--port N]',
    options: { serve: { type: 'boolean' }, keep: { type: 'boolean' }, port: { type: 'string' } },
    run: lazy(() => import('./commands/demo'), 'demoCommand'),
  },
  run: {
    summary: 'run a backup now; --dry-run only says what it would do',
    usage: 'burrow run [--job NAME] [--json] [--dry-run]',
    options: { ...jobOpt, 'dry-run': { type: 'boolean' } },
    run: lazy(() => import('./commands/run'), 'runCommand'),
  },
  check: {
    summary: 'test each hop on its own',
    usage: 'burrow check [--job NAME] [--json]',
    options: jobOpt,
    run: lazy(() => import('./commands/check'), 'checkCommand'),
  },
  backups,
  archives: { ...backups, summary: 'the same as burrow backups', usage: 'burrow archives [--job NAME] [--json]' },
  ls: {
    summary: "one directory of a day's backup",
    usage: 'burrow ls JOB DAY [PATH] [--json]',
    options: jobOpt,
    run: lazy(() => import('./commands/backups'), 'lsCommand'),
  },
  find: {
    summary: 'where a file or folder is: in which days, what size',
    usage: 'burrow find JOB TEXT [--json]',
    options: jobOpt,
    run: lazy(() => import('./commands/backups'), 'findCommand'),
  },
  verify: {
    summary: 'check stored backups on the destination against the checksums recorded when they were sent',
    usage: 'burrow verify [--job NAME] [--all | --sample N%] [DAY...] [--json]',
    options: { ...jobOpt, all: { type: 'boolean' }, sample: { type: 'string' } },
    run: lazy(() => import('./commands/backups'), 'verifyCommand'),
  },
  restore: {
    summary: 'restore files, folders or a whole day to the laptop or back onto the source',
    usage:
      'burrow restore JOB DAY [PATH...] (--to-laptop DIR | --to-source DIR) [--in-place]\n                   burrow restore ARCHIVE (--to-laptop DIR | --to-source DIR) [--extract] [--in-place] [--job NAME]',
    options: {
      job: { type: 'string' },
      'to-laptop': { type: 'string' },
      'to-source': { type: 'string' },
      extract: { type: 'boolean' },
      'in-place': { type: 'boolean' },
    },
    run: lazy(() => import('./commands/backups'), 'restoreCommand'),
  },
  'init-destination': {
    summary: "set a job's destination up: says what it creates, then writes its marker",
    usage: 'burrow init-destination JOB [--yes] [--dry-run]',
    options: { job: { type: 'string' }, yes: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    run: lazy(() => import('./commands/backups'), 'initDestinationCommand'),
  },
  status: {
    summary: "each job's last success, next run and missed slots",
    usage: 'burrow status [--json]',
    options: { json: { type: 'boolean' } },
    run: lazy(() => import('./commands/status'), 'statusCommand'),
  },
  history: {
    summary: 'past runs, newest first',
    usage: `burrow history [--job NAME] [--status ${RUN_STATUSES.join('|')}] [--since DAY] [--limit N] [--json]`,
    options: { job: { type: 'string' }, status: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    run: lazy(() => import('./commands/history'), 'historyCommand'),
  },
  daemon: {
    summary: 'run the schedule without a desktop',
    usage: 'burrow daemon [--run-now]',
    options: { 'run-now': { type: 'boolean' } },
    run: lazy(() => import('./commands/daemon'), 'daemonCommand'),
  },
  serve: {
    summary: 'the UI and API on 127.0.0.1, with the schedule running',
    usage: 'burrow serve [--port N] [--no-schedule]',
    options: { port: { type: 'string' }, 'no-schedule': { type: 'boolean' } },
    run: lazy(() => import('./commands/serve'), 'serveCommand'),
  },
  'notify-test': {
    summary: 'send a test notice to every alert channel, or to one',
    usage: 'burrow notify-test [CHANNEL] [--json]',
    options: { json: { type: 'boolean' } },
    run: lazy(() => import('./commands/notify-test'), 'notifyTestCommand'),
  },
  'install-service': {
    summary: 'write a systemd user unit for the daemon',
    usage: 'burrow install-service',
    options: {},
    run: lazy(() => import('./commands/install-service'), 'installServiceCommand'),
  },
  ...KEY_COMMANDS,
  hostkey: {
    summary: "show a host's key; --write pins it",
    usage: 'burrow hostkey HOST [--write] [--yes]',
    options: { write: { type: 'boolean' }, yes: { type: 'boolean' } },
    run: lazy(() => import('./commands/hostkey'), 'hostkeyCommand'),
  },
};

/** Every command `burrow` knows, in the order `burrow --help` lists them. */
export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

export { burrowVersion };

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}\n                   ${c.usage}`);
  return (
    `usage: burrow <command> [--config PATH] [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    'burrow help COMMAND or burrow COMMAND --help: one command; burrow --version: the version.\n' +
    'Exit status: 0 success, 1 the operation failed, 2 a usage or config error.\n'
  );
}

function commandUsage(c: Command): string {
  return (
    `usage: ${c.usage}\n\n${c.summary}\n\n` +
    `  --config PATH    the config file (default ${defaultConfigPath()})\n` +
    `  -h, --help       this help\n\nburrow --help lists every command.\n`
  );
}

/** `--help` or `-h` among the options (not after `--`, where it would be an argument). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.out(`burrow ${burrowVersion()}`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.out(usage());
      return 0;
    }
    const about = COMMANDS[topic];
    if (!about) {
      io.err(`burrow help: unknown command "${topic}"\n${usage()}`);
      return 2;
    }
    io.out(commandUsage(about));
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`burrow: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.out(commandUsage(command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, config: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`burrow ${name}: ${(err as Error).message}\nusage: ${command.usage}`);
    return 2;
  }
  const values = parsed.values as CommandContext['values'];
  const configPath = typeof values.config === 'string' ? values.config : defaultConfigPath();
  try {
    return await command.run({ io, configPath, values, positionals: parsed.positionals });
  } catch (err) {
    if (err instanceof BurrowError) {
      io.err(`burrow ${name}: ${err.message}`);
      return err.kind === 'config' ? 2 : 1;
    }
    io.err(`burrow ${name}: internal error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
