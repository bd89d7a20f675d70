import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  classifyHosts,
  createCertificateAuthority,
  issueServingCertificate,
  loadCertificateAuthority,
  serviceHostnames,
} from '../../../certs/issue.ts';
import { OID, pemDecode, readCertificate } from '../../../certs/x509.ts';

const DAY = 24 * 60 * 60 * 1000;
const names = serviceHostnames('cosmos-operator-webhook-service', 'cosmos-operator-system');

function serving(ca = createCertificateAuthority()) {
  const leaf = issueServingCertificate(ca, {
    commonName: 'cosmos-operator-webhook-service.cosmos-operator-system.svc',
    dnsNames: [...names, 'localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return { ca, leaf, caCert: new X509Certificate(ca.certPem), cert: new X509Certificate(leaf.certPem) };
}

describe('serviceHostnames', () => {
  it('lists the four names a Service answers to inside the cluster', () => {
    assert.deepEqual(serviceHostnames('svc', 'ns'), ['svc', 'svc.ns', 'svc.ns.svc', 'svc.ns.svc.cluster.local']);
  });
});

describe('classifyHosts', () => {
  it('separates IP literals from DNS names and drops duplicates', () => {
    assert.deepEqual(classifyHosts(['a.example', '10.0.0.1', '::1', 'a.example', '10.0.0.1']), {
      dnsNames: ['a.example'],
      ipAddresses: ['10.0.0.1', '::1'],
    });
  });
});

describe('createCertificateAuthority', () => {
  it('makes a self-signed CA certificate that may sign leaves only', () => {
    const { caCert } = serving();
    assert.equal(caCert.ca, true);
    assert.ok(caCert.verify(caCert.publicKey));
    assert.ok(caCert.checkIssued(caCert));
    const bc = readCertificate(pemDecode('CERTIFICATE', createCertificateAuthority().certPem)).extensions.get(
      OID.basicConstraints,
    );
    assert.equal(Buffer.from(bc!.value).toString('hex'), '30060101ff020100'); // cA TRUE, pathLen 0
  });

  it('is valid for ten years by default', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = createCertificateAuthority({ now });
    const validTo = new Date(new X509Certificate(ca.certPem).validTo).getTime();
    assert.equal(validTo, now.getTime() + 3650 * DAY);
  });
});

describe('issueServingCertificate', () => {
  it('is issued by the CA and carries its signature', () => {
    const { cert, caCert } = serving();
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.verify(caCert.publicKey));
    assert.equal(cert.ca, false);
  });

  it('covers every Service name, localhost and 127.0.0.1', () => {
    const { cert } = serving();
    for (const name of [...names, 'localhost']) assert.equal(cert.checkHost(name), name);
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  });

  it('is for TLS server authentication with an ECDSA P-256 key', () => {
    const { cert, leaf } = serving();
    const ext = readCertificate(pemDecode('CERTIFICATE', leaf.certPem)).extensions;
    assert.ok(Buffer.from(ext.get(OID.extKeyUsage)!.value).toString('hex').includes('2b06010505070301'));
    assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('names the CA key in its authority key identifier', () => {
    const { ca, leaf } = serving();
    const aki =
      readCertificate(pemDecode('CERTIFICATE', leaf.certPem)).extensions.get(OID.authorityKeyIdentifier)!.value;
    assert.ok(Buffer.from(aki).toString('hex').endsWith(Buffer.from(ca.keyId).toString('hex')));
  });

  it('never outlives its CA', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = createCertificateAuthority({ now, validDays: 30 });
    const leaf = issueServingCertificate(ca, {
      commonName: 'x',
      dnsNames: ['x'],
      ipAddresses: [],
      validDays: 365,
      now,
    });
    assert.equal(new X509Certificate(leaf.certPem).validTo, new X509Certificate(ca.certPem).validTo);
  });

  it('is valid from a few minutes before now, allowing for clock skew', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const leaf = issueServingCertificate(createCertificateAuthority({ now }), {
      commonName: 'x',
      dnsNames: ['x'],
      ipAddresses: [],
      now,
    });
    assert.equal(new Date(new X509Certificate(leaf.certPem).validFrom).toISOString(), '2025-12-31T23:55:00.000Z');
  });

  it('gets a different random serial number each time', () => {
    const ca = createCertificateAuthority();
    const a = new X509Certificate(
      issueServingCertificate(ca, { commonName: 'x', dnsNames: ['x'], ipAddresses: [] }).certPem,
    );
    const b = new X509Certificate(
      issueServingCertificate(ca, { commonName: 'x', dnsNames: ['x'], ipAddresses: [] }).certPem,
    );
    assert.notEqual(a.serialNumber, b.serialNumber);
  });
});

describe('loadCertificateAuthority', () => {
  it('signs leaves that chain to the same CA certificate', () => {
    const original = createCertificateAuthority();
    const loaded = loadCertificateAuthority(original.certPem, original.keyPem);
    const { cert } = serving(loaded);
    assert.ok(cert.checkIssued(new X509Certificate(original.certPem)));
    assert.deepEqual(loaded.keyId, original.keyId);
  });

  it('refuses a key that belongs to another certificate', () => {
    const a = createCertificateAuthority();
    const b = createCertificateAuthority();
    assert.throws(() => loadCertificateAuthority(a.certPem, b.keyPem), /does not belong/);
  });

  it('refuses a certificate that is not a CA', () => {
    const { leaf } = serving();
    assert.throws(() => loadCertificateAuthority(leaf.certPem, leaf.keyPem), /not a CA/);
  });
});

describe('issued certificates under openssl', () => {
  const openssl = '/usr/bin/openssl';
  const skip = existsSync(openssl) ? false : 'openssl is not installed at /usr/bin/openssl';

  it('verify as a TLS server chain for the Service name and 127.0.0.1', { skip }, () => {
    const { ca, leaf } = serving();
    const dir = mkdtempSync(join(tmpdir(), 'certs-openssl-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      writeFileSync(join(dir, 'tls.crt'), leaf.certPem);
      const out = execFileSync(
        openssl,
        [
          'verify',
          '-CAfile',
          join(dir, 'ca.crt'),
          '-purpose',
          'sslserver',
          '-x509_strict',
          '-verify_hostname',
          'cosmos-operator-webhook-service.cosmos-operator-system.svc',
          '-verify_ip',
          '127.0.0.1',
          join(dir, 'tls.crt'),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      assert.match(out, /tls\.crt: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
