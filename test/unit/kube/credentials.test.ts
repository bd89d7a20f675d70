import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createCredentials } from '../../../src/kube/credentials.ts';
import type { ExecConfig, KubeConfig } from '../../../src/kube/kubeconfig.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'credentials-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base: KubeConfig = { server: 'https://a', context: 'x', insecureSkipTlsVerify: false };
const exec: ExecConfig = { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-token', args: [], env: [] };
const credential = (status: Record<string, string>) =>
  JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', status });

describe('request credentials', () => {
  it('carries the CA, client certificate, token and TLS settings', async () => {
    const got = await createCredentials({
      ...base,
      ca: { data: 'CA' },
      clientCertificate: { data: 'CERT' },
      clientKey: { data: 'KEY' },
      insecureSkipTlsVerify: true,
      tlsServerName: 'api',
      token: 't',
      impersonate: 'someone',
    }).forRequest();
    assert.deepEqual(got, {
      ca: 'CA',
      cert: 'CERT',
      key: 'KEY',
      rejectUnauthorized: false,
      servername: 'api',
      headers: { Authorization: 'Bearer t', 'Impersonate-User': 'someone' },
    });
  });

  it('reads a token file again once it is a minute old, so a rotated token is used', async () => {
    const file = path.join(dir, 'token');
    writeFileSync(file, 'first\n');
    let now = 0;
    const creds = createCredentials({ ...base, tokenFile: file }, { now: () => now });
    assert.equal((await creds.forRequest()).headers.Authorization, 'Bearer first');
    writeFileSync(file, 'second\n');
    now = 59_000;
    assert.equal((await creds.forRequest()).headers.Authorization, 'Bearer first');
    now = 61_000;
    assert.equal((await creds.forRequest()).headers.Authorization, 'Bearer second');
  });

  it('runs an exec plugin once for concurrent requests and again once its credential expired', async () => {
    let runs = 0;
    let now = Date.parse('2030-01-01T00:00:00Z');
    const creds = createCredentials(
      { ...base, exec },
      {
        now: () => now,
        runExec: async () => credential({ token: `t${++runs}`, expirationTimestamp: '2030-01-01T00:10:00Z' }),
      },
    );
    const first = await Promise.all([creds.forRequest(), creds.forRequest(), creds.forRequest()]);
    assert.deepEqual(first.map((c) => c.headers.Authorization), ['Bearer t1', 'Bearer t1', 'Bearer t1']);
    now += 9 * 60_000;
    assert.equal((await creds.forRequest()).headers.Authorization, 'Bearer t1');
    now += 2 * 60_000;
    assert.equal((await creds.forRequest()).headers.Authorization, 'Bearer t2');
  });

  it('uses a client certificate an exec plugin returns', async () => {
    const creds = createCredentials({ ...base, exec }, {
      runExec: async () => credential({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }),
    });
    const got = await creds.forRequest();
    assert.equal(got.cert, 'CERT');
    assert.equal(got.key, 'KEY');
    assert.equal(got.headers.Authorization, undefined);
  });

  it('fails with the plugin’s name when its output is not an ExecCredential', async () => {
    const creds = createCredentials({ ...base, exec }, { runExec: async () => 'Please log in' });
    await assert.rejects(creds.forRequest(), /exec plugin get-token: output is not an ExecCredential/);
  });

  it('runs a real plugin with its env and KUBERNETES_EXEC_INFO', async () => {
    const script =
      'printf \'{"kind":"ExecCredential","status":{"token":"%s-%s"}}\' "$REGION" "$(printf %s "$KUBERNETES_EXEC_INFO" | grep -c interactive\\":false)"';
    const creds = createCredentials({
      ...base,
      exec: { ...exec, command: 'sh', args: ['-c', script], env: [{ name: 'REGION', value: 'eu' }] },
    });
    assert.equal((await creds.forRequest()).headers.Authorization, 'Bearer eu-1');
  });
});
