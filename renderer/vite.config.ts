/**
 * Builds the renderer: the same bundle is loaded from disk by the Electron
 * window and served over HTTP by `burrow serve`, hence relative asset URLs.
 * Runs in Node, so it belongs to the Node TypeScript project, not the web one.
 *
 * For development against a running `burrow serve`:
 *   BURROW_API=http://127.0.0.1:PORT npx vite --config renderer/vite.config.ts
 * then open the dev server's URL with `?token=TOKEN` from `burrow serve`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { META_CSP } from '../shared/csp';

const here = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.BURROW_API;

/**
 * The dev server needs an inline script (React Fast Refresh) and a websocket
 * (HMR), both of which the page's CSP forbids; built pages keep the CSP.
 */
function devWithoutCsp(): Plugin {
  return {
    name: 'burrow-dev-without-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/s, ''),
  };
}

/** The built page's meta CSP, from the one policy in shared/csp.ts. */
function metaCsp(): Plugin {
  return {
    name: 'burrow-meta-csp',
    apply: 'build',
    transformIndexHtml: (html) => html.replace('%BURROW_CSP%', META_CSP),
  };
}

export default defineConfig({
  root: here,
  // Relative URLs: file:// in Electron and http://127.0.0.1:PORT/ in a browser.
  base: './',
  plugins: [react(), devWithoutCsp(), metaCsp()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    // One local bundle read from disk or loopback, never over a real network: size warnings do not apply.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    host: '127.0.0.1',
    ...(api ? { proxy: { '/api': { target: api, changeOrigin: false } } } : {}),
  },
});
