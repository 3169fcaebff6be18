/**
 * An SSH agent inside the engine. It holds the keys Burrow loaded, signs for
 * Burrow's own connections, and is what agent forwarding exposes to the
 * source during a run, so rsync there can log in to the destination without
 * any private key ever being stored on the source.
 */
import type { Duplex } from 'node:stream';
import { AgentProtocol, BaseAgent, utils, type ParsedKey, type SigningRequestOptions } from './ssh2-lib';

type SignCallback = (err?: Error, signature?: Buffer) => void;

export class KeyAgent extends BaseAgent<ParsedKey> {
  private readonly keys: ParsedKey[];

  constructor(keys: ParsedKey[]) {
    super();
    this.keys = keys;
  }

  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    cb(undefined, this.keys);
  }

  sign(pubKey: ParsedKey, data: Buffer, options: SigningRequestOptions, cb?: SignCallback): void;
  sign(pubKey: ParsedKey, data: Buffer, cb: SignCallback): void;
  sign(pubKey: ParsedKey, data: Buffer, options: SigningRequestOptions | SignCallback, cb?: SignCallback): void {
    const done = (typeof options === 'function' ? options : cb)!;
    const hash = typeof options === 'object' ? options.hash : undefined;
    const sig = this.signWith(pubKey, data, hash);
    if (sig instanceof Error) done(sig);
    else done(undefined, sig);
  }

  /** A stream speaking the agent protocol; ssh2 pipes forwarded agent channels into it. */
  override getStream(cb: (err: Error | undefined, stream?: Duplex) => void): void {
    const proto = new AgentProtocol(false);
    proto.on('identities', (req) => proto.getIdentitiesReply(req, this.keys));
    proto.on('sign', (req, pubKey, data, flags) => {
      const sig = this.signWith(pubKey, data, flags?.hash);
      if (sig instanceof Error) proto.failureReply(req);
      else proto.signReply(req, sig);
    });
    cb(undefined, proto);
  }

  private signWith(pubKey: ParsedKey | Buffer, data: Buffer, hash?: string): Buffer | Error {
    const blob = Buffer.isBuffer(pubKey) ? pubKey : pubKey.getPublicSSH();
    const key = this.keys.find((k) => k.getPublicSSH().equals(blob));
    if (!key) return new Error('this agent holds no such key');
    const sig = key.sign(data, hash);
    return sig;
  }
}

/** Parses a private key file's text; throws a message naming the file on failure. */
export function parsePrivateKey(text: string | Buffer, fileName: string, passphrase?: string): ParsedKey {
  const parsed = utils.parseKey(text, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    throw new Error(
      encrypted
        ? `identity file ${fileName} is encrypted and no usable passphrase was given`
        : `identity file ${fileName} is not a private key Burrow can read: ${parsed.message}`,
    );
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) throw new Error(`identity file ${fileName} holds no private key`);
  return key;
}
