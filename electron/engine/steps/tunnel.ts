/**
 * Opens the reverse forward on the source and the laptop's relay to the
 * destination's sshd (directly, or through the destination's proxyJump).
 */
import { BurrowError } from '../errors';
import { hostKeyRefusal, keyLine, pinKeyLine } from '../ssh/host-key';
import { SshSession } from '../ssh/ssh-session';
import { ReverseTunnel, directTarget, jumpTarget, type RelayTarget } from '../tunnel';
import type { RunContext, StepOutcome } from '../run-context';
import { sshArgsFor } from './commands';
import { shQuote } from '../shell-quote';

export async function tunnelStep(ctx: RunContext): Promise<StepOutcome> {
  const { job, destinationHost: dest } = ctx;
  ctx.destinationKeyLine = await destinationKey(ctx);

  let target: RelayTarget;
  if (dest.proxyJump) {
    ctx.destinationJump = await SshSession.open({ config: ctx.config, hostName: dest.proxyJump, agents: ctx.agents, signal: ctx.signal });
    target = jumpTarget(ctx.destinationJump, dest.hostname, dest.port);
  } else {
    target = directTarget(dest.hostname, dest.port);
  }

  const tunnel = new ReverseTunnel(ctx.source!, job.tunnelPort, target, job.destination.host);
  ctx.tunnel = tunnel;
  tunnel.on('state', (state) => ctx.emit({ type: 'tunnel', runId: ctx.record.id, state, port: tunnel.port }));
  tunnel.on('connections', (n) => ctx.emit({ type: 'tunnel', runId: ctx.record.id, state: tunnel.state, port: tunnel.port, connections: n }));
  tunnel.on('error', (err) => ctx.log('error', err.message));
  const port = await tunnel.start();
  ctx.record.tunnelPort = port;
  const fwd = `${job.tunnelPort}:${dest.hostname}:${dest.port}`;
  return {
    detail: `${job.source} 127.0.0.1:${port} -> ${job.destination.host} ${dest.hostname}:${dest.port}`,
    command: `ssh -o ExitOnForwardFailure=yes -R ${fwd} ${sshArgsFor(ctx.config, job.source).map(shQuote).join(' ')}`,
  };
}

/**
 * The destination's whole host key, needed for the known_hosts Burrow writes
 * on the source. A full-key pin is used as it is (rsync's ssh checks it
 * through the tunnel); a fingerprint pin is resolved by looking at the
 * destination, and that key must match the fingerprint.
 */
async function destinationKey(ctx: RunContext): Promise<string> {
  const pin = ctx.destinationHost.hostKey;
  const name = ctx.job.destination.host;
  if (!pin) {
    throw new BurrowError('host-key-missing', `destination ${name} has no pinned host key; pin it with: burrow hostkey ${name} --write`);
  }
  const line = pinKeyLine(pin);
  if (line) return line;
  const presented = await SshSession.fetchHostKey({ config: ctx.config, hostName: name, agents: ctx.agents, signal: ctx.signal });
  const refusal = hostKeyRefusal({ hostName: name, where: `destination ${name}`, pin, presented });
  if (refusal) throw refusal;
  return keyLine(presented);
}
