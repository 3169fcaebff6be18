import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppService } from '../../engine/app/app-service';
import { JsonSettingsStore } from '../../engine/app/settings-store';
import { startDemoLab, type DemoLab } from '../../engine/demo';
import { startHttpBridge, type RunningServer } from '../../engine/web/http-bridge-server';
import type { CommandContext } from '../main';
import { formatBytes, narrate } from '../output';
import { ensureRendererBuilt } from './serve';

/**
 * `burrow demo [--serve] [--keep]`: a real backup through a real reverse
 * tunnel on a throw-away loopback lab, in under a minute, as a normal user.
 */
export async function demoCommand({ io, values }: CommandContext): Promise<number> {
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
    io.err('burrow demo: starting a throw-away lab on 127.0.0.1 (a source and a destination sshd, fresh keys)...');
    demo = await startDemoLab();
    const { lab } = demo;
    io.err(`  source       127.0.0.1:${lab.source.port}  ${lab.source.hostKeyFingerprint}  (pinned)`);
    io.err(`  destination  127.0.0.1:${lab.destination.port}  ${lab.destination.hostKeyFingerprint}  (pinned)`);
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
      io.err('burrow demo: the lab keeps running; Ctrl-C removes it.');
      await new Promise<void>((r) => (wake = r));
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
