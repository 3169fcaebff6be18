/**
 * A command's code loaded when it runs, not when `burrow` starts: `burrow
 * --version`, `--help` or `status` then never load ssh2, the web server or
 * the UI's build tools (ssh2 alone is about 0.17 s of a start). The CLI
 * bundle is split at these imports (electron/build-electron.mjs).
 */
import type { CommandContext } from './main';

export type CommandRun = (ctx: CommandContext) => Promise<number>;

export function lazy<K extends string, M extends Record<K, CommandRun>>(load: () => Promise<M>, key: K): CommandRun {
  return async (ctx) => (await load())[key](ctx);
}
