/**
 * Raw HTTP over a TCP socket to 127.0.0.1, for requests Node's own client
 * refuses to send (broken request lines, targets, headers and bodies).
 */
import { connect } from 'node:net';

export interface RawOutcome {
  /** The status code of the first response line, if one came. */
  status?: number;
  /** The server closed the connection. */
  closed: boolean;
  /** Neither a response line nor a close within the time allowed. */
  timedOut: boolean;
  /** What arrived, up to the end of the first response's head (or all of it, when shorter). */
  head: string;
}

export interface RawOptions {
  /** Half-close after sending, as a client that has nothing more to say. Default true. */
  end?: boolean;
  /** Give up waiting after this long (default 5000 ms). */
  timeoutMs?: number;
}

/** Sends `raw` to 127.0.0.1:port and waits for a response head or a close; then closes the socket. */
export function rawExchange(port: number, raw: string | Buffer, opts: RawOptions = {}): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    let settled = false;
    const finish = (o: Omit<RawOutcome, 'head' | 'status'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      const headEnd = data.indexOf('\r\n\r\n');
      resolve({ ...o, head: headEnd >= 0 ? data.slice(0, headEnd) : data.slice(0, 2000), ...(m ? { status: Number(m[1]) } : {}) });
    };
    const timer = setTimeout(() => finish({ closed: false, timedOut: true }), opts.timeoutMs ?? 5000);
    socket.on('data', (b: Buffer) => {
      data += b.toString('latin1');
      if (data.includes('\r\n\r\n')) finish({ closed: false, timedOut: false });
    });
    socket.on('close', () => finish({ closed: true, timedOut: false }));
    socket.on('error', () => finish({ closed: true, timedOut: false }));
    socket.on('connect', () => {
      if (opts.end === false) socket.write(raw);
      else socket.end(raw);
    });
  });
}

/** `raw` with {HOST} and {TOKEN} filled in. */
export function fillIn(raw: string, port: number, token: string): string {
  return raw.replaceAll('{HOST}', `127.0.0.1:${port}`).replaceAll('{TOKEN}', token);
}
