/**
 * `/metrics` of a real `burrow serve` process after a real lab run: it
 * parses with a Prometheus text-format parser, its per-job values are what
 * a real `burrow status --json` says, it is refused without the token, and
 * with metrics.listen it is served on an address of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/engine-events';
import { startServe, type ServeProcess } from '../e2e/serve-process';
import { freePort } from '../fixtures/alert-servers';
import { labConfigDocument } from './fixtures';
import { resetLab, useLab } from './lab-fixture';

const BURROW = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'burrow.mjs');
const TOKEN = 'scrape-token-for-the-test-0123456789';

const f = useLab();
let dir: string;
let serve: ServeProcess | undefined;

function burrow(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BURROW, ...args, '--config', join(dir, 'config', 'burrow', 'config.json')], {
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  await resetLab(f);
  dir = join(f.lab.dir, 'metrics');
  mkdirSync(join(dir, 'config', 'burrow'), { recursive: true });
  const doc = labConfigDocument(f.lab, {}, { metrics: { enabled: true, tokenEnv: 'BURROW_TEST_METRICS_TOKEN' } });
  writeFileSync(join(dir, 'config', 'burrow', 'config.json'), JSON.stringify(doc));
  const run = burrow(['run']);
  expect(run.code, run.err).toBe(0);
  process.env.BURROW_TEST_METRICS_TOKEN = TOKEN;
  serve = await startServe(dir, doc);
});
afterAll(async () => {
  delete process.env.BURROW_TEST_METRICS_TOKEN;
  await serve?.stop();
});

const scrape = (url: string, token?: string) => fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

function value(families: ParsedFamily[], name: string, labels: Record<string, string>): number | undefined {
  const fam = families.find((x) => x.name === name);
  const m = fam?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m?.value === undefined ? undefined : Number(m.value);
}

describe('/metrics', () => {
  it('is refused without the token, or with a wrong one', async () => {
    const url = `http://127.0.0.1:${serve!.port}/metrics`;
    const none = await scrape(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await scrape(url, 'wrong')).status).toBe(401);
    expect((await scrape(`${url}?token=${serve!.token}`)).status).toBe(401); // Bearer only: a URL ends up in logs
  });

  it('parses, and matches `burrow status --json` after the run', async () => {
    const res = await scrape(`http://127.0.0.1:${serve!.port}/metrics`, TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await res.text());
    // The UI's token works too.
    expect((await scrape(`http://127.0.0.1:${serve!.port}/metrics`, serve!.token)).status).toBe(200);

    const status = burrow(['status', '--json']);
    expect(status.code, status.err).toBe(0);
    const [job] = JSON.parse(status.out) as JobStatus[];
    expect(job).toMatchObject({ job: 'daily', lastRun: { status: 'succeeded' } });
    const l = { job: 'daily' };
    expect(value(families, 'burrow_job_last_success_timestamp_seconds', l)).toBe(Date.parse(job!.lastSuccessAt!) / 1000);
    expect(value(families, 'burrow_job_last_attempt_timestamp_seconds', l)).toBe(Date.parse(job!.lastRun!.startedAt) / 1000);
    expect(value(families, 'burrow_job_last_duration_seconds', l)).toBe((Date.parse(job!.lastRun!.endedAt!) - Date.parse(job!.lastRun!.startedAt)) / 1000);
    expect(job!.lastRun!.bytesSent).toBeGreaterThan(0);
    expect(value(families, 'burrow_job_last_bytes_sent', l)).toBe(job!.lastRun!.bytesSent);
    expect(value(families, 'burrow_job_last_result', { ...l, result: 'succeeded' })).toBe(1);
    expect(value(families, 'burrow_job_last_result', { ...l, result: 'failed' })).toBe(0);
    expect(value(families, 'burrow_job_missed_slots_outstanding', l)).toBe(job!.outstanding.length);
    expect(value(families, 'burrow_job_run_active', l)).toBe(job!.running ? 1 : 0);
    expect(value(families, 'burrow_job_stale', l)).toBe(0);
    expect(value(families, 'burrow_job_next_run_timestamp_seconds', l)).toBe(Date.parse(job!.nextRunAt) / 1000);
    expect(value(families, 'burrow_alert_channel_up', { channel: 'desktop' })).toBe(1);
    // Process metrics (prom-client's defaults).
    expect(value(families, 'process_resident_memory_bytes', {})).toBeGreaterThan(10_000_000);
    expect(families.find((x) => x.name === 'nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
  });

  it('metrics.listen: its own address, the metrics token there, and none on the UI port', async () => {
    const port = await freePort();
    const other = join(dir, 'listen');
    const doc = labConfigDocument(f.lab, {}, { metrics: { enabled: true, listen: `127.0.0.1:${port}`, tokenEnv: 'BURROW_TEST_METRICS_TOKEN' } });
    const s = await startServe(other, doc);
    try {
      expect((await scrape(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const ok = await scrape(`http://127.0.0.1:${port}/metrics`, TOKEN);
      expect(ok.status).toBe(200);
      expect(parsePrometheusTextFormat(await ok.text()).some((x) => x.name === 'burrow_job_missed_slots_outstanding')).toBe(true);
      expect((await scrape(`http://127.0.0.1:${port}/`, TOKEN)).status).toBe(404);
      expect((await scrape(`http://127.0.0.1:${s.port}/metrics`, s.token)).status).toBe(404);
      expect(s.output()).toContain(`/metrics at http://127.0.0.1:${port}/metrics`);
    } finally {
      await s.stop();
    }
  });
});
