import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~` and `~/x` mean the user's home directory, as in ssh_config. */
export function expandHome(p: string, home: string = homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

/** Where Burrow keeps its config: $XDG_CONFIG_HOME/burrow, else ~/.config/burrow. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'burrow');
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

/** Where Burrow keeps history, locks and logs: $XDG_STATE_HOME/burrow, else ~/.local/state/burrow. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'burrow');
}
