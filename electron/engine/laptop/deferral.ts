/**
 * The scheduler's question "may this job run now?", asked of the laptop
 * source through the job's rules; says in the log when a job starts or stops
 * waiting, and words the warning of a Run now that overrides the rules.
 */
import type { JobConfig } from '../../../shared/config-schema';
import { describeConditions, type DeferCause } from '../../../shared/laptop-rules';
import { CAUSE_TEXT } from '../../../shared/notification-policy';
import { checkLaptop, type LaptopSource } from './laptop-source';

export class Deferral {
  private readonly last = new Map<string, DeferCause | undefined>();

  constructor(
    private readonly source: LaptopSource,
    private readonly log: (message: string) => void,
  ) {}

  /** Why the job's scheduled or catch-up run waits now, or undefined. */
  async check(job: JobConfig): Promise<DeferCause | undefined> {
    const { cause, conditions } = await checkLaptop(job, this.source);
    if (cause !== this.last.get(job.name)) {
      this.log(
        cause
          ? `${job.name}: ${CAUSE_TEXT[cause]} (${describeConditions(cause, conditions)}); it runs once that clears, before the next slot`
          : `${job.name}: the laptop rules let it run again`,
      );
      this.last.set(job.name, cause);
    }
    return cause;
  }

  /** What Run now says when the rules would have deferred the job: it runs all the same. */
  async warning(job: JobConfig): Promise<string | undefined> {
    const { cause, conditions } = await checkLaptop(job, this.source);
    return cause ? `Running although ${job.name}'s laptop rules would wait: ${describeConditions(cause, conditions)}.` : undefined;
  }
}
