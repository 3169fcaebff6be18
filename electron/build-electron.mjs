#!/usr/bin/env node
// Bundles the Electron main process and the preload into dist/electron/ (CJS,
// as Electron's sandboxed preload needs), and the `burrow` command into
// dist/cli/main.mjs (ESM, its pure-JS npm dependencies bundled in), which
// electron/cli/burrow.mjs runs when it is newer than the sources: plain node
// instead of tsx's loader, a third of the daemon's idle CPU and memory.
// `--outdir DIR` writes them under DIR instead of dist/ (the relay-heap test
// reads a fresh main bundle without touching the one in dist/).
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Paths below (and the inputs list) are relative to the checkout, wherever this is started from.
const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const out = values.outdir ? resolve(values.outdir) : join(root, 'dist');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // ssh2's optional native crypto add-ons are loaded at run time when present; better-sqlite3
  // (the history) is a native module: electron-builder rebuilds it for Electron and ships it unpacked.
  external: ['electron', 'cpu-features', './crypto/build/Release/sshcrypto.node', 'better-sqlite3'],
};

await build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: join(out, 'electron', 'main.cjs') });
await build({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: join(out, 'electron', 'preload.cjs') });
/**
 * zod re-exports its 60-odd message locales as `z.locales`; Burrow words its
 * problems itself (shared/config-words.ts) and sets no locale, yet a bundle
 * keeps them all (about a third of what every command compiled at start).
 * The CLI bundle gets an empty `locales` instead: zod's own English messages
 * come from locales/en.js, which it imports directly.
 */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: 'zod-locales', namespace: 'no-zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

// Chunks are named by their content: clear the old ones, or they pile up build after build.
rmSync(join(out, 'cli'), { recursive: true, force: true });
const cli = await build({
  entryPoints: ['electron/cli/main.ts'],
  outdir: join(out, 'cli'),
  // Split at the commands' dynamic imports (electron/cli/lazy-command.ts): a command loads its own code only.
  splitting: true,
  minifyWhitespace: true,
  minifySyntax: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Pure-JS dependencies go into the bundle (resolving and loading dozens of
  // packages from node_modules was a third of a command's start-up); native
  // ones, ssh2 (its optional native crypto is found next to it) and the
  // build tools `serve` loads only when the UI is missing stay outside.
  external: ['better-sqlite3', 'ssh2', 'cpu-features', 'electron', 'tsx', 'vite', 'esbuild'],
  // Bundled CommonJS packages require node's modules at run time.
  banner: { js: "import { createRequire as __burrowRequire } from 'node:module'; const require = __burrowRequire(import.meta.url);" },
  metafile: true,
  absWorkingDir: root,
  plugins: [noZodLocales],
});
// The sources in the bundle: burrow.mjs runs it only while none is newer.
const inputs = Object.keys(cli.metafile.inputs).filter((p) => p.endsWith('.ts'));
writeFileSync(join(out, 'cli', 'inputs.json'), `${JSON.stringify(inputs)}\n`);
console.log(`built ${['electron/main.cjs', 'electron/preload.cjs', 'cli/main.mjs'].map((p) => join(out, p)).join(', ')}`);
