/**
 * Releases everything a run opened, whatever happened before: the tunnel
 * listener on the source, the temporary directory there, and every SSH
 * connection. Each part is tried even when another fails.
 */
import { shScript } from '../shell-quote';
import { SOURCE_TMP_CHECK } from '../tunnel-rsync';
import type { RunContext, StepOutcome } from '../run-context';

/** Removes the run's temporary directory on the source, and nothing that is not one (see SOURCE_TMP_CHECK). */
export const REMOVE_TMP_SCRIPT = `${SOURCE_TMP_CHECK}
rm -rf -- "$1"`;

/** How long teardown waits for the source to remove the temporary directory. */
const TEARDOWN_COMMAND_MS = 15_000;

export async function teardownStep(ctx: RunContext): Promise<StepOutcome> {
  const done: string[] = [];
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
      done.push(what);
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  if (ctx.tunnel) await attempt('tunnel closed', () => ctx.tunnel!.close());
  if (ctx.sourceTmp && ctx.source?.state === 'up') {
    const tmp = ctx.sourceTmp;
    // Not tied to the run's signal: a cancelled run must still clean up.
    await attempt('temporary files removed', async () => {
      // Bounded: a connection that died under the run (the laptop slept) must not hold teardown up; the next run removes it then.
      await ctx.source!.run(shScript(REMOVE_TMP_SCRIPT, [tmp]), 'removing the temporary directory', { signal: AbortSignal.timeout(TEARDOWN_COMMAND_MS) });
    });
  }
  for (const [name, s] of [
    ['source', ctx.source],
    ['destination', ctx.destination],
    ['destination jump', ctx.destinationJump],
  ] as const) {
    if (s) await attempt(`${name} connection closed`, () => s.close());
  }
  if (problems.length > 0) ctx.log('warn', `teardown: ${problems.join('; ')}`);
  return { detail: [...done, ...problems].join(', ') || 'nothing to release' };
}
