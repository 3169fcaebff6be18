/**
 * healthchecks.io-style ping URLs, one per job: URL/start when a run
 * starts, the URL itself on success, URL/fail with the run's one-line cause
 * as the body. A run that never happens sends nothing, which is what the
 * service notices. A test goes to URL/log, which changes no check's state.
 */
import type { PingChannelConfig } from '../../../shared/alerts-schema';
import { ChannelError, type Channel, type Message, type RunPhase } from './channel';
import { post } from './http-post';

const SUFFIX: Record<RunPhase | 'test', string> = { start: '/start', success: '', fail: '/fail', test: '/log' };

/** The URL with /start, /fail or /log added to its path (its query kept). */
export function pingUrl(base: string, what: RunPhase | 'test'): string {
  const u = new URL(base);
  if (SUFFIX[what]) u.pathname = `${u.pathname.replace(/\/+$/, '')}${SUFFIX[what]}`;
  return u.toString();
}

export function pingChannel(c: PingChannelConfig): Channel {
  return {
    name: c.name,
    type: 'ping',
    wants: (m: Message) => (m.kind === 'run' ? c.jobs[m.job] !== undefined : m.notice.kind === 'test'),
    async send(m, signal) {
      if (m.kind === 'run') {
        const url = c.jobs[m.job];
        if (!url) return;
        const body = m.phase === 'fail' ? (m.cause ?? 'failed') : m.phase === 'start' ? `run ${m.runId} started` : `run ${m.runId} succeeded`;
        await post({ url: pingUrl(url, m.phase), body, contentType: 'text/plain; charset=utf-8' }, signal, `ping ${c.name} (${m.job})`);
        return;
      }
      const failures: string[] = [];
      for (const [job, url] of Object.entries(c.jobs)) {
        await post({ url: pingUrl(url, 'test'), body: m.notice.body, contentType: 'text/plain; charset=utf-8' }, signal, `ping ${c.name} (${job})`).catch(
          (err: Error) => failures.push(err.message),
        );
      }
      if (failures.length > 0) throw new ChannelError(failures.join('; '));
    },
  };
}
