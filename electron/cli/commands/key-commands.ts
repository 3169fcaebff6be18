/**
 * `burrow keys` and `burrow hosts` as main.ts lists them: their words and
 * options here, their code (keys.ts, hosts.ts) loaded only when they run.
 */
import type { ParseArgsConfig } from 'node:util';
import { lazy, type CommandRun } from '../lazy-command';
import { KEYS_USAGE } from './keys-usage';

/** The shape of main.ts's COMMANDS entries. */
export interface CliCommand {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run: CommandRun;
}

/** `keys` and `hosts`, ready to spread into main.ts's COMMANDS. */
export const KEY_COMMANDS: Record<'keys' | 'hosts', CliCommand> = {
  keys: {
    summary: "Burrow's key store: encrypted keys, installed on hosts with a password once",
    usage: KEYS_USAGE,
    options: {
      json: { type: 'boolean' },
      name: { type: 'string' },
      comment: { type: 'string' },
      yes: { type: 'boolean' },
      host: { type: 'string' },
      role: { type: 'string' },
      path: { type: 'string' },
      fingerprint: { type: 'string' },
    },
    run: lazy(() => import('./keys'), 'keysCommand'),
  },
  hosts: {
    summary: 'hosts from ~/.ssh/config with pins from known_hosts; --write adds them to the config',
    usage: 'burrow hosts import [--from PATH] [--known-hosts PATH] [--write] [--json]',
    options: { from: { type: 'string' }, 'known-hosts': { type: 'string' }, write: { type: 'boolean' }, json: { type: 'boolean' } },
    run: lazy(() => import('./hosts'), 'hostsCommand'),
  },
};
