import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppService } from '../../engine/app/app-service';
import { DemoSession } from '../../engine/app/demo-session';
import { JsonSettingsStore } from '../../engine/app/settings-store';
import { configDir, stateDir } from '../../engine/paths';
import { startHttpBridge } from '../../engine/web/http-bridge-server';
import { appRoot } from '../app-root';
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
  service = await AppService.open({
    configPath,
    stateDir: stateDir(),
    settings: new JsonSettingsStore(join(configDir(), 'ui-settings.json')),
    shell: 'web',
    schedule: values['no-schedule'] !== true,
    startDemo: () => demo.start(),
  });
  const port = typeof values.port === 'string' ? Number(values.port) : 0;
  const server = await startHttpBridge({ service, staticDir, port, log: io.err });
  io.out(`Burrow is at ${server.url}`);
  hooks.onUrl?.(server.url);
  io.err('burrow: serving on 127.0.0.1 only; the token in the URL is the key. Ctrl-C stops.');
  await new Promise<void>((done) => {
    const stop = () =>
      void server
        .close()
        .then(() => service!.shutdown())
        .then(() => demo.stop())
        .then(done);
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
  return 0;
}
