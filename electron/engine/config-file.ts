/**
 * Reads the config file: JSON, validated by the shared schema, `~` expanded.
 * Nothing runs on an invalid config; every problem names its field.
 */
import { readFile } from 'node:fs/promises';
import { formatProblems, validateConfig, type BurrowConfig, type ConfigProblem } from '../../shared/config-schema';
import { BurrowError, configProblems as toApiProblems } from './errors';
import { expandHome } from './paths';

export class ConfigError extends BurrowError {
  constructor(
    readonly path: string,
    readonly configProblems: ConfigProblem[],
  ) {
    super('config', `invalid config ${path}:\n${formatProblems(configProblems)}`, {
      problems: toApiProblems(configProblems),
    });
    this.name = 'ConfigError';
  }
}

export function parseConfigText(text: string, path: string): BurrowConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [{ field: '(file)', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const result = validateConfig(data);
  if (!result.ok) throw new ConfigError(path, result.problems);
  for (const host of Object.values(result.config.hosts)) {
    if (host.identityFile) host.identityFile = expandHome(host.identityFile);
  }
  return result.config;
}

export async function loadConfig(path: string): Promise<BurrowConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BurrowError(
      'config',
      code === 'ENOENT' ? `no config file at ${path} (write one, or pass --config PATH)` : `cannot read ${path}: ${(err as Error).message}`,
    );
  }
  return parseConfigText(text, path);
}
