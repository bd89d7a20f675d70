// X.509 v3 certificate builder (RFC 5280) on node:crypto: names, the extensions a webhook
// serving certificate and its CA need, signing, PEM. Pure apart from the signature itself.
import { createHash, type KeyObject, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  bitString,
  boolean,
  decodeObjectIdentifier,
  explicit,
  implicit,
  integer,
  namedBitString,
  nullValue,
  objectIdentifier,
  octetString,
  readChildren,
  readElement,
  sequence,
  setOf,
  TAG,
  time,
  utf8String,
} from './der.ts';

export const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ed25519: '1.3.101.112',
} as const;

export type DistinguishedName = { commonName: string; organization?: string };

/** Name as an RDNSequence, one attribute per RDN, O before CN (the usual order). */
export function encodeName(name: DistinguishedName): Uint8Array {
  const rdns: Uint8Array[] = [];
  if (name.organization !== undefined) {
    rdns.push(setOf(sequence(objectIdentifier(OID.organization), utf8String(name.organization))));
  }
  rdns.push(setOf(sequence(objectIdentifier(OID.commonName), utf8String(name.commonName))));
  return sequence(...rdns);
}

export type Extension = {
  oid: string;
  critical: boolean;
  /** DER of the extension's value, wrapped in the extnValue OCTET STRING when encoded */
  value: Uint8Array;
};

function encodeExtension(ext: Extension): Uint8Array {
  // DER omits a BOOLEAN equal to its DEFAULT (critical DEFAULT FALSE).
  return sequence(
    objectIdentifier(ext.oid),
    ...(ext.critical ? [boolean(true)] : []),
    octetString(ext.value),
  );
}

export function basicConstraints(opts: { ca: boolean; pathLength?: number }): Extension {
  const fields: Uint8Array[] = [];
  if (opts.ca) {
    fields.push(boolean(true));
    if (opts.pathLength !== undefined) fields.push(integer(opts.pathLength));
  }
  return { oid: OID.basicConstraints, critical: true, value: sequence(...fields) };
}

const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsage = keyof typeof KEY_USAGE_BITS;

export function keyUsage(usages: readonly KeyUsage[]): Extension {
  return { oid: OID.keyUsage, critical: true, value: namedBitString(usages.map((u) => KEY_USAGE_BITS[u])) };
}

export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

export function extendedKeyUsage(usages: readonly ExtendedKeyUsage[]): Extension {
  return { oid: OID.extKeyUsage, critical: false, value: sequence(...usages.map((u) => objectIdentifier(OID[u]))) };
}

/** subjectAltName with dNSName [2] and iPAddress [7] entries. */
export function subjectAltName(names: { dnsNames?: readonly string[]; ipAddresses?: readonly string[] }): Extension {
  const entries = [
    ...(names.dnsNames ?? []).map((dns) => implicit(2, dnsNameBytes(dns))),
    ...(names.ipAddresses ?? []).map((ip) => implicit(7, ipAddressBytes(ip))),
  ];
  if (entries.length === 0) throw new RangeError('subjectAltName needs at least one name');
  return { oid: OID.subjectAltName, critical: false, value: sequence(...entries) };
}

/** dNSName is an IA5String (ASCII): internationalised names must arrive in their A-label (xn--) form. */
function dnsNameBytes(name: string): Uint8Array {
  if (name === '' || !/^[\x21-\x7e]+$/.test(name)) throw new RangeError(`not an ASCII DNS name: "${name}"`);
  return new TextEncoder().encode(name);
}

export function subjectKeyIdentifier(keyId: Uint8Array): Extension {
  return { oid: OID.subjectKeyIdentifier, critical: false, value: octetString(keyId) };
}

export function authorityKeyIdentifier(keyId: Uint8Array): Extension {
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
  return { oid: OID.authorityKeyIdentifier, critical: false, value: sequence(implicit(0, keyId)) };
}

/** Key identifier per RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = readElement(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
  const bits = readChildren(spki)[1];
  if (bits === undefined || bits.tag !== TAG.BIT_STRING) throw new RangeError('SPKI without a BIT STRING');
  return new Uint8Array(createHash('sha1').update(bits.content.subarray(1)).digest());
}

/** 4 or 16 network-order bytes of an IPv4 or IPv6 address literal (no zone). */
export function ipAddressBytes(ip: string): Uint8Array {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number));
  if (!isIPv6(ip) || ip.includes('%')) throw new RangeError(`not an IP address: "${ip}"`);
  let text = ip;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    const v4 = last.split('.').map(Number) as [number, number, number, number];
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const [headText, restText] = text.split('::') as [string, string | undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const head = parse(headText);
  const rest = restText === undefined ? [] : parse(restText);
  const zeros = restText === undefined ? 0 : 8 - head.length - rest.length;
  const groups = [...head, ...new Array<number>(zeros).fill(0), ...rest];
  if (tail.length === 2) groups.splice(6, 2, ...tail);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

type SignatureAlgorithm = { identifier: Uint8Array; hash: string | null };

/** The signatureAlgorithm an issuer key implies; ECDSA params are absent, RSA's are NULL (RFC 5758, 4055). */
function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') {
        return { identifier: sequence(objectIdentifier(OID.ecdsaWithSHA256)), hash: 'sha256' };
      }
      if (curve === 'secp384r1') return { identifier: sequence(objectIdentifier(OID.ecdsaWithSHA384)), hash: 'sha384' };
      throw new RangeError(`unsupported EC curve ${curve}`);
    }
    case 'rsa':
      return { identifier: sequence(objectIdentifier(OID.sha256WithRSAEncryption), nullValue()), hash: 'sha256' };
    case 'ed25519':
      return { identifier: sequence(objectIdentifier(OID.ed25519)), hash: null };
    default:
      throw new RangeError(`unsupported issuer key type ${key.asymmetricKeyType}`);
  }
}

