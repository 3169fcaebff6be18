import { join } from 'node:path';
import { systemClock } from '../../../shared/clock';
import { JsonSettingsStore } from '../../engine/app/settings-store';
import { loadConfig } from '../../engine/config-file';
import { notifySendChannel } from '../../engine/notify/desktop';
import { notifierFor } from '../../engine/notify/registry';
import { configDir } from '../../engine/paths';
import type { CommandContext } from '../main';

/**
 * `burrow notify-test [CHANNEL]`: a test notice to every alert channel (the
 * desktop's included), or to the one named; one line each, exit 1 when one
 * did not arrive.
 */
export async function notifyTestCommand({ io, configPath, positionals, values }: CommandContext): Promise<number> {
  const config = await loadConfig(configPath);
  const settings = new JsonSettingsStore(join(configDir(), 'ui-settings.json'));
  const notifier = notifierFor(config, { clock: systemClock, desktop: notifySendChannel({ settings: () => settings.get(), log: io.err }) });
  const results = await notifier.test(positionals[0]);
  if (values.json) io.out(JSON.stringify(results, null, 2));
  else {
    const width = Math.max(...results.map((r) => r.name.length));
    for (const r of results) io.out(`${r.name.padEnd(width)}  ${r.type.padEnd(7)}  ${r.ok ? 'ok    ' : 'FAILED'}  ${r.message}`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}
