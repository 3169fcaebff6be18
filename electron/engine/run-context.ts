import type { BurrowConfig, HostConfig, JobConfig } from '../../shared/config-schema';
import type { Clock } from '../../shared/clock';
import type { RunEvent, RunRecord } from '../../shared/run-types';
import type { MarkerContent } from './destination-marker';
import type { StorageFormat, StoredRecords } from './formats/storage-format';
import type { AgentProvider } from './ssh/auth';
import type { SshSession } from './ssh/ssh-session';
import type { ReverseTunnel } from './tunnel';

/** What a run's steps share: its inputs, its record, and the resources teardown releases. */
export interface RunContext {
  config: BurrowConfig;
  job: JobConfig;
  /** How the job's data is packed, sent, checked and stored (chosen once from job.format). */
  format: StorageFormat;
  sourceHost: HostConfig;
  destinationHost: HostConfig;
  clock: Clock;
  signal: AbortSignal;
  agents: AgentProvider;
  record: RunRecord;
  /** Change nothing: report what would be packed, pruned, sent and deleted. */
  dryRun: boolean;
  /** This job's last success wrote to this very destination path (so its marker must exist). */
  priorSuccess: boolean;
  /** What the laptop recorded about stored backups (checksums at send time), for the verify step's sample; absent in bare runs. */
  records?: StoredRecords;
  /** The destination's marker as the guard read (or wrote) it. */
  marker?: MarkerContent;
  emit(event: RunEvent): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;

  source?: SshSession;
  /** The laptop's own session to the destination (verify). */
  destination?: SshSession;
  /** Jump session used to relay to a destination behind proxyJump. */
  destinationJump?: SshSession;
  tunnel?: ReverseTunnel;
  /** A private temporary directory on the source, removed by teardown. */
  sourceTmp?: string;
  /** The destination's full host key ("type base64"), for the source's known_hosts. */
  destinationKeyLine?: string;
}

/** What a step reports back to the runner. */
export interface StepOutcome {
  detail?: string;
  bytes?: number;
  command?: string;
  /** The step chose not to act (e.g. pack: false). */
  skipped?: boolean;
}

export type Step = (ctx: RunContext) => Promise<StepOutcome>;
