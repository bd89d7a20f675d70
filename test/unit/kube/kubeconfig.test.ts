import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  currentConnection,
  inClusterConnection,
  mergeKubeConfigFiles,
  parseKubeConfigFile,
  readKubeConfigFile,
} from '../../../src/kube/kubeconfig.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kubeconfig-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

const full = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443/
    certificate-authority-data: ${b64('CA PEM')}
    tls-server-name: api.dev.example
- name: insecure
  cluster: {server: "https://10.0.0.1", insecure-skip-tls-verify: true, certificate-authority: certs/ca.crt}
users:
- name: cert-user
  user:
    client-certificate: certs/client.crt
    client-key: /abs/client.key
    as: someone
- name: token-user
  user: {token: abc, tokenFile: tokens/t}
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./bin/get-token
      args: [--cluster, dev]
      env: [{name: REGION, value: eu}]
contexts:
- name: dev
  context: {cluster: dev-cluster, user: cert-user, namespace: chains}
- name: ops
  context: {cluster: insecure, user: token-user}
- name: cloud
  context: {cluster: dev-cluster, user: exec-user}
`;

describe('kubeconfig files', () => {
  const file = parseKubeConfigFile(full, '/home/me/.kube');

  it('reads the current context’s cluster and user, data fields decoded and paths made absolute', () => {
    assert.deepEqual(currentConnection(file), {
      server: 'https://dev.example:6443',
      context: 'dev',
      namespace: 'chains',
      ca: { data: 'CA PEM' },
      clientCertificate: { file: '/home/me/.kube/certs/client.crt' },
      clientKey: { file: '/abs/client.key' },
      insecureSkipTlsVerify: false,
      tlsServerName: 'api.dev.example',
      impersonate: 'someone',
    });
  });

  it('reads tokens, token files and insecure-skip-tls-verify', () => {
    assert.deepEqual(currentConnection(file, 'ops'), {
      server: 'https://10.0.0.1',
      context: 'ops',
      ca: { file: '/home/me/.kube/certs/ca.crt' },
      insecureSkipTlsVerify: true,
      token: 'abc',
      tokenFile: '/home/me/.kube/tokens/t',
    });
  });

  it('reads an exec credential plugin, a relative command being relative to the file', () => {
    assert.deepEqual(currentConnection(file, 'cloud').exec, {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: '/home/me/.kube/bin/get-token',
      args: ['--cluster', 'dev'],
      env: [{ name: 'REGION', value: 'eu' }],
    });
  });

  it('names what is missing', () => {
    assert.throws(() => currentConnection(file, 'nope'), /context "nope" not found/);
    const broken = parseKubeConfigFile(
      'contexts: [{name: x, context: {cluster: gone, user: u}}]\ncurrent-context: x',
      '/',
    );
    assert.throws(() => currentConnection(broken), /cluster "gone" of context "x" not found/);
    assert.throws(() => currentConnection(parseKubeConfigFile('clusters: []', '/')), /no current-context/);
  });

  it('refuses auth-provider instead of connecting without its credentials', () => {
    const withProvider = parseKubeConfigFile(
      'current-context: x\nclusters: [{name: c, cluster: {server: "https://a"}}]\nusers: [{name: u, user: {auth-provider: {name: oidc}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
      '/',
    );
    assert.throws(
      () => currentConnection(withProvider),
      /auth-provider "oidc" is not supported.*exec credential plugin/,
    );
  });

  const withProxy = (proxyUrl: string) =>
    parseKubeConfigFile(
      `current-context: x\nclusters: [{name: edge, cluster: {server: "https://a", proxy-url: "${proxyUrl}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: edge, user: u}}]`,
      '/',
    );

  it('reads an http:// or https:// proxy-url as the proxy of every connection', () => {
    assert.equal(currentConnection(withProxy('http://proxy.corp:3128')).proxyUrl, 'http://proxy.corp:3128');
    assert.equal(currentConnection(withProxy('https://user:pw@proxy.corp')).proxyUrl, 'https://user:pw@proxy.corp');
    assert.equal(currentConnection(file).proxyUrl, undefined);
  });

  it('refuses a socks5 proxy-url, naming the cluster, the scheme and what is allowed', () => {
    assert.throws(
      () => currentConnection(withProxy('socks5://127.0.0.1:1080'), undefined, 'kc.yaml'),
      (e: Error) => {
        assert.equal(
          e.message,
          'kc.yaml: cluster "edge": proxy-url scheme "socks5" is not supported by cosmos-operator; use an http:// or https:// (HTTP CONNECT) proxy',
        );
        return true;
      },
    );
  });

  it('refuses a proxy-url that is not a URL without repeating it, since it may hold a password', () => {
    assert.throws(
      () => currentConnection(withProxy('http://user:pw@[bad')),
      (e: Error) => /cluster "edge": proxy-url is not a valid URL$/.test(e.message) && !e.message.includes('pw'),
    );
  });

  it('merges files as kubectl does: the first to name an entry or set the current context wins', () => {
    const a = parseKubeConfigFile('clusters: [{name: c, cluster: {server: "https://first"}}]', '/');
    const b = parseKubeConfigFile(
      'current-context: x\nclusters: [{name: c, cluster: {server: "https://second"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]',
      '/',
    );
    const merged = mergeKubeConfigFiles([a, b]);
    assert.equal(merged.currentContext, 'x');
    assert.equal(currentConnection(merged).server, 'https://first');
  });

  it('reads a file from disk relative to its own directory', () => {
    const sub = path.join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    const f = path.join(sub, 'config');
    writeFileSync(
      f,
      'current-context: x\nclusters: [{name: c, cluster: {server: "https://a", certificate-authority: ca.crt}}]\ncontexts: [{name: x, context: {cluster: c}}]',
    );
    assert.deepEqual(currentConnection(readKubeConfigFile(f)).ca, { file: path.join(sub, 'ca.crt') });
  });
});

describe('in-cluster credentials', () => {
  it('uses the service host and port, the service account’s CA and token file, and its namespace', () => {
    const root = path.join(dir, 'pod');
    const sa = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(path.join(sa, 'namespace'), 'cosmos-system\n');
    assert.deepEqual(
      inClusterConnection({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, root),
      {
        server: 'https://10.0.0.1:443',
        context: 'inCluster',
        namespace: 'cosmos-system',
        ca: { file: path.join(sa, 'ca.crt') },
        insecureSkipTlsVerify: false,
        tokenFile: path.join(sa, 'token'),
      },
    );
  });

  it('brackets an IPv6 service host', () => {
    assert.equal(
      inClusterConnection({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, '/nonexistent')
        .server,
      'https://[fd00::1]:443',
    );
  });
});
