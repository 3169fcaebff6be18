import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppService } from '../../engine/app/app-service';
import { DemoSession } from '../../engine/app/demo-session';
import { JsonSettingsStore } from '../../engine/app/settings-store';
import { notifySendChannel } from '../../engine/notify/desktop';
import { readSecretRef } from '../../engine/notify/secrets';
import { configDir, stateDir } from '../../engine/paths';
import { createMetrics, startMetricsServer, type Metrics, type MetricsServer } from '../../engine/web/metrics';
import { startHttpBridge } from '../../engine/web/http-bridge-server';
import { appRoot, burrowVersion } from '../app-root';
import type { CommandContext } from '../main';

/** Builds the renderer when a checkout has not yet (vite is a dev dependency). */
export async function ensureRendererBuilt(log: (m: string) => void): Promise<string> {
  const rendererDir = join(appRoot(), 'dist', 'renderer');
  if (existsSync(join(rendererDir, 'index.html'))) return rendererDir;
  log('burrow: building the UI once (vite build)...');
  const { build } = await import('vite');
  await build({ configFile: join(appRoot(), 'renderer', 'vite.config.ts'), logLevel: 'warn' });
  return rendererDir;
}

/**
 * `burrow serve [--port N]`: the window's UI and API on 127.0.0.1, with the
 * schedule running, for machines without a desktop. Prints the URL with its token.
 */
export async function serveCommand({ io, configPath, values }: CommandContext, hooks: { onUrl?: (url: string) => void } = {}): Promise<number> {
  const staticDir = await ensureRendererBuilt(io.err);
  let service: AppService | undefined;
  const demo = new DemoSession(() => service!);
  const settings = new JsonSettingsStore(join(configDir(), 'ui-settings.json'));
  service = await AppService.open({
    configPath,
    stateDir: stateDir(),
    settings,
    shell: 'web',
    schedule: values['no-schedule'] !== true,
    startDemo: () => demo.start(),
    // Notices like the daemon's: notify-send where there is a desktop, the log otherwise; and the config's channels.
    desktop: notifySendChannel({ settings: () => settings.get(), log: io.err }),
    log: (m) => io.err(`burrow serve: ${m}`),
  });
  const port = typeof values.port === 'string' ? Number(values.port) : 0;
  const metrics = await serveMetrics(service, io.err);
  const server = await startHttpBridge({ service, staticDir, port, log: io.err, ...(metrics.onServePort ? { metrics: metrics.onServePort } : {}) });
  io.out(`Burrow is at ${server.url}`);
  if (metrics.onServePort) io.err(`burrow: /metrics on ${new URL(server.url).origin}/metrics (Authorization: Bearer, the metrics token or the UI's)`);
  hooks.onUrl?.(server.url);
  io.err('burrow: serving on 127.0.0.1 only; the token in the URL is the key. Ctrl-C stops.');
  await new Promise<void>((done) => {
    const stop = () =>
      void server
        .close()
        .then(() => metrics.own?.close())
        .then(() => service!.shutdown())
        .then(() => demo.stop())
        .then(done);
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
  return 0;
}

/**
 * `/metrics` as the config asks (read at start): off; on serve's own port
 * behind a token; or on an address of its own (`metrics.listen`), with the
 * metrics token when one is set.
 */
async function serveMetrics(
  service: AppService,
  log: (m: string) => void,
): Promise<{ onServePort?: { metrics: Metrics; token?: string | undefined }; own?: MetricsServer }> {
  const cfg = service.engine?.config.metrics;
  if (!cfg?.enabled) return {};
  const token = await readSecretRef({ env: cfg.tokenEnv, file: cfg.tokenFile }, process.env, 'metrics token');
  const metrics = createMetrics(() => {
    const s = service.state();
    return { jobs: s.jobs, channels: s.alerts ?? [], paused: s.paused };
  }, burrowVersion());
  if (!cfg.listen) return { onServePort: { metrics, token } };
  const [, host, port] = /^(.*):(\d+)$/.exec(cfg.listen)!;
  const own = await startMetricsServer({ host: host!, port: Number(port), metrics, ...(token ? { token } : {}), log });
  log(`burrow: /metrics at ${own.url}${token ? ' (Authorization: Bearer, the metrics token)' : ''}`);
  return { own };
}
