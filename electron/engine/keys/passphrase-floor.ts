/**
 * The floor for a passphrase Burrow is given to encrypt a key under: at
 * least MIN_PASSPHRASE_LENGTH characters and not one character repeated.
 * Length is what resists guessing once a copy of the key file is taken
 * (NIST SP 800-63B asks for length, not for mixed character classes). The
 * key store applies it to every new passphrase, so the CLI and the Keys
 * page get the same rule and the same words; a key imported under the
 * passphrase it already has keeps it.
 */
import { MIN_PASSPHRASE_LENGTH } from '../../../shared/api-contract';
import { BurrowError } from '../errors';

export { MIN_PASSPHRASE_LENGTH };

/** A new passphrase below the floor; the message says what is needed, never the passphrase. */
export class WeakPassphraseError extends BurrowError {
  constructor(message: string) {
    super('config', message);
    this.name = 'WeakPassphraseError';
  }
}

/** Why `passphrase` is below the floor, as words that follow "the passphrase ...", or undefined. */
export function passphraseProblem(passphrase: string): string | undefined {
  const chars = [...passphrase];
  if (chars.length < MIN_PASSPHRASE_LENGTH) {
    return `is shorter than ${MIN_PASSPHRASE_LENGTH} characters: use at least ${MIN_PASSPHRASE_LENGTH}, for example a few unrelated words`;
  }
  if (new Set(chars).size === 1) return 'is one character repeated: use a few unrelated words';
  return undefined;
}

/** Throws a WeakPassphraseError naming `what` ("the passphrase for key backup") when below the floor. */
export function checkNewPassphrase(passphrase: string, what: string): void {
  const problem = passphraseProblem(passphrase);
  if (problem) throw new WeakPassphraseError(`${what} ${problem}`);
}
