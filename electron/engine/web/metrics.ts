/**
 * `/metrics` of `burrow serve`, in the Prometheus text format (prom-client):
 * per job what `burrow status --json` says (last success and attempt, last
 * duration and bytes sent, the result, missed slots outstanding, whether a
 * run is active), the alert channels' health, and the process's own
 * metrics. Every value is read from the app state at scrape time.
 *
 * Also a listener of its own (`metrics.listen`) that serves `/metrics` and
 * nothing else, for a Prometheus on another address than the UI's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ChannelStatus } from '../../../shared/channel-status';
import type { JobStatus } from '../../../shared/engine-events';
import { isDeferral } from '../../../shared/notification-policy';
import { RUN_STATUSES } from '../../../shared/run-types';
import { bearerMatches } from './tokens';

export interface MetricsSnapshot {
  jobs: JobStatus[];
  channels: ChannelStatus[];
  paused: boolean;
}

export interface Metrics {
  contentType: string;
  render(): Promise<string>;
}

const seconds = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

/** A registry whose job and channel gauges are filled from `snapshot()` on every scrape. */
export function createMetrics(snapshot: () => MetricsSnapshot, version: string): Metrics {
  const registry = new Registry();
  // The event-loop lag sampler wakes the process at this interval (prom-client's default is 10 ms): twice a second is plenty for a scrape a minute.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 500 });
  const job = (name: string, help: string, labels: string[] = []) => new Gauge({ name, help, labelNames: ['job', ...labels], registers: [registry] });
  const g = {
    info: new Gauge({ name: 'burrow_info', help: 'Burrow is running; its version as a label', labelNames: ['version'], registers: [registry] }),
    paused: new Gauge({ name: 'burrow_schedule_paused', help: '1 while the schedule is paused', registers: [registry] }),
    lastSuccess: job('burrow_job_last_success_timestamp_seconds', 'When the last successful run ended (Unix time)'),
    lastAttempt: job('burrow_job_last_attempt_timestamp_seconds', 'When the last run started (Unix time)'),
    lastDuration: job('burrow_job_last_duration_seconds', 'How long the last finished run took'),
    lastBytes: job('burrow_job_last_bytes_sent', 'Bytes rsync sent in the last run that got that far'),
    lastResult: job('burrow_job_last_result', "The last run's result: 1 for the one it had, 0 for the others", ['result']),
    outstanding: job('burrow_job_missed_slots_outstanding', 'Scheduled slots with no backup yet, deferred ones included'),
    deferred: job('burrow_job_deferred_slots_outstanding', 'Of those, slots deferred by the laptop rules (battery, metered network)'),
    active: job('burrow_job_run_active', '1 while a run of the job is under way'),
    stale: job('burrow_job_stale', '1 when the last success is older than the stale threshold'),
    nextRun: job('burrow_job_next_run_timestamp_seconds', 'The next scheduled slot (Unix time)'),
    channelUp: new Gauge({
      name: 'burrow_alert_channel_up',
      help: '0 while deliveries to the alert channel fail and are retried',
      labelNames: ['channel', 'type'],
      registers: [registry],
    }),
    channelPending: new Gauge({
      name: 'burrow_alert_channel_pending',
      help: 'Messages waiting for the alert channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    channelDropped: new Gauge({
      name: 'burrow_alert_channel_dropped',
      help: 'Messages given up on after their last retry',
      labelNames: ['channel'],
      registers: [registry],
    }),
  };
  return {
    contentType: registry.contentType,
    async render() {
      const s = snapshot();
      for (const gauge of Object.values(g)) gauge.reset();
      g.info.set({ version }, 1);
      g.paused.set(s.paused ? 1 : 0);
      for (const j of s.jobs) {
        const l = { job: j.job };
        const success = seconds(j.lastSuccessAt);
        if (success !== undefined) g.lastSuccess.set(l, success);
        const last = j.lastRun;
        if (last) {
          g.lastAttempt.set(l, seconds(last.startedAt)!);
          if (last.endedAt) g.lastDuration.set(l, (Date.parse(last.endedAt) - Date.parse(last.startedAt)) / 1000);
          if (last.bytesSent !== undefined) g.lastBytes.set(l, last.bytesSent);
          for (const result of RUN_STATUSES) g.lastResult.set({ ...l, result }, last.status === result ? 1 : 0);
        }
        g.outstanding.set(l, j.outstanding.length);
        g.deferred.set(l, j.outstanding.filter((m) => isDeferral(m.cause)).length);
        g.active.set(l, j.running ? 1 : 0);
        g.stale.set(l, j.stale ? 1 : 0);
        g.nextRun.set(l, seconds(j.nextRunAt)!);
      }
      for (const c of s.channels) {
        g.channelUp.set({ channel: c.name, type: c.type }, c.state === 'failing' ? 0 : 1);
        g.channelPending.set({ channel: c.name }, c.pending);
        g.channelDropped.set({ channel: c.name }, c.dropped);
      }
      return registry.metrics();
    },
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` alone on its own address (`metrics.listen`): GET only, the
 * token when one is configured, nothing else answered.
 */
export async function startMetricsServer(opts: {
  host: string;
  port: number;
  metrics: Metrics;
  token?: string;
  log?: (m: string) => void;
}): Promise<MetricsServer> {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
      res.end(body);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return reply(404, 'only /metrics here\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'use GET\n', { Allow: 'GET, HEAD' });
    if (opts.token !== undefined && !bearerMatches(req.headers.authorization, [opts.token])) {
      return reply(401, 'missing or wrong token (Authorization: Bearer, from metrics.tokenEnv or metrics.tokenFile)\n', { 'WWW-Authenticate': 'Bearer' });
    }
    opts.metrics.render().then(
      (text) => reply(200, text, { 'Content-Type': opts.metrics.contentType }),
      (err: Error) => {
        opts.log?.(`burrow serve: /metrics: ${err.message}`);
        reply(500, 'internal error\n');
      },
    );
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host.replace(/^\[|\]$/g, ''), () => resolve());
  });
  server.on('error', (err) => opts.log?.(`burrow serve: metrics: ${err.message}`));
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
