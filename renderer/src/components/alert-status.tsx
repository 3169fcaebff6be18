/**
 * Status-page banners for what the job cards do not say: alert channels
 * whose deliveries fail (they are retried; the backups go on), and backups
 * the laptop rules deferred (on battery, metered network).
 */
import type { ChannelStatus } from '../../../shared/channel-status';
import type { JobStatus } from '../../../shared/engine-events';
import { deferrals } from '../../../shared/tray-state';
import { formatIn } from '../lib/format';

export interface AlertStatusProps {
  channels: readonly ChannelStatus[] | undefined;
  jobs: readonly JobStatus[];
  now: number;
}

/** `channels-failing-banner` and `deferred-banner`. */
export function AlertStatus({ channels, jobs, now }: AlertStatusProps) {
  const failing = (channels ?? []).filter((c) => c.state === 'failing');
  const deferred = jobs.map((j) => ({ job: j.job, what: deferrals(j) })).filter((d) => d.what.length > 0);
  return (
    <>
      {deferred.length > 0 ? (
        <section className="banner banner-info" data-testid="deferred-banner">
          <div className="banner-text">
            {deferred.map((d) => (
              <p key={d.job}>
                <strong>Backup waiting: {d.job}</strong> — {d.what.join(', ')}; it runs once that clears, before the next slot. Run now runs it anyway.
              </p>
            ))}
          </div>
        </section>
      ) : null}
      {failing.length > 0 ? (
        <section className="banner banner-warn" data-testid="channels-failing-banner" role="alert">
          <div className="banner-text">
            {failing.map((c) => (
              <p key={c.name}>
                <strong>
                  Alert channel {c.name} ({c.type}) is failing
                </strong>{' '}
                — {c.lastError}; {c.pending} waiting{c.nextRetryAt ? `, next try ${formatIn(c.nextRetryAt, now)}` : ''}
                {c.dropped ? `; ${c.dropped} given up` : ''}. Backups are not affected.
              </p>
            ))}
          </div>
        </section>
      ) : null}
    </>
  );
}
