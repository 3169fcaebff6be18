/**
 * `burrow check`: the article's "run the pieces by hand", automated. Each hop
 * is tested on its own and reported with its cause and the command a person
 * could paste to reproduce it. A hop whose prerequisite failed is skipped.
 */
import type { JobConfig } from '../../shared/config-schema';
import { systemClock } from '../../shared/clock';
import { createRunContext, newRunRecord, type RunOptions } from './backup-run';
import { toRunError } from './errors';
import { shScript } from './shell-quote';
import { SshSession, lastLine } from './ssh/ssh-session';
import { RSYNC_VERSION_SCRIPT, sshCommandFor } from './steps/commands';
import { teardownStep } from './steps/teardown';
import { tunnelSshArgv, writeSourceKnownHosts } from './tunnel-rsync';
import { tunnelStep } from './steps/tunnel';
import { checkSourceGate, connectSource, gateQueryCommand, openDestination } from './steps/connect';

export type HopName =
  | 'laptop -> source'
  | 'source gate'
  | 'laptop -> destination'
  | 'forward bind on source'
  | 'source -> destination through the tunnel'
  | 'destination path writable'
  | 'rsync on source'
  | 'rsync on destination';

export interface HopResult {
  hop: HopName;
  status: 'pass' | 'fail' | 'skipped';
  cause?: string;
  /** What a person could paste to try this hop by hand. */
  command: string;
}

const WRITABLE_SCRIPT = '[ -d "$1" ] || { echo "$1 does not exist" >&2; exit 1; }; [ -w "$1" ] || { echo "$1 is not writable by $(id -un)" >&2; exit 1; }';
const RSYNC_SCRIPT = 'command -v "$1" >/dev/null 2>&1 || { echo "$1 not found in PATH ($PATH)" >&2; exit 127; }; "$1" --version | head -n 1';

export async function checkJob(opts: Omit<RunOptions, 'job' | 'trigger'> & { job: JobConfig }): Promise<HopResult[]> {
  const { job, config } = opts;
  const ctx = createRunContext(opts, job, newRunRecord(job, 'manual', (opts.clock ?? systemClock).now()), () => {});
  const results: HopResult[] = [];
  const dest = config.hosts[job.destination.host]!;
  /** `command` is built after the hop ran: the forward's port is known by then. */
  const hop = async (name: HopName, commandFor: () => string, ready: boolean, fn: () => Promise<string | void>): Promise<boolean> => {
    if (!ready) {
      const command = commandFor();
      results.push({ hop: name, status: 'skipped', cause: 'an earlier hop failed', command });
      return false;
    }
    try {
      const note = await fn();
      results.push({ hop: name, status: 'pass', command: commandFor(), ...(note ? { cause: note } : {}) });
      return true;
    } catch (err) {
      results.push({ hop: name, status: 'fail', cause: toRunError(err).message, command: commandFor() });
      return false;
    }
  };

  try {
    const connected = await hop(
      'laptop -> source',
      () => sshCommandFor(config, job.source, ['true']),
      true,
      async () => {
        await connectSource(ctx);
      },
    );
    const sourceUp = await hop(
      'source gate',
      () => gateQueryCommand(ctx),
      connected,
      () => checkSourceGate(ctx),
    );
    const destUp = await hop(
      'laptop -> destination',
      () => sshCommandFor(config, job.destination.host, ['true']),
      true,
      async () => {
        await openDestination(ctx);
      },
    );
    const forward = (port: number | string) => ['-R', `${port}:${dest.hostname}:${dest.port}`];
    const fwd = () => sshCommandFor(config, job.source, ['true'], ['-o', 'ExitOnForwardFailure=yes', ...forward(job.tunnelPort)]);
    const tunnelUp = await hop('forward bind on source', fwd, sourceUp, async () => {
      await tunnelStep(ctx);
      return `listening on 127.0.0.1:${ctx.tunnel!.port}`;
    });
    // By hand: the forward with the port it got (or the configured one, else a PORT to fill in), and ssh through it on the source.
    const port = () => ctx.tunnel?.port || job.tunnelPort || 'PORT';
    const through = () =>
      sshCommandFor(
        config,
        job.source,
        ['ssh', '-p', String(port()), '-o', 'StrictHostKeyChecking=yes', `${dest.user}@127.0.0.1`, 'true'],
        ['-A', ...forward(port())],
      );
    await hop('source -> destination through the tunnel', through, tunnelUp, async () => {
      const knownHosts = await writeSourceKnownHosts(ctx);
      const argv = [...tunnelSshArgv(ctx.tunnel!.port, knownHosts), `${dest.user}@127.0.0.1`, 'true'];
      await ctx.source!.run(argv, 'ssh through the tunnel', { signal: ctx.signal, agentForward: true });
    });
    await hop(
      'destination path writable',
      () => sshCommandFor(config, job.destination.host, ['test', '-w', job.destination.path]),
      destUp,
      async () => {
        await ctx.destination!.run(shScript(WRITABLE_SCRIPT, [job.destination.path]), `checking ${job.destination.path}`);
      },
    );
    await hop(
      'rsync on source',
      () => sshCommandFor(config, job.source, ['rsync', '--version']),
      sourceUp,
      () => rsyncVersion(ctx.source!, 'rsync'),
    );
    const destRsync = job.destination.rsyncPath ?? 'rsync';
    await hop(
      'rsync on destination',
      () => sshCommandFor(config, job.destination.host, [destRsync, '--version']),
      destUp,
      () => rsyncVersion(ctx.destination!, destRsync),
    );
  } finally {
    await teardownStep(ctx);
  }
  return results;
}

async function rsyncVersion(session: SshSession, program: string): Promise<string> {
  const script = program === 'rsync' ? shScript(RSYNC_VERSION_SCRIPT, []) : shScript(RSYNC_SCRIPT, [program]);
  const r = await session.run(script, `looking for ${program}`);
  return lastLine(r.stdout);
}
