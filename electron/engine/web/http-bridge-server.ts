/**
 * `burrow serve`: the built UI and the API over HTTP, on 127.0.0.1 only.
 * Like Jupyter, a random token is printed in the URL; every API request
 * must carry it, and requests from a foreign Origin or Host are refused, so
 * neither another local user's browser tab nor a DNS-rebinding page can
 * drive the engine.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppService } from '../app/app-service';
import { BadRequestError, dispatch, errorBody } from '../app/dispatch';
import { serveStatic } from './static-files';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
const MAX_BODY = 1_000_000;

export interface ServeOptions {
  service: AppService;
  staticDir: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadRequestError('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('request body is not JSON');
  }
}

export async function startHttpBridge(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let origins: string[] = [];
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const host = req.headers.host ?? '';
    if (!origins.some((o) => o.endsWith(`//${host}`))) return send(res, 403, { ok: false, error: { message: `unexpected Host "${host}"` } });
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.includes(origin)) return send(res, 403, { ok: false, error: { message: `requests from ${origin} are not allowed` } });
    const url = new URL(req.url ?? '/', origins[0]);
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, opts.staticDir, url.pathname, CSP);

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!sameToken(bearer ?? url.searchParams.get('token') ?? undefined, token)) {
      return send(res, 401, { ok: false, error: { message: 'missing or wrong token: open the URL `burrow serve` printed' } });
    }
    if (url.pathname === '/api/events' && req.method === 'GET') return events(res);
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: { message: 'use POST' } });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, { ok: false, error: { message: 'Content-Type must be application/json' } });
    }
    try {
      const args = await readBody(req);
      const result = await dispatch(opts.service.handlers, url.pathname.slice('/api/'.length), args);
      send(res, 200, { ok: true, result });
    } catch (err) {
      send(res, err instanceof BadRequestError ? 400 : 500, { ok: false, error: errorBody(err) });
    }
  }

  function events(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const write = (e: unknown) => res.write(`data: ${JSON.stringify(e)}\n\n`);
    write({ type: 'state', state: opts.service.state() });
    opts.service.on('event', write);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(ping);
      opts.service.off('event', write);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
