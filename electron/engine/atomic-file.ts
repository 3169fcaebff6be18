import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file so that a crash leaves either the old or the new content,
 * never a mix: write a temporary file beside it, fsync, rename over.
 * The old file's mode is kept (0600 for a new one), unless `mode` is given.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const mode =
    opts.mode ??
    (await stat(path).then(
      (s) => s.mode & 0o777,
      () => 0o600,
    ));
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
