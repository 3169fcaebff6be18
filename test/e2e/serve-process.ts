/**
 * `burrow serve` as the user starts it: a child process with its own config,
 * state and settings directories, and the URL it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BURROW = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'burrow.mjs');

export interface ServeProcess {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startServe(dir: string, config?: object, extraArgs: string[] = []): Promise<ServeProcess> {
  mkdirSync(join(dir, 'config'), { recursive: true });
  const configPath = join(dir, 'config', 'burrow', 'config.json');
  mkdirSync(join(dir, 'config', 'burrow'), { recursive: true });
  if (config) writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [BURROW, 'serve', '--no-schedule', '--config', configPath, ...extraArgs], {
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`burrow serve printed no URL:\n${out}`)), 60_000);
    const look = () => {
      const m = /Burrow is at (http:\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`burrow serve exited ${code}:\n${out}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
