/**
 * Burrow's relay for the bench: SshSession to the source and ReverseTunnel
 * straight to the destination, run in a child process of its own
 * (bench/relay-process.ts, bundled by esbuild and run by plain node as
 * `burrow` runs), so its CPU and its garbage collections are the relay's and
 * not the bench's, whose heap holds the lab and the generated tree.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BurrowConfig } from '../shared/config-schema';
import type { Lab } from '../electron/lab/lab';
import type { Relay } from './hops';
import type { GcCounts, RelayReply, RelayRequest } from './relay-serve';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Inside the checkout, so the bundle's package imports resolve to node_modules/. */
const BUNDLE = join(ROOT, 'dist', 'bench', 'relay-process.mjs');

/** How the relay process's heap grows: as shipped (the flag of electron/engine/relay-heap.ts), or V8's own heuristic. */
export type RelayHeap = 'shipped' | 'v8-default';

let built: Promise<unknown> | undefined;

/** Bundles bench/relay-process.ts like `npm run build` bundles the CLI (ESM, packages left as imports); once per bench. */
function buildOnce(): Promise<unknown> {
  built ??= build({
    absWorkingDir: ROOT,
    entryPoints: ['bench/relay-process.ts'],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return built;
}

/** One request, its reply; a reply that is not ok rejects with the child's message. */
function ask<C extends RelayRequest['cmd']>(child: ChildProcess, req: RelayRequest & { cmd: C }): Promise<Extract<RelayReply, { cmd: C }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: RelayReply) => {
      child.off('exit', onExit);
      child.off('message', onMessage);
      if (!m.ok) reject(new Error(`bench relay process: ${m.error}`));
      else if (m.cmd !== req.cmd) reject(new Error(`bench relay process answered ${m.cmd} to ${req.cmd}`));
      else resolve(m as Extract<RelayReply, { cmd: C }>);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`bench relay process exited (${code}) during ${req.cmd}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(req);
  });
}

/** Starts the relay process with `heap` and opens the tunnel in it. */
export async function openBurrowRelay(lab: Lab, config: BurrowConfig, heap: RelayHeap = 'shipped'): Promise<Relay> {
  await buildOnce();
  const child = fork(BUNDLE, [], { env: { ...process.env, BENCH_RELAY_HEAP: heap }, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Never leave it behind when the bench dies (the lab's own handlers exit on signals).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.connected) await ask(child, { cmd: 'close' }).catch(() => undefined);
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    process.off('exit', killOnExit);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: RelayReply) =>
        m.ok && m.cmd === 'ready' ? resolve() : reject(new Error(`bench relay process did not start: ${JSON.stringify(m)}`)),
      );
      child.once('exit', (code) => reject(new Error(`bench relay process exited (${code}) before it was ready`)));
    });
    const opened = await ask(child, { cmd: 'open', config, destination: { address: lab.destination.address, port: lab.destination.port } });
    return {
      port: opened.port,
      cipher: opened.cipher,
      pid: child.pid!,
      gcCounts: async (): Promise<GcCounts> => (await ask(child, { cmd: 'stats' })).gc,
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
