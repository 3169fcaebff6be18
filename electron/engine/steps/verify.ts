/** Checks, the way the job's storage format stores, that what arrived is what was sent. */
import type { RunContext, StepOutcome } from '../run-context';

export function verifyStep(ctx: RunContext): Promise<StepOutcome> {
  return ctx.format.verify(ctx, `${ctx.sourceTmp}/known_hosts`);
}
