// A minimal DER (ITU-T X.690) encoder and reader: only the universal types an X.509 v3
// certificate needs, low tag numbers (< 31) only. Pure: bytes in, bytes out.

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

const CONTEXT_SPECIFIC = 0x80;
const CONSTRUCTED = 0x20;

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`DER length out of range: ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value triple. `tag` is the whole identifier octet (class, constructed bit, number). */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || (tag & 0x1f) === 0x1f) {
    throw new RangeError(`unsupported DER tag 0x${tag.toString(16)}`);
  }
  return concatBytes([Uint8Array.of(tag), encodeLength(content.length), content]);
}

export function sequence(...items: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, concatBytes(items));
}

/** SET OF: DER orders the encoded elements as octet strings (X.690 §11.6). */
export function setOf(...items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return tlv(TAG.SET, concatBytes(sorted));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * A non-negative INTEGER, from a number, a bigint or an unsigned big-endian magnitude.
 * DER wants the shortest two's-complement form, so leading zeros go and a 0x00 is
 * prepended when the top bit is set.
 */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  let magnitude: Uint8Array;
  if (value instanceof Uint8Array) {
    magnitude = value;
  } else {
    let n = BigInt(value);
    if (n < 0n) throw new RangeError('negative DER integers are not supported');
    const bytes: number[] = [];
    while (n > 0n) {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    magnitude = Uint8Array.from(bytes);
  }
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let body = magnitude.subarray(start);
  if (body.length === 0) body = Uint8Array.of(0);
  if (((body[0] as number) & 0x80) !== 0) body = concatBytes([Uint8Array.of(0), body]);
  return tlv(TAG.INTEGER, body);
}

export function boolean(value: boolean): Uint8Array {
  return tlv(TAG.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

export function nullValue(): Uint8Array {
  return tlv(TAG.NULL, new Uint8Array(0));
}

/** OBJECT IDENTIFIER from dotted form, e.g. "2.5.29.17". */
export function objectIdentifier(dotted: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new SyntaxError(`not an OID: "${dotted}"`);
  const arcs = dotted.split('.').map((s) => BigInt(s));
  const [first, second] = arcs as [bigint, bigint];
  if (first < 2n && second > 39n) throw new RangeError(`bad second arc in OID "${dotted}"`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) group.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.OBJECT_IDENTIFIER, Uint8Array.from(out));
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new RangeError(`bad unused-bit count ${unusedBits}`);
  }
  return tlv(TAG.BIT_STRING, concatBytes([Uint8Array.of(unusedBits), bytes]));
}

/**
 * A named-bit-list BIT STRING (e.g. keyUsage) from bit positions, bit 0 being the most
 * significant bit of the first octet. DER drops trailing zero bits (X.690 §11.2.2).
 */
export function namedBitString(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return bitString(new Uint8Array(0));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) {
    if (!Number.isInteger(bit) || bit < 0) throw new RangeError(`bad bit position ${bit}`);
    bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  }
  return bitString(bytes, 7 - (highest & 7));
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, bytes);
}

export function utf8String(text: string): Uint8Array {
  return tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));
}

export function printableString(text: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError(`not a PrintableString: "${text}"`);
  return tlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(text));
}

/** X.509 Time: UTCTime for 1950-2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). Whole seconds, UTC. */
export function time(date: Date): Uint8Array {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const year = date.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  if (year >= 1950 && year < 2050) {
    return tlv(TAG.UTC_TIME, new TextEncoder().encode(two(year % 100) + rest));
  }
  if (year < 0 || year > 9999) throw new RangeError(`year out of range: ${year}`);
  return tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(String(year).padStart(4, '0') + rest));
}

/** [n] EXPLICIT: a constructed context-specific wrapper around a whole encoding. */
export function explicit(tagNumber: number, inner: Uint8Array): Uint8Array {
  return tlv(CONTEXT_SPECIFIC | CONSTRUCTED | tagNumber, inner);
}

/** [n] IMPLICIT for a primitive type: the content octets under a context-specific tag. */
export function implicit(tagNumber: number, content: Uint8Array): Uint8Array {
  return tlv(CONTEXT_SPECIFIC | tagNumber, content);
}

// ---- reading ----

export type DerElement = {
  /** the identifier octet */
  tag: number;
  /** content octets */
  content: Uint8Array;
  /** the whole encoding, identifier and length included */
  raw: Uint8Array;
};

/** Reads one element at `offset`; throws on truncation or indefinite lengths (not DER). */
export function readElement(buf: Uint8Array, offset = 0): DerElement {
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) throw new RangeError('DER: truncated header');
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: high tag numbers are not supported');
  let length: number;
  let header = 2;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new RangeError('DER: indefinite length');
    if (count > 4) throw new RangeError('DER: length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = buf[offset + 2 + i];
      if (b === undefined) throw new RangeError('DER: truncated length');
      length = length * 256 + b;
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new RangeError('DER: truncated content');
  return { tag, content: buf.subarray(offset + header, end), raw: buf.subarray(offset, end) };
}

/** The elements inside a constructed element's content. */
export function readChildren(element: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let offset = 0; offset < element.content.length;) {
    const child = readElement(element.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER element's content. */
export function decodeObjectIdentifier(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [head, ...tail] = arcs;
  if (head === undefined) throw new RangeError('DER: empty OID');
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...tail].join('.');
}
