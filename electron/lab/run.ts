/**
 * Minimal child-process helpers used by the lab: run an argv (never through a
 * shell), collect its output, optionally feed stdin and enforce a timeout.
 */
import { spawn } from 'node:child_process';

/** Outcome of a finished command. */
export interface ExecResult {
  /** Exit code, or `null` when the process was killed by a signal. */
  code: number | null;
  /** Terminating signal, or `null` when the process exited normally. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  /** SIGKILL the child after this many milliseconds (default 60 000). */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Run `argv[0]` with arguments `argv.slice(1)` and collect its output.
 *
 * Never rejects because of the command's exit status; it rejects only when the
 * program cannot be started at all (for example ENOENT).
 */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('run: empty argv'));
  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A child that exits without reading its stdin must not crash us (EPIPE).
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Describe a failed command for an error message. */
export function describeFailure(argv: readonly string[], r: ExecResult): string {
  const status = r.signal ? `signal ${r.signal}` : `exit code ${String(r.code)}`;
  const output = `${r.stderr}${r.stdout}`.trim();
  return `\`${argv.join(' ')}\` failed with ${status}${output ? `:\n${output}` : ''}`;
}

/** Like {@link run} but rejects unless the command exits with code 0. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(describeFailure(argv, r));
  return r;
}
