import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bitString,
  boolean,
  decodeObjectIdentifier,
  integer,
  namedBitString,
  objectIdentifier,
  octetString,
  printableString,
  readChildren,
  readElement,
  sequence,
  setOf,
  TAG,
  time,
  tlv,
} from '../../../certs/der.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER integer', () => {
  it('encodes zero as a single zero octet', () => {
    assert.equal(hex(integer(0)), '020100');
  });

  it('prepends a zero octet when the top bit is set, so the value stays positive', () => {
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(256)), '02020100');
  });

  it('strips leading zero octets from a big-endian magnitude', () => {
    assert.equal(hex(integer(Uint8Array.of(0, 0, 0x80))), '02020080');
    assert.equal(hex(integer(Uint8Array.of(0, 0, 0x01))), '020101');
  });

  it('encodes bigints beyond 2^53 exactly', () => {
    assert.equal(hex(integer(2n ** 64n)), '0209010000000000000000');
  });

  it('rejects negative values', () => {
    assert.throws(() => integer(-1), /negative/);
  });
});

describe('DER lengths', () => {
  it('uses the short form below 128 octets', () => {
    assert.equal(hex(tlv(TAG.OCTET_STRING, new Uint8Array(127))).slice(0, 4), '047f');
  });

  it('uses the long form with the minimum number of length octets from 128 on', () => {
    assert.equal(hex(octetString(new Uint8Array(200))).slice(0, 6), '0481c8');
    assert.equal(hex(octetString(new Uint8Array(300))).slice(0, 8), '0482012c');
  });
});

describe('DER object identifier', () => {
  it('packs the first two arcs into one octet and the rest in base 128', () => {
    assert.equal(hex(objectIdentifier('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
    assert.equal(hex(objectIdentifier('2.5.29.17')), '0603551d11');
  });

  it('reads back to the same dotted form', () => {
    for (const oid of ['1.2.840.10045.4.3.2', '2.5.29.17', '1.3.6.1.5.5.7.3.1', '2.999.1']) {
      assert.equal(decodeObjectIdentifier(readElement(objectIdentifier(oid)).content), oid);
    }
  });

  it('rejects text that is not an OID', () => {
    assert.throws(() => objectIdentifier('1'), /not an OID/);
    assert.throws(() => objectIdentifier('1.40'), /second arc/);
  });
});

describe('DER bit strings', () => {
  it('drops trailing zero bits from a named bit list, as keyUsage needs', () => {
    assert.equal(hex(namedBitString([0])), '03020780'); // digitalSignature
    assert.equal(hex(namedBitString([0, 5, 6])), '03020186'); // digitalSignature, keyCertSign, cRLSign
    assert.equal(hex(namedBitString([8])), '0303070080'); // decipherOnly
  });

  it('prefixes the unused-bit count', () => {
    assert.equal(hex(bitString(Uint8Array.of(0xab))), '030200ab');
  });
});

describe('DER time', () => {
  it('uses UTCTime through 2049', () => {
    const der = time(new Date('2030-01-02T03:04:05.678Z'));
    assert.equal(der[0], TAG.UTC_TIME);
    assert.equal(Buffer.from(readElement(der).content).toString(), '300102030405Z');
  });

  it('uses GeneralizedTime from 2050', () => {
    const der = time(new Date('2050-01-01T00:00:00Z'));
    assert.equal(der[0], TAG.GENERALIZED_TIME);
    assert.equal(Buffer.from(readElement(der).content).toString(), '20500101000000Z');
  });
});

describe('DER constructed types', () => {
  it('sorts SET OF elements by their encodings', () => {
    assert.equal(hex(setOf(integer(2), integer(1))), '3106020101020102');
  });

  it('encodes BOOLEAN true as 0xff', () => {
    assert.equal(hex(boolean(true)), '0101ff');
  });

  it('rejects characters PrintableString cannot hold', () => {
    assert.throws(() => printableString('a@b'), /PrintableString/);
  });
});

describe('DER reader', () => {
  it('walks the children of a sequence', () => {
    const der = sequence(integer(1), octetString(Uint8Array.of(9)), sequence());
    const children = readChildren(readElement(der));
    assert.deepEqual(children.map((c) => c.tag), [TAG.INTEGER, TAG.OCTET_STRING, TAG.SEQUENCE]);
    assert.equal(hex(children[1]!.content), '09');
  });

  it('reads long-form lengths', () => {
    const der = octetString(new Uint8Array(300).fill(7));
    assert.equal(readElement(der).content.length, 300);
  });

  it('rejects a truncated element', () => {
    assert.throws(() => readElement(Uint8Array.of(0x04, 0x05, 1, 2)), /truncated/);
  });

  it('rejects indefinite lengths, which DER forbids', () => {
    assert.throws(() => readElement(Uint8Array.of(0x30, 0x80, 0, 0)), /indefinite/);
  });
});