export type CertificateTemplate = {
  /** unsigned big-endian; positive, at most 20 octets (RFC 5280 §4.1.2.2) */
  serialNumber: Uint8Array;
  /** encoded Names (encodeName, or an issuer's subject bytes taken verbatim) */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: KeyObject;
  extensions: readonly Extension[];
};

/** Builds the TBSCertificate, signs it with the issuer's private key and returns the Certificate DER. */
export function signCertificate(template: CertificateTemplate, issuerKey: KeyObject): Uint8Array {
  if (template.serialNumber.length === 0 || template.serialNumber.length > 20) {
    throw new RangeError('serial number must be 1-20 octets');
  }
  if (template.notAfter.getTime() <= template.notBefore.getTime()) {
    throw new RangeError('notAfter must be after notBefore');
  }
  const algorithm = signatureAlgorithmFor(issuerKey);
  const spki = new Uint8Array(template.subjectPublicKey.export({ type: 'spki', format: 'der' }));
  const tbs = sequence(
    explicit(0, integer(2)), // version v3
    integer(template.serialNumber),
    algorithm.identifier,
    template.issuer,
    sequence(time(template.notBefore), time(template.notAfter)),
    template.subject,
    spki,
    ...(template.extensions.length > 0 ? [explicit(3, sequence(...template.extensions.map(encodeExtension)))] : []),
  );
  const signature = sign(algorithm.hash, tbs, issuerKey); // ECDSA: DER Ecdsa-Sig-Value, as X.509 wants
  return sequence(tbs, algorithm.identifier, bitString(new Uint8Array(signature)));
}

export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** DER of the first PEM block with this label; throws if there is none. */
export function pemDecode(label: string, pem: string): Uint8Array {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (match === null) throw new SyntaxError(`no "${label}" PEM block`);
  return new Uint8Array(Buffer.from((match[1] as string).replace(/\s+/g, ''), 'base64'));
}

export type CertificateFields = {
  serialNumber: Uint8Array;
  signatureAlgorithm: string;
  /** raw encodings, so an issuer's subject can be copied byte for byte into the certificates it signs */
  issuer: Uint8Array;
  subject: Uint8Array;
  subjectPublicKeyInfo: Uint8Array;
  extensions: Map<string, { critical: boolean; value: Uint8Array }>;
};

/** Splits a certificate into the fields a CA reuse and the tests need; checks structure, not signatures. */
export function readCertificate(der: Uint8Array): CertificateFields {
  const [tbs, algorithm] = readChildren(readElement(der));
  if (tbs === undefined || algorithm === undefined) throw new SyntaxError('not an X.509 certificate');
  const fields = readChildren(tbs);
  const hasVersion = fields[0]?.tag === 0xa0;
  const [serial, , issuer, , subject, spki, ...optional] = hasVersion ? fields.slice(1) : fields;
  if (serial === undefined || issuer === undefined || subject === undefined || spki === undefined) {
    throw new SyntaxError('truncated TBSCertificate');
  }
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  const extensionsWrapper = optional.find((e) => e.tag === 0xa3);
  if (extensionsWrapper !== undefined) {
    const list = readChildren(extensionsWrapper)[0];
    for (const ext of list === undefined ? [] : readChildren(list)) {
      const parts = readChildren(ext);
      const oid = parts[0];
      const value = parts[parts.length - 1];
      if (oid === undefined || value === undefined) continue;
      const critical = parts.length === 3 && parts[1]?.content[0] === 0xff;
      extensions.set(decodeObjectIdentifier(oid.content), { critical, value: value.content });
    }
  }
  const algorithmOid = readChildren(algorithm)[0];
  return {
    serialNumber: serial.content,
    signatureAlgorithm: algorithmOid === undefined ? '' : decodeObjectIdentifier(algorithmOid.content),
    issuer: issuer.raw,
    subject: subject.raw,
    subjectPublicKeyInfo: spki.raw,
    extensions,
  };
}
