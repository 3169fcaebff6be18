#!/usr/bin/env node
// The `burrow` command. It runs the bundle `npm run build` makes
// (dist/cli/main.mjs, plain node) when no source that went into it
// (dist/cli/inputs.json) is newer; otherwise the sources themselves through
// tsx's loader, so an edit takes effect without a build. BURROW_FROM_SOURCE=1
// forces the sources.
//
// Its first statement gives V8 the heap flag of a process that hosts the
// tunnel relay, before the bundle or tsx fills the heap: without it V8 runs a
// full GC every ~15 MiB relayed (electron/engine/relay-heap.ts says why; this
// file runs before any TypeScript can be loaded, so it spells the flag out,
// and test/unit/relay-heap.test.ts checks it is the same and comes first).
import { setFlagsFromString } from 'node:v8';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

setFlagsFromString('--heap-growing-percent=400');

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'dist', 'cli', 'main.mjs');

function bundleIsFresh() {
  if (process.env.BURROW_FROM_SOURCE === '1') return false;
  let built;
  let inputs;
  try {
    built = statSync(bundle).mtimeMs;
    inputs = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8'));
  } catch {
    return false;
  }
  // A source that is not there (an installed package) cannot be newer.
  return inputs.every((p) => (statSync(join(root, p), { throwIfNoEntry: false })?.mtimeMs ?? 0) <= built);
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
