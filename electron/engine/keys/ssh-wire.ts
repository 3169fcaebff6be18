/**
 * The SSH wire encoding (RFC 4251 section 5) that key blobs and OpenSSH
 * private key files are made of: uint32, length-prefixed strings and mpints.
 */

/** Builds a buffer from SSH wire fields, in order. */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0, 0);
    this.parts.push(b);
    return this;
  }

  /** A length-prefixed byte string. */
  string(data: Buffer | string): this {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.uint32(b.length);
    this.parts.push(b);
    return this;
  }

  /** A non-negative multiple-precision integer given as unsigned big-endian bytes. */
  mpint(unsigned: Buffer): this {
    return this.string(mpintBytes(unsigned));
  }

  /** Bytes without a length prefix. */
  raw(data: Buffer): this {
    this.parts.push(data);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * Unsigned big-endian bytes as an mpint body: leading zero bytes removed, and
 * one zero byte put back when the top bit is set, so the value stays positive.
 */
export function mpintBytes(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  if (trimmed.length === 0) return Buffer.alloc(0);
  return (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : Buffer.from(trimmed);
}

/** Reads SSH wire fields in order; every read throws on truncated input. */
export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  uint32(): number {
    if (this.remaining < 4) throw new Error('truncated SSH data');
    const n = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  string(): Buffer {
    const len = this.uint32();
    if (this.remaining < len) throw new Error('truncated SSH data');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  text(): string {
    return this.string().toString('utf8');
  }

  /** The unread rest, without a length prefix. */
  rest(): Buffer {
    const b = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return b;
  }
}
