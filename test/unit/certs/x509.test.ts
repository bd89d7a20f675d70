import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readChildren, readElement } from '../../../certs/der.ts';
import {
  basicConstraints,
  type CertificateTemplate,
  encodeName,
  extendedKeyUsage,
  ipAddressBytes,
  keyIdentifier,
  keyUsage,
  OID,
  pemDecode,
  pemEncode,
  readCertificate,
  signCertificate,
  subjectAltName,
  subjectKeyIdentifier,
} from '../../../certs/x509.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function selfSigned(keyType: 'ec' | 'rsa' | 'ed25519', overrides: Partial<CertificateTemplate> = {}) {
  const { privateKey, publicKey } = keyType === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : keyType === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ed25519');
  const name = encodeName({ commonName: 'test' });
  const der = signCertificate(
    {
      serialNumber: Uint8Array.of(0x11, 0x22, 0x33),
      issuer: name,
      subject: name,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      subjectPublicKey: publicKey,
      extensions: [basicConstraints({ ca: true })],
      ...overrides,
    },
    privateKey,
  );
  return { der, publicKey };
}

describe('ipAddressBytes', () => {
  it('gives four octets for IPv4', () => {
    assert.equal(hex(ipAddressBytes('127.0.0.1')), '7f000001');
  });

  it('expands IPv6 "::" to the missing zero groups', () => {
    assert.equal(hex(ipAddressBytes('::1')), '00000000000000000000000000000001');
    assert.equal(hex(ipAddressBytes('2001:db8::8:1')), '20010db8000000000000000000080001');
    assert.equal(hex(ipAddressBytes('fd00:1:2:3:4:5:6:7')), 'fd000001000200030004000500060007');
  });

  it('reads an embedded IPv4 tail', () => {
    assert.equal(hex(ipAddressBytes('::ffff:10.1.2.3')), '00000000000000000000ffff0a010203');
  });

  it('rejects names and zoned addresses', () => {
    assert.throws(() => ipAddressBytes('localhost'), /not an IP/);
    assert.throws(() => ipAddressBytes('fe80::1%eth0'), /not an IP/);
  });
});

describe('signCertificate', () => {
  it('makes a v3 certificate node:crypto parses and whose self-signature verifies (ECDSA P-256)', () => {
    const { der, publicKey } = selfSigned('ec');
    const cert = new X509Certificate(der);
    assert.equal(cert.subject, 'CN=test');
    assert.equal(cert.serialNumber.toUpperCase(), '112233');
    assert.ok(cert.verify(publicKey));
    assert.equal(readCertificate(der).signatureAlgorithm, OID.ecdsaWithSHA256);
  });

  it('signs with an RSA issuer key as sha256WithRSAEncryption', () => {
    const { der, publicKey } = selfSigned('rsa');
    assert.ok(new X509Certificate(der).verify(publicKey));
    assert.equal(readCertificate(der).signatureAlgorithm, OID.sha256WithRSAEncryption);
  });

  it('signs with an Ed25519 issuer key', () => {
    const { der, publicKey } = selfSigned('ed25519');
    assert.ok(new X509Certificate(der).verify(publicKey));
    assert.equal(readCertificate(der).signatureAlgorithm, OID.ed25519);
  });

  it('writes validity dates to the second', () => {
    const cert = new X509Certificate(selfSigned('ec').der);
    assert.equal(new Date(cert.validFrom).toISOString(), '2025-01-01T00:00:00.000Z');
    assert.equal(new Date(cert.validTo).toISOString(), '2035-01-01T00:00:00.000Z');
  });

  it('refuses a notAfter that is not after notBefore', () => {
    assert.throws(() => selfSigned('ec', { notAfter: new Date('2024-01-01T00:00:00Z') }), /notAfter/);
  });

  it('refuses an empty or over-long serial number', () => {
    assert.throws(() => selfSigned('ec', { serialNumber: new Uint8Array(0) }), /serial/);
    assert.throws(() => selfSigned('ec', { serialNumber: new Uint8Array(21).fill(1) }), /serial/);
  });
});

describe('certificate extensions', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { der } = selfSigned('ec', {
    extensions: [
      basicConstraints({ ca: false }),
      keyUsage(['digitalSignature']),
      extendedKeyUsage(['serverAuth']),
      subjectAltName({ dnsNames: ['svc.ns.svc', 'localhost'], ipAddresses: ['127.0.0.1', '::1'] }),
      subjectKeyIdentifier(keyIdentifier(publicKey)),
    ],
  });
  const cert = new X509Certificate(der);
  const ext = readCertificate(der).extensions;

  it('lists DNS and IP subject alternative names', () => {
    assert.ok(cert.checkHost('svc.ns.svc'));
    assert.ok(cert.checkHost('localhost'));
    assert.equal(cert.checkHost('other.example'), undefined);
    assert.ok(cert.checkIP('127.0.0.1'));
    assert.ok(cert.checkIP('::1'));
    assert.equal(cert.checkIP('10.0.0.1'), undefined);
  });

  it('marks basicConstraints and keyUsage critical, as RFC 5280 asks', () => {
    assert.equal(ext.get(OID.basicConstraints)?.critical, true);
    assert.equal(ext.get(OID.keyUsage)?.critical, true);
    assert.equal(ext.get(OID.subjectAltName)?.critical, false);
  });

  it('encodes cA false as an empty basicConstraints sequence (DER drops defaults)', () => {
    assert.equal(hex(ext.get(OID.basicConstraints)!.value), '3000');
    assert.equal(cert.ca, false);
  });

  it('carries the serverAuth extended key usage', () => {
    const usages = readChildren(readElement(ext.get(OID.extKeyUsage)!.value));
    assert.equal(hex(usages[0]!.raw), '06082b06010505070301');
  });

  it('derives the key identifier as the SHA-1 of the public key bits', () => {
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const point = spki.subarray(spki.length - 65);
    assert.equal(hex(keyIdentifier(publicKey)), createHash('sha1').update(point).digest('hex'));
  });

  it('rejects a subjectAltName with no names, and DNS names that are not ASCII', () => {
    assert.throws(() => subjectAltName({}), /at least one/);
    assert.throws(() => subjectAltName({ dnsNames: ['bücher.example'] }), /ASCII/);
  });
});

describe('PEM', () => {
  it('round-trips DER with 64-character lines', () => {
    const { der } = selfSigned('ec');
    const pem = pemEncode('CERTIFICATE', der);
    assert.ok(pem.split('\n').slice(1, -3).every((line) => line.length === 64));
    assert.deepEqual(pemDecode('CERTIFICATE', pem), der);
  });

  it('names the label it could not find', () => {
    assert.throws(() => pemDecode('CERTIFICATE', 'nothing here'), /no "CERTIFICATE" PEM block/);
  });
});
