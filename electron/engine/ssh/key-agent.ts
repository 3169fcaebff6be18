/**
 * An SSH agent inside the engine. It holds the keys Burrow loaded, signs for
 * Burrow's own connections, and is what agent forwarding exposes to the
 * source during a run, so rsync there can log in to the destination without
 * any private key ever being stored on the source.
 */
import { Duplex } from 'node:stream';
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
    cb(undefined, new AgentRequestFilter(proto));
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

const SSH_AGENT_FAILURE = 5;
const SSH_AGENTC_REQUEST_IDENTITIES = 11;
const SSH_AGENTC_SIGN_REQUEST = 13;

/**
 * Frames agent requests and passes only "list keys" and "sign" to ssh2's
 * AgentProtocol, answering every other request (such as OpenSSH 8.9+'s
 * session-bind@openssh.com extension) with a failure itself: ssh2's server
 * side does not skip the body of a message it does not know, and then reads
 * garbage. An agent client waits for each answer, so order is kept.
 */
class AgentRequestFilter extends Duplex {
  private pending = Buffer.alloc(0);

  constructor(private readonly proto: InstanceType<typeof AgentProtocol>) {
    super();
    proto.on('data', (b: Buffer) => this.push(b));
    proto.on('error', (err: Error) => this.destroy(err));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      const len = this.pending.readUInt32BE(0);
      if (this.pending.length < 4 + len) break;
      const msg = this.pending.subarray(0, 4 + len);
      this.pending = this.pending.subarray(4 + len);
      const type = msg[4];
      if (type === SSH_AGENTC_REQUEST_IDENTITIES || type === SSH_AGENTC_SIGN_REQUEST) this.proto.write(msg);
      else this.push(Buffer.from([0, 0, 0, 1, SSH_AGENT_FAILURE]));
    }
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.proto.end();
    this.push(null);
    done();
  }
}
