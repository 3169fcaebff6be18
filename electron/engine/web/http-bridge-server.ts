/**
 * `burrow serve`: the built UI and the API over HTTP, on 127.0.0.1 only.
 * Like Jupyter, a random token is printed in the URL; every API request
 * must carry it, and requests from a foreign Origin or Host are refused, so
 * neither another local user's browser tab nor a DNS-rebinding page can
 * drive the engine.
 *
 * The process also runs the schedule, so nothing a client sends may take it
 * down: every request ends in a response or a closed socket, whatever
 * throws inside is logged and answered with a 500, request targets are
 * checked before they are parsed, and slow or piled-up clients are cut off.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppService } from '../app/app-service';
import { dispatch } from '../app/dispatch';
import type { Metrics } from './metrics';
import { serveStatic } from './static-files';
import { bearerMatches, bearerToken, sameToken } from './tokens';
import { CSP } from '../../../shared/csp';

const MAX_BODY = 1_000_000;
/** Event streams one token may hold open at once: a few tabs' worth. */
export const MAX_EVENT_STREAMS = 8;
/** Open connections at once, slow ones included; each slow one is cut off after the headers timeout. */
const MAX_CONNECTIONS = 256;

export interface ServeOptions {
  service: AppService;
  staticDir: string;
  port?: number;
  token?: string;
  /** Where the server tells what went wrong on its side (default: nowhere). Never given a token or a body. */
  log?: (message: string) => void;
  /** Open event streams allowed per token (default {@link MAX_EVENT_STREAMS}). */
  maxEventStreams?: number;
  /**
   * How long a client may take: the headers (default 10 s) and the whole
   * request (default 30 s); Node checks every checkIntervalMs (default 1 s).
   */
  timeouts?: { headersMs?: number; requestMs?: number; checkIntervalMs?: number };
  /**
   * `/metrics` on this port (off when absent): it needs `Authorization:
   * Bearer` with the UI's token or the metrics token.
   */
  metrics?: { metrics: Metrics; token?: string | undefined };
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Why a request target is refused before any URL parsing, or undefined when
 * it is an origin-form path the server handles: one `/`, then printable
 * ASCII. `//host:port/...` and `/\host` would be read by the URL parser as
 * another authority (or make it throw); `*` and absolute forms are for proxies.
 */
export function requestTargetProblem(target: string | undefined): string | undefined {
  if (!target) return 'no request target';
  if (target.length > 8192) return 'request target too long';
  if (!/^\/[\x21-\x7e]*$/.test(target)) return 'request target must be a path starting with "/"';
  if (target[1] === '/' || target[1] === '\\') return 'request target must start with a single "/"';
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

const refuse = (res: ServerResponse, status: number, message: string, headers?: Record<string, string>) =>
  send(res, status, { ok: false, error: { kind: 'bad-request', message } }, headers);

/** A request body the server will not read (too large, not JSON): a 400, before any handler. */
class BadBody extends Error {}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) throw new BadBody('request body too large');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadBody('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadBody('request body is not JSON');
  }
}

export async function startHttpBridge(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const log = opts.log ?? (() => {});
  const maxStreams = opts.maxEventStreams ?? MAX_EVENT_STREAMS;
  let origins: string[] = [];
  let openStreams = 0;
  const server = createServer(
    {
      headersTimeout: opts.timeouts?.headersMs ?? 10_000,
      requestTimeout: opts.timeouts?.requestMs ?? 30_000,
      connectionsCheckingInterval: opts.timeouts?.checkIntervalMs ?? 1_000,
    },
    (req, res) => {
      // A client that goes away mid-request must not surface as an unhandled 'error'.
      req.on('error', () => res.destroy());
      res.on('error', () => res.destroy());
      handle(req, res).catch((err: unknown) => {
        log(`burrow serve: ${req.method} ${(req.url ?? '').slice(0, 200)}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        refuse(res, 500, 'internal error; the server log says more');
      });
    },
  );
  server.maxConnections = MAX_CONNECTIONS;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const targetProblem = requestTargetProblem(req.url);
    if (targetProblem) return refuse(res, 400, targetProblem, { Connection: 'close' });
    const host = req.headers.host ?? '';
    if (!origins.some((o) => o.endsWith(`//${host}`))) return refuse(res, 403, `unexpected Host "${host.slice(0, 100)}"`);
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.includes(origin)) return refuse(res, 403, `requests from ${origin.slice(0, 100)} are not allowed`);
    const url = new URL(req.url!, origins[0]);
    if (url.pathname === '/metrics') return metrics(req, res);
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, opts.staticDir, url.pathname, CSP);

    const bearer = bearerToken(req.headers.authorization);
    if (!sameToken(bearer ?? url.searchParams.get('token') ?? undefined, token)) {
      return refuse(res, 401, 'missing or wrong token: open the URL `burrow serve` printed');
    }
    if (url.pathname === '/api/events' && req.method === 'GET') return events(res);
    if (req.method !== 'POST') return refuse(res, 405, 'use POST', { Allow: 'POST' });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse(res, 415, 'Content-Type must be application/json');
    }
    let args: unknown;
    try {
      args = await readBody(req);
    } catch (err) {
      if (err instanceof BadBody) return refuse(res, 400, err.message);
      // The client went away (or its stream broke) before the body was read: nobody to answer.
      res.destroy();
      return;
    }
    // A request the engine refused is an answer like any other (200, ok: false), so the page's console stays
    // clean; only what nobody foresaw goes to the log too.
    const reply = await dispatch(opts.service.handlers, url.pathname.slice('/api/'.length), args, (err) =>
      log(`burrow serve: ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`),
    );
    send(res, 200, reply);
  }

  async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!opts.metrics) return refuse(res, 404, 'no /metrics on this port: metrics.enabled is off, or metrics.listen serves them on an address of their own');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'use GET', { Allow: 'GET, HEAD' });
    if (!bearerMatches(req.headers.authorization, [token, opts.metrics.token])) {
      return refuse(res, 401, 'missing or wrong token: /metrics needs Authorization: Bearer with the metrics token', { 'WWW-Authenticate': 'Bearer' });
    }
    const text = await opts.metrics.metrics.render();
    if (res.destroyed) return;
    res.writeHead(200, { 'Content-Type': opts.metrics.metrics.contentType, 'Cache-Control': 'no-store' });
    res.end(text);
  }

  function events(res: ServerResponse): void {
    if (openStreams >= maxStreams) {
      return refuse(res, 429, `too many open event streams for this token (${maxStreams}): close a Burrow tab and reload`, { 'Retry-After': '5' });
    }
    openStreams++;
    // Called from the engine's own emit: it must never throw back into the engine.
    const write = (e: unknown) => {
      try {
        if (!res.destroyed) res.write(`data: ${JSON.stringify(e)}\n\n`);
      } catch (err) {
        log(`burrow serve: event stream: ${(err as Error).message}`);
        res.destroy();
      }
    };
    const ping = setInterval(() => {
      if (!res.destroyed) res.write(': ping\n\n');
    }, 15_000);
    res.on('close', () => {
      openStreams--;
      clearInterval(ping);
      opts.service.off('event', write);
    });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    opts.service.on('event', write);
    write({ type: 'state', state: opts.service.state() });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', (err) => log(`burrow serve: ${err.message}`));
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
