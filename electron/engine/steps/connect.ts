import { BurrowError } from '../errors';
import { compareGate, gateStaleMessage, queryGate } from '../keys/gate-check';
import { GATE_QUERY_SCRIPT } from '../keys/source-gate';
import { shScript } from '../shell-quote';
import { SshSession } from '../ssh/ssh-session';
import { sshCommandFor } from './commands';
import type { RunContext, StepOutcome } from '../run-context';

/** Reaches the source with key auth and a verified host key, agent forwarding allowed. */
export async function connectSource(ctx: RunContext): Promise<string> {
  ctx.source = await SshSession.open({
    config: ctx.config,
    hostName: ctx.job.source,
    agents: ctx.agents,
    signal: ctx.signal,
  });
  const key = ctx.source.presentedKey;
  return `connected to ${ctx.job.source} (${key?.type} ${key?.fingerprint})`;
}

/** The laptop's own session to the destination (the guard, verify, listings), opened once per run. */
export async function openDestination(ctx: RunContext): Promise<SshSession> {
  ctx.destination ??= await SshSession.open({ config: ctx.config, hostName: ctx.job.destination.host, agents: ctx.agents, signal: ctx.signal });
  return ctx.destination;
}

/**
 * Asks the source key's gate (when one guards the login) whether it still
 * admits this job as the config describes it; refuses the run when not.
 */
export async function checkSourceGate(ctx: RunContext): Promise<string> {
  const report = compareGate(ctx.config, ctx.job.source, await queryGate(ctx.source!, ctx.signal), ctx.job.name);
  if (report.state === 'stale') throw new BurrowError('gate-stale', gateStaleMessage(ctx.job.source, report.changes));
  return report.state === 'none' ? 'no gate on this login' : 'the gate admits this job as configured';
}

/** The command a person types to ask the gate what it admits. */
export const gateQueryCommand = (ctx: RunContext) => sshCommandFor(ctx.config, ctx.job.source, shScript(GATE_QUERY_SCRIPT, []));

export async function connectStep(ctx: RunContext): Promise<StepOutcome> {
  const connected = await connectSource(ctx);
  const gate = await checkSourceGate(ctx);
  return {
    detail: `${connected}; ${gate}`,
    command: sshCommandFor(ctx.config, ctx.job.source, ['true']),
  };
}
