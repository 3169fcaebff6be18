import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppService } from '../../engine/app/app-service';
import { JsonSettingsStore } from '../../engine/app/settings-store';
import { startDemoLab, type DemoLab } from '../../engine/demo';
import type { LabHost } from '../../lab/lab';
import { startHttpBridge, type RunningServer } from '../../engine/web/http-bridge-server';
import type { CommandContext } from '../main';
import { formatBytes } from '../../../shared/format-bytes';
import { narrate } from '../output';
import { ensureRendererBuilt } from './serve';

/** Where a demo host really is: loopback for a normal user, its own network namespace for root. */
export function describeDemoHost(h: LabHost): string {
  return `${h.address}:${h.port}${h.netns ? ` (network namespace ${h.netns})` : ''}  user ${h.user}  ${h.hostKeyFingerprint}  (pinned)`;
}

/**
 * `burrow demo [--serve] [--keep]`: a real backup through a real reverse
 * tunnel on a throw-away lab (loopback sshd processes for a normal user), in
 * under a minute. With --serve or --keep the lab stays until Ctrl-C.
 */
export async function demoCommand({ io, values }: CommandContext, hooks: { onUrl?: (url: string) => void } = {}): Promise<number> {
  let demo: DemoLab | undefined;
  let server: RunningServer | undefined;
  let service: AppService | undefined;
  let interrupted = false;
  let wake: () => void = () => {};
  const onSignal = () => {
    interrupted = true;
    if (service) for (const j of service.engine?.config.jobs ?? []) service.engine?.cancel(j.name);
    wake();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    io.err('burrow demo: starting a throw-away lab (a source and a destination sshd, fresh keys)...');
    demo = await startDemoLab();
    const { lab } = demo;
    io.err(`  lab          ${lab.mode === 'netns' ? 'one network namespace per host (run as root)' : 'sshd processes on 127.0.0.1'}`);
    io.err(`  source       ${describeDemoHost(lab.source)}`);
    io.err(`  destination  ${describeDemoHost(lab.destination)}`);
    io.err(`  config       ${demo.configPath}`);
    service = await AppService.open({
      configPath: demo.configPath,
      stateDir: demo.stateDir,
      settings: new JsonSettingsStore(join(lab.dir, 'ui-settings.json')),
      shell: 'web',
      schedule: false,
    });
    if (values.serve) {
      const staticDir = await ensureRendererBuilt(io.err);
      server = await startHttpBridge({ service, staticDir, log: io.err, ...(typeof values.port === 'string' ? { port: Number(values.port) } : {}) });
      io.out(`Burrow is at ${server.url}`);
      hooks.onUrl?.(server.url);
    }
    const engine = service.engine!;
    engine.on('event', narrate(io));
    const record = await engine.runNow('demo');
    if (record.status === 'succeeded') {
      io.err(`burrow demo: the backup went through the tunnel; the archives landed in ${demo.destinationPath}:`);
      for (const name of readdirSync(demo.destinationPath).sort()) {
        io.err(`  ${name}  ${formatBytes(statSync(join(demo.destinationPath, name)).size)}`);
      }
    } else {
      io.err(`burrow demo: the run ${record.status}: ${record.error?.message ?? ''}`);
    }
    if ((values.serve || values.keep) && !interrupted) {
      io.err(
        `burrow demo: the lab keeps running (log in with: ssh -i ${lab.clientKey.privateKeyPath} -p ${lab.source.port} ${lab.source.user}@${lab.source.address}); Ctrl-C removes it.`,
      );
      // Nothing else may hold the event loop (no server without --serve): without this, Node would end the wait at once.
      const keepAlive = setInterval(() => {}, 60_000);
      await new Promise<void>((r) => (wake = r)).finally(() => clearInterval(keepAlive));
    }
    return record.status === 'succeeded' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await server?.close();
    await service?.shutdown();
    await demo?.stop();
    if (demo) io.err('burrow demo: lab removed.');
  }
}
