import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serves the built renderer; never a file outside `root`. The file is opened
 * once and read from that handle, so one removed or replaced meanwhile (a
 * rebuild) ends in a 404 or a closed connection, never in an unhandled
 * stream error.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string, csp: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (rel.includes('\0')) {
    res.writeHead(400).end();
    return;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const full = normalize(join(root, rel));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end();
    return;
  }
  const file = await open(full, 'r').catch(() => undefined);
  const st = await file?.stat().catch(() => undefined);
  if (!file || !st?.isFile()) {
    await file?.close().catch(() => {});
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(full)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD' || st.size === 0) {
    await file.close().catch(() => {});
    res.end();
    return;
  }
  // pipeline closes the file and the response on any error on either side; headers are out, so closing is the answer.
  pipeline(file.createReadStream({ end: st.size - 1 }), res, () => {});
}
