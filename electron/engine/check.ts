/**
 * `burrow check`: the article's "run the pieces by hand", automated. Each hop
 * is tested on its own and reported with its cause and the command a person
 * could paste to reproduce it. A hop whose prerequisite failed is skipped.
 */
import type { JobConfig } from '../../shared/config-schema';
import { createRunContext, newRunRecord, type RunOptions } from './backup-run';
import { toRunError } from './errors';
import type { RunContext } from './run-context';
import { shCommand, shScript } from './shell-quote';
import { SshSession, lastLine } from './ssh/ssh-session';
import { RSYNC_VERSION_SCRIPT, sshCommandFor } from './steps/commands';
import { teardownStep } from './steps/teardown';
import { tunnelSshCommand, writeSourceKnownHosts } from './steps/transfer';
import { tunnelStep } from './steps/tunnel';
import { checkSourceGate, connectSource, gateQueryCommand } from './steps/connect';

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
  const ctx = createRunContext(opts, job, newRunRecord(job, 'manual', (opts.clock ?? { now: () => new Date() }).now()), () => {});
  const results: HopResult[] = [];
  const dest = config.hosts[job.destination.host]!;
  const hop = async (name: HopName, command: string, ready: boolean, fn: () => Promise<string | void>): Promise<boolean> => {
    if (!ready) {
      results.push({ hop: name, status: 'skipped', cause: 'an earlier hop failed', command });
      return false;
    }
    try {
      const note = await fn();
      results.push({ hop: name, status: 'pass', command, ...(note ? { cause: note } : {}) });
      return true;
    } catch (err) {
      results.push({ hop: name, status: 'fail', cause: toRunError(err).message, command });
      return false;
    }
  };

  try {
    const connected = await hop('laptop -> source', sshCommandFor(config, job.source, ['true']), true, async () => {
      await connectSource(ctx);
    });
    const sourceUp = await hop('source gate', gateQueryCommand(ctx), connected, () => checkSourceGate(ctx));
    const destUp = await hop('laptop -> destination', sshCommandFor(config, job.destination.host, ['true']), true, async () => {
      ctx.destination = await SshSession.open({ config, hostName: job.destination.host, agents: ctx.agents, signal: ctx.signal });
    });
    const fwd = `ssh -o ExitOnForwardFailure=yes -R ${job.tunnelPort}:${dest.hostname}:${dest.port} ${sshCommandFor(config, job.source, ['true']).slice(4)}`;
    const tunnelUp = await hop('forward bind on source', fwd, sourceUp, async () => {
      await tunnelStep(ctx);
      return `listening on 127.0.0.1:${ctx.tunnel!.port}`;
    });
    await hop('source -> destination through the tunnel', throughTunnelCommand(ctx, 0), tunnelUp, async () => {
      const knownHosts = await writeSourceKnownHosts(ctx);
      const argv = [...tunnelSshCommand(ctx.tunnel!.port, knownHosts).split(' '), `${dest.user}@127.0.0.1`, 'true'];
      await ctx.source!.run(argv, 'ssh through the tunnel', { signal: ctx.signal, agentForward: true });
    });
    await hop('destination path writable', sshCommandFor(config, job.destination.host, ['test', '-w', job.destination.path]), destUp, async () => {
      await ctx.destination!.run(shScript(WRITABLE_SCRIPT, [job.destination.path]), `checking ${job.destination.path}`);
    });
    await hop('rsync on source', sshCommandFor(config, job.source, ['rsync', '--version']), sourceUp, () => rsyncVersion(ctx.source!, 'rsync'));
    const destRsync = job.destination.rsyncPath ?? 'rsync';
    await hop('rsync on destination', sshCommandFor(config, job.destination.host, [destRsync, '--version']), destUp, () =>
      rsyncVersion(ctx.destination!, destRsync),
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

function throughTunnelCommand(ctx: RunContext, port: number): string {
  const { config, job } = ctx;
  const dest = config.hosts[job.destination.host]!;
  const inner = shCommand(['ssh', '-p', String(port || 9122), '-o', 'StrictHostKeyChecking=yes', `${dest.user}@127.0.0.1`, 'true']);
  return sshCommandFor(config, job.source, ['sh', '-c', inner], ['-A', '-R', `${port || 9122}:${dest.hostname}:${dest.port}`]);
}
