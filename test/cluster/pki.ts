// The control plane's certificates and keys, made with the openssl command line (Node's crypto
// makes keys but not X.509 certificates). One CA signs both the serving certificate and the
// client certificates, as kubeadm's cluster CA does; the ServiceAccount token signer is a bare key.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export type Pki = {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** ServiceAccount token signing key (private, PKCS#8) and its public half. */
  saKey: string;
  saPub: string;
};

const OPENSSL = process.env.COSMOS_TEST_OPENSSL ?? 'openssl';
const DAYS = '30';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { cwd }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve();
    });
  });
}

/** Signs a fresh key's certificate with the CA; `ext` is an openssl extension section body. */
async function issue(dir: string, name: string, subject: string, ext: string): Promise<void> {
  await writeFile(path.join(dir, `${name}.ext`), ext);
  await openssl(['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      '0x' + randomBytes(12).toString('hex'),
      '-days',
      DAYS,
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export async function createPki(
  dir: string,
  opts: { serviceIP: string; advertiseAddress: string },
): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  await openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      DAYS,
      '-subj',
      '/CN=cosmos-operator-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ],
    dir,
  );
  // IP SAN 127.0.0.1 is what clients dial; the names and the service IP are what in-cluster
  // clients would use if they existed (kept so the certificate looks like a real one).
  const sans = [
    'IP:127.0.0.1',
    `IP:${opts.serviceIP}`,
    `IP:${opts.advertiseAddress}`,
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ];
  const leaf = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';
  await Promise.all([
    issue(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(',')}\n`,
    ),
    // The apiserver maps CN to the user name and O to groups; system:masters bypasses RBAC.
    issue(dir, 'admin', '/O=system:masters/CN=admin', `${leaf}extendedKeyUsage=clientAuth\n`),
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'], dir).then(() =>
      openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir)
    ),
  ]);
  const p = (f: string) => path.join(dir, f);
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
  };
}
