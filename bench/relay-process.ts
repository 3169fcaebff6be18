/**
 * The bench's Burrow relay, in a process of its own as in the product: the
 * heap flag first (as electron/cli/burrow.mjs sets it, unless
 * BENCH_RELAY_HEAP=v8-default asks for V8's own heap growth, the comparison
 * row), then the whole `burrow` command's code loaded (the engine, zod, ssh2:
 * the heap a daemon holds), then one SshSession to the source and a
 * ReverseTunnel to the destination. The parent (bench/relay-throughput.ts)
 * talks to it over the IPC channel; see {@link RelayRequest}. The bench runs
 * it from an esbuild bundle under plain node, as `burrow` runs.
 */
import { tuneHeapForRelay } from '../electron/engine/relay-heap';

if (process.env.BENCH_RELAY_HEAP !== 'v8-default') tuneHeapForRelay();

const { serveRelay } = await import('./relay-serve');
await serveRelay();
