/**
 * Passphrases and passwords for the CLI: read from the terminal without
 * echo, or, for automation and tests only, from an environment variable.
 * Never from a command-line argument, which other users can read in the
 * process list and which lands in shell history.
 */
import { BurrowError, cancelledError } from '../errors';

/** What to ask for, and the variable automation sets instead. */
export interface SecretRequest {
  /** What is asked for, e.g. "passphrase for key backup". */
  what: string;
  /** Read this variable first (BURROW_KEY_PASSPHRASE, BURROW_PASSWORD). */
  envVar: string;
  /** Ask twice and require the same answer (a new passphrase). */
  confirm?: boolean;
  /** Why a typed answer is refused, asked before the second entry (the key store checks again). */
  check?: (secret: string) => string | undefined;
}

/** Where a secret is read from and the prompt written to (injected for tests). */
export interface SecretIo {
  env: NodeJS.ProcessEnv;
  input: NodeJS.ReadStream;
  /** Where the prompt goes (stderr, so stdout stays clean). */
  output: NodeJS.WritableStream;
}

const defaultIo = (): SecretIo => ({ env: process.env, input: process.stdin, output: process.stderr });

/** The secret from the environment, or typed on the terminal without echo. */
export async function readSecret(req: SecretRequest, io: SecretIo = defaultIo()): Promise<string> {
  const fromEnv = io.env[req.envVar];
  if (fromEnv) return fromEnv;
  if (!io.input.isTTY) {
    throw new BurrowError('config', `no terminal to ask for the ${req.what}; for automation, set ${req.envVar}`);
  }
  const first = await readHidden(`${capitalise(req.what)}: `, io);
  const problem = req.check?.(first);
  if (problem) throw new BurrowError('config', `the ${req.what} ${problem}`);
  if (!req.confirm) return first;
  const second = await readHidden(`Again: `, io);
  if (first !== second) throw new BurrowError('config', `the two ${req.what} entries differ`);
  return first;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One line from a raw-mode terminal; nothing is echoed. */
function readHidden(prompt: string, io: SecretIo): Promise<string> {
  const input = io.input;
  io.output.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      io.output.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(cancelledError('reading the secret'));
        if (ch === '\u0004' && text === '') return finish(new BurrowError('config', 'no input'));
        if (ch === '\u007f' || ch === '\b') text = Array.from(text).slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
