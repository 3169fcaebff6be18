/**
 * Restoring onto the source: connect, open the tunnel, pin the destination
 * on the source, then rsync on the source pulls from the destination
 * through the tunnel (the source still reaches nothing directly). Never
 * over an existing path. Every storage format's restore to the source
 * starts so. It needs a login the source key's gate does not guard: the
 * gate refuses rsync writing on the source.
 */
import { BurrowError } from './errors';
import type { RunContext } from './run-context';
import { shScript } from './shell-quote';
import { lastLine } from './ssh/ssh-session';
import { connectStep } from './steps/connect';
import { tunnelStep } from './steps/tunnel';
import { tunnelSshCommand, writeSourceKnownHosts } from './tunnel-rsync';

const SOURCE_EXISTS = '[ -e "$1" ] || [ -L "$1" ]';

/**
 * Connects, opens the tunnel and pins the destination on the source, then
 * checks that `target` does not exist there yet; returns the tunnel ssh
 * command for rsync's -e. Every restore onto the source starts so.
 */
export async function prepareRestoreOnSource(ctx: RunContext, target: string): Promise<string> {
  await connectStep(ctx);
  await tunnelStep(ctx);
  const knownHosts = await writeSourceKnownHosts(ctx);
  if ((await ctx.source!.exec(shScript(SOURCE_EXISTS, [target]))).code === 0)
    throw new BurrowError('config', `${ctx.job.source}:${target} already exists: not overwritten`);
  return tunnelSshCommand(ctx.tunnel!.port, knownHosts);
}

/** rsync on the source (with the agent), pulling from the destination through the tunnel. */
export async function rsyncOntoSource(ctx: RunContext, argv: string[], what: string): Promise<void> {
  const r = await ctx.source!.exec(argv, { agentForward: true });
  if (r.code !== 0) throw new BurrowError('rsync', `restoring ${what} onto ${ctx.job.source} failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
}
