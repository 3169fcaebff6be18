/**
 * Restoring onto the laptop, for every format: the destination stages what
 * is asked for with its modes and times and sends it as a tar stream, which
 * the laptop's tar unpacks into the chosen directory (as the laptop's user;
 * modes and times kept, existing directories' own metadata left alone). Never
 * over an existing path unless asked.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BurrowError } from '../errors';
import { lastLine, type SshSession } from '../ssh/ssh-session';

/** Refuses, before anything is written, when a path to restore already exists below `dir` (unless in place). */
export async function refuseExistingOnLaptop(dir: string, paths: readonly string[], inPlace: boolean): Promise<void> {
  if (inPlace) return;
  const there: string[] = [];
  for (const p of paths) {
    try {
      await lstat(join(dir, p));
      there.push(p);
    } catch {
      // absent: fine
    }
  }
  if (there.length > 0)
    throw new BurrowError(
      'config',
      `${there.map((p) => join(dir, p)).join(', ')} already exist${there.length === 1 ? 's' : ''}: not overwritten (restore elsewhere, or ask for in place)`,
    );
}

/**
 * Runs `argv` on the destination (its standard output a tar stream; `stdin`
 * its input) and unpacks the stream into `dir` on the laptop.
 */
export async function unpackOnLaptop(dest: SshSession, argv: string[], stdin: string, dir: string, inPlace: boolean, what: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  // --keep-old-files: an existing file is an error, never replaced (the paths were checked before, this is the second lock).
  const tar = spawn('tar', ['-xpf', '-', '-C', dir, '--no-same-owner', ...(inPlace ? ['--overwrite', '--no-overwrite-dir'] : ['--keep-old-files'])], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let tarErr = '';
  tar.stderr.on('data', (b: Buffer) => (tarErr += b.toString()));
  let alive = true;
  const exited = new Promise<number | null>((resolve) =>
    tar.on('close', (code) => {
      alive = false;
      resolve(code);
    }),
  );
  tar.stdin.on('error', () => (alive = false)); // tar failing early closes its input; its status says why
  // Into tar with backpressure while it reads; once it has stopped, the rest is drained so the remote side can finish.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!alive) return done();
      if (tar.stdin.write(chunk)) done();
      else tar.stdin.once('drain', () => done());
    },
    final(done) {
      if (alive) tar.stdin.end();
      done();
    },
  });
  const remote = await dest.exec(argv, { stdin, stdoutTo: sink });
  const code = await exited;
  if (remote.code !== 0)
    throw new BurrowError('remote-command', `${what} on ${dest.endpoint.name} failed: ${lastLine(remote.stderr) || `exit ${remote.code}`}`);
  if (code !== 0) throw new BurrowError('remote-command', `unpacking ${what} into ${dir} failed: ${lastLine(tarErr) || `tar exit ${code}`}`);
}

/** SHA-256 of a file on the laptop. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
