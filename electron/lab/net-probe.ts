/**
 * Small TCP probes: check an SSH banner from the laptop, connect from inside a
 * host, and hold a port open inside a host. Inside a netns the probes run as a
 * separate node process started with `ip netns exec`.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { run } from './run';

/** Script run as `node -e SCRIPT HOST PORT TIMEOUT_MS`; exit 0 when the connect succeeds. */
const CONNECT_SCRIPT = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
setTimeout(() => process.exit(2), Number(ms));
s.once('connect', () => { s.destroy(); process.exit(0); });
s.once('error', () => process.exit(1));
`;

/** Script run as `node -e SCRIPT PORT`; prints "listening" then holds the port until stdin closes. */
const LISTEN_SCRIPT = `
const net = require('node:net');
const srv = net.createServer((c) => c.destroy());
srv.once('error', (e) => { process.stderr.write(e.message + '\\n'); process.exit(1); });
srv.listen({ host: '127.0.0.1', port: Number(process.argv[1]), exclusive: true }, () => process.stdout.write('listening\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
`;

/** In-process TCP connect with a timeout. */
export function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean): void {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    }
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** True when host:port accepts a TCP connection and sends an `SSH-` banner within timeoutMs. */
export function sshBannerSeen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let buf = '';
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean): void {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    }
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith('SSH-'));
    });
    s.once('error', () => done(false));
    s.once('close', () => done(false));
  });
}

/** TCP connect from inside a namespace (`prefix` = `ip netns exec NS`) or, without prefix, in-process. */
export async function canConnectFrom(prefix: string[], host: string, port: number, timeoutMs: number): Promise<boolean> {
  if (prefix.length === 0) return tcpConnects(host, port, timeoutMs);
  const r = await run([...prefix, process.execPath, '-e', CONNECT_SCRIPT, host, String(port), String(timeoutMs)], {
    timeoutMs: timeoutMs + 10_000,
  });
  return r.code === 0;
}

/**
 * Hold 127.0.0.1:port open with a child node process (inside the namespace when
 * `prefix` is given). Resolves once listening with a release function that
 * closes the listener and waits for the process to exit.
 */
export function holdPort(prefix: string[], port: number): Promise<() => Promise<void>> {
  const [file, ...args] = [...prefix, process.execPath, '-e', LISTEN_SCRIPT, String(port)];
  const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening\n')) {
        resolve(async () => {
          child.stdin.end();
          await exited;
        });
      }
    });
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      if (!out.includes('listening\n')) {
        reject(new Error(`could not listen on 127.0.0.1:${port} (exit ${code ?? sig}): ${err.trim()}`));
      }
    });
  });
}
