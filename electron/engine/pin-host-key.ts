/**
 * Pins a host key in the config file: only that field changes, the result is
 * validated before it is written, and the write is atomic.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file';
import { parseConfigText } from './config-file';
import { BurrowError } from './errors';

export async function pinHostKey(configPath: string, hostName: string, keyLine: string): Promise<void> {
  const text = await readFile(configPath, 'utf8');
  const data = JSON.parse(text) as { hosts?: Record<string, Record<string, unknown>> };
  const host = data.hosts?.[hostName];
  if (!host) throw new BurrowError('config', `no host named "${hostName}" in ${configPath}`);
  host.hostKey = keyLine;
  const next = `${JSON.stringify(data, null, 2)}\n`;
  parseConfigText(next, configPath); // never write a config that would not load
  await writeFileAtomic(configPath, next);
}
