#!/usr/bin/env node
// Bundles the Electron main process and the preload into dist/electron/ (CJS,
// as Electron's sandboxed preload needs). The engine stays plain TypeScript.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // ssh2's optional native crypto add-ons are loaded at run time when present.
  external: ['electron', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

await build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs' });
await build({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs' });
console.log('built dist/electron/main.cjs and dist/electron/preload.cjs');
