// Issuing the webhook's certificates without openssl: a self-signed CA and a serving
// certificate it signs, both ECDSA P-256. Pure apart from key generation and randomness.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { isIP } from 'node:net';
import {
  authorityKeyIdentifier,
  basicConstraints,
  encodeName,
  extendedKeyUsage,
  keyIdentifier,
  keyUsage,
  pemDecode,
  pemEncode,
  readCertificate,
  signCertificate,
  subjectAltName,
  subjectKeyIdentifier,
} from './x509.ts';

export type CertificateAuthority = {
  certPem: string;
  keyPem: string;
  key: KeyObject;
  /** the CA's subject Name, copied verbatim into the issuer field of what it signs */
  subject: Uint8Array;
  keyId: Uint8Array;
  notAfter: Date;
};

export type IssuedCertificate = { certPem: string; keyPem: string };

const DAY_MS = 24 * 60 * 60 * 1000;
// Backdating covers clock skew between this host and the API server that verifies the chain.
const BACKDATE_MS = 5 * 60 * 1000;

function newKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** 16 random octets with the top bit clear: positive and well under RFC 5280's 20-octet cap. */
function randomSerial(): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  return serial;
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function createCertificateAuthority(
  opts: { commonName?: string; validDays?: number; now?: Date } = {},
): CertificateAuthority {
  const now = opts.now ?? new Date();
  const validDays = opts.validDays ?? 3650;
  const { privateKey, publicKey } = newKeyPair();
  const subject = encodeName({
    organization: 'cosmos-operator',
    commonName: opts.commonName ?? 'cosmos-operator-webhook-ca',
  });
  const keyId = keyIdentifier(publicKey);
  const notAfter = new Date(now.getTime() + validDays * DAY_MS);
  const der = signCertificate(
    {
      serialNumber: randomSerial(),
      issuer: subject,
      subject,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      subjectPublicKey: publicKey,
      extensions: [
        basicConstraints({ ca: true, pathLength: 0 }),
        keyUsage(['digitalSignature', 'keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(keyId),
      ],
    },
    privateKey,
  );
  return {
    certPem: pemEncode('CERTIFICATE', der),
    keyPem: privateKeyPem(privateKey),
    key: privateKey,
    subject,
    keyId,
    notAfter,
  };
}

/** A CA from its PEM files; throws with a reason if they are not a CA certificate and its key. */
export function loadCertificateAuthority(certPem: string, keyPem: string): CertificateAuthority {
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  if (!cert.checkPrivateKey(key)) throw new Error('the CA key does not belong to the CA certificate');
  if (!cert.ca) throw new Error('the CA certificate is not a CA (basicConstraints cA is false)');
  const fields = readCertificate(pemDecode('CERTIFICATE', certPem));
  const ski = fields.extensions.get('2.5.29.14');
  // Reuse the CA's own key identifier if it has one, so the AKI of what we sign matches it.
  const keyId = ski !== undefined && ski.value[0] === 0x04
    ? ski.value.subarray(2, 2 + (ski.value[1] as number))
    : keyIdentifier(createPublicKey(key));
  return {
    certPem,
    keyPem,
    key,
    subject: fields.subject,
    keyId: new Uint8Array(keyId),
    notAfter: new Date(cert.validTo),
  };
}

/** Splits host arguments into DNS names and IP literals, dropping duplicates, order kept. */
export function classifyHosts(hosts: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const host of new Set(hosts)) (isIP(host) === 0 ? dnsNames : ipAddresses).push(host);
  return { dnsNames, ipAddresses };
}

/** The names a webhook Service is reached by from the API server (cert-manager's serving-cert dnsNames, and more). */
export function serviceHostnames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

export function issueServingCertificate(
  ca: CertificateAuthority,
  opts: {
    commonName: string;
    dnsNames: readonly string[];
    ipAddresses: readonly string[];
    validDays?: number;
    now?: Date;
  },
): IssuedCertificate {
  const now = opts.now ?? new Date();
  const validDays = opts.validDays ?? 365;
  const notAfter = new Date(Math.min(now.getTime() + validDays * DAY_MS, ca.notAfter.getTime()));
  const { privateKey, publicKey } = newKeyPair();
  const der = signCertificate(
    {
      serialNumber: randomSerial(),
      issuer: ca.subject,
      subject: encodeName({ commonName: opts.commonName }),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      subjectPublicKey: publicKey,
      extensions: [
        basicConstraints({ ca: false }),
        // ECDSA keys sign the handshake; keyEncipherment only applies to RSA key transport.
        keyUsage(['digitalSignature']),
        extendedKeyUsage(['serverAuth']),
        subjectAltName({ dnsNames: opts.dnsNames, ipAddresses: opts.ipAddresses }),
        subjectKeyIdentifier(keyIdentifier(publicKey)),
        authorityKeyIdentifier(ca.keyId),
      ],
    },
    ca.key,
  );
  return { certPem: pemEncode('CERTIFICATE', der), keyPem: privateKeyPem(privateKey) };
}
