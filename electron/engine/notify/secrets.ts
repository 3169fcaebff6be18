/**
 * A channel's secret (an SMTP password, a webhook or metrics token), read
 * when it is needed from an environment variable or from a file only its
 * owner can read, never from the config itself.
 */
import { stat, readFile } from 'node:fs/promises';
import { expandHome } from '../paths';
import { BurrowError } from '../errors';

export interface SecretRef {
  env?: string | undefined;
  file?: string | undefined;
}

/** The secret, or undefined when none is configured; throws a config error naming what is wrong (never the value). */
export async function readSecretRef(ref: SecretRef, env: NodeJS.ProcessEnv, what: string): Promise<string | undefined> {
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (!value) throw new BurrowError('config', `${what}: the environment variable ${ref.env} is not set`);
    return value;
  }
  if (ref.file === undefined) return undefined;
  const path = expandHome(ref.file);
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (err) {
    throw new BurrowError('config', `${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new BurrowError('config', `${what}: ${path} can be read by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const value = (await readFile(path, 'utf8')).trim();
  if (!value) throw new BurrowError('config', `${what}: ${path} is empty`);
  return value;
}
