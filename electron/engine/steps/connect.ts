import { SshSession } from '../ssh/ssh-session';
import { sshCommandFor } from './commands';
import type { RunContext, StepOutcome } from '../run-context';

/** Reaches the source with key auth and a verified host key, agent forwarding allowed. */
export async function connectStep(ctx: RunContext): Promise<StepOutcome> {
  ctx.source = await SshSession.open({
    config: ctx.config,
    hostName: ctx.job.source,
    agents: ctx.agents,
    signal: ctx.signal,
  });
  const key = ctx.source.presentedKey;
  return {
    detail: `connected to ${ctx.job.source} (${key?.type} ${key?.fingerprint})`,
    command: sshCommandFor(ctx.config, ctx.job.source, ['true']),
  };
}
