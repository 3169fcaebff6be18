import { findJob } from '../../engine/job-lookup';
import { checkJob } from '../../engine/check';
import { loadConfig } from '../../engine/config-file';
import { headlessAgentProvider } from '../../engine/keys/store-agent-provider';
import type { CommandContext } from '../main';

/** `burrow check`: pass or fail per hop, with the cause and the command to reproduce it. */
export async function checkCommand({ io, configPath, values }: CommandContext): Promise<number> {
  const config = await loadConfig(configPath);
  const job = findJob(config, values.job as string | undefined);
  const results = await checkJob({ config, job, agents: headlessAgentProvider(configPath) });
  if (values.json) io.out(JSON.stringify(results, null, 2));
  else {
    for (const r of results) {
      const mark = r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'FAIL' : 'skip';
      io.out(`${mark}  ${r.hop}${r.cause ? `: ${r.cause}` : ''}\n      $ ${r.command}`);
    }
  }
  return results.some((r) => r.status !== 'pass') ? 1 : 0;
}
