import { loadConfig } from '../../engine/config-file';
import { Engine } from '../../engine/engine';
import { stateDir } from '../../engine/paths';
import type { CommandContext } from '../main';
import { formatStatus } from '../output';

/** `burrow status`: each job's last success, next run and missed slots not yet caught up. */
export async function statusCommand({ io, configPath, values }: CommandContext): Promise<number> {
  const config = await loadConfig(configPath);
  const engine = await Engine.open({ config, stateDir: stateDir() });
  const status = engine.status();
  io.out(values.json ? JSON.stringify(status, null, 2) : status.map(formatStatus).join('\n'));
  return 0;
}
