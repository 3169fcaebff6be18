/**
 * When the laptop itself is the fault in the middle of a run: it slept (the
 * lid closed at 12:31), Burrow's process stood still, or its network changed
 * (office Wi-Fi to a hotspot). After a stall (sleep-watch.ts) or a resume
 * event, every open connection must answer a round trip within a few
 * seconds; one that does not ends the run at once with the cause "the laptop
 * slept during the transfer", rather than after keepalives or rsync's
 * timeout give up. A failure that follows a stall is put down to the sleep;
 * a lost connection with the laptop's address or route gone, to the network.
 * Both causes are retried as soon as the hosts answer again
 * (shared/retry-rules.ts).
 */
import type { StepName } from '../../shared/run-types';
import { BurrowError, isCancelled } from './errors';
import type { RunContext } from './run-context';
import { networkChange } from './ssh/connection-loss';
import type { SshSession } from './ssh/ssh-session';
import { stallLength, type SleepWatch, type Stall } from './sleep-watch';

/** How long each connection has to answer after a wake-up. */
export const WAKE_PING_MS = 5000;
/** A failure at most this long after a stall ended is put down to it. */
export const STALL_BLAME_MS = 120_000;

const DURING: Record<StepName, string> = {
  connect: 'while connecting',
  'clean-up': 'during the clean-up',
  pack: 'during the pack',
  prune: 'while pruning',
  guard: "during the guard's checks",
  tunnel: 'while opening the tunnel',
  transfer: 'during the transfer',
  verify: 'during the verification',
  'prune-destination': 'while pruning the destination',
  teardown: 'during the teardown',
};

/** Kinds a lost connection comes out as (ssh's own, rsync's exit 255, a command cut off). */
const LOST_CONNECTION = new Set(['unreachable', 'timeout', 'rsync', 'remote-command']);

export function sleptError(step: StepName, stall: Stall, why: string): BurrowError {
  // A resume event with no gap seen on the clocks (the run started after the laptop went to sleep, say) has no length to tell.
  const how =
    stall.ms <= 0 ? 'the system said it resumed' : stall.how === 'slept' ? `for ${stallLength(stall.ms)}` : `Burrow stood still for ${stallLength(stall.ms)}`;
  return new BurrowError('slept', `the laptop slept ${DURING[step]} (${how}) and the run's connections did not survive it: ${why}`);
}

/** The run's connections that are up, by name. */
function openSessions(ctx: RunContext): [string, SshSession][] {
  const all: [string, SshSession | undefined][] = [
    [ctx.job.source, ctx.source],
    [ctx.job.destination.host, ctx.destination],
    [`${ctx.destinationHost.proxyJump ?? 'jump host'} (to ${ctx.job.destination.host})`, ctx.destinationJump],
  ];
  return all.filter((e): e is [string, SshSession] => e[1]?.state === 'up');
}

/**
 * After a stall: each open connection gets one round trip. Returns the error
 * to end the run with when one did not answer (and drops those at once, so
 * neither the step under way nor teardown waits on them), or undefined when all did.
 */
export async function connectionsLost(ctx: RunContext, stall: Stall, step: StepName): Promise<BurrowError | undefined> {
  const open = openSessions(ctx);
  const answers = await Promise.all(open.map(([, s]) => s.ping(WAKE_PING_MS)));
  const dead = open.filter((_, i) => answers[i] !== 'answered');
  if (dead.length === 0) {
    if (open.length > 0) ctx.log('info', `the laptop slept or Burrow stood still (${stallLength(stall.ms)}); the connections answered, so the run goes on`);
    return undefined;
  }
  // A connection the host closed meanwhile (its keepalives gave up on the sleeping laptop) is told apart from a silent one.
  const closed = open.filter((_, i) => answers[i] === 'closed').map(([n]) => n);
  const silent = open.filter((_, i) => answers[i] === 'silent').map(([n]) => n);
  for (const [, s] of dead) s.drop();
  const why = [
    ...(closed.length ? [`${closed.join(' and ')} had closed the connection`] : []),
    ...(silent.length ? [`${silent.join(' and ')} did not answer within ${WAKE_PING_MS / 1000} s`] : []),
  ];
  return sleptError(step, stall, why.join('; '));
}

/**
 * The cause to record for a step that failed with `err`: the sleep when it
 * came shortly after a stall, the network when the laptop's address or
 * route went away under a lost connection, else `err` itself.
 */
export async function explainFailure(ctx: RunContext, err: unknown, step: StepName, watch: SleepWatch): Promise<unknown> {
  if (isCancelled(err)) return err;
  if (err instanceof BurrowError && (err.kind === 'slept' || err.kind === 'network-changed')) return err;
  // Whatever broke right after a stall (ssh2 says "Not connected" in its own words, say), the stall broke it.
  const stall = watch.recent(STALL_BLAME_MS);
  if (stall) return sleptError(step, stall, err instanceof Error ? err.message : String(err));
  if (!(err instanceof BurrowError) || !LOST_CONNECTION.has(err.kind)) return err;
  for (const s of [ctx.source, ctx.destination]) {
    const change = s ? await networkChange(s) : undefined;
    if (change) return new BurrowError('network-changed', `the laptop's network changed ${DURING[step]}: ${change} (${err.message})`, { cause: err });
  }
  return err;
}
