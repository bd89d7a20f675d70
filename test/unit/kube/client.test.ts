import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadKubeConfig } from '../../../src/kube/client.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kube-client-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, server: string): string {
  const full = path.join(dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(
    full,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "' + server + '"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
    ].join('\n'),
  );
  return full;
}

const flagFile = kubeconfig('flag.yaml', 'https://flag:6443');
const envFile = kubeconfig('env.yaml', 'https://env:6443');
const home = path.join(dir, 'home');
kubeconfig('home/.kube/config', 'https://home:6443');
const emptyHome = path.join(dir, 'nobody');
// An in-cluster service account, under a root prefix.
const root = path.join(dir, 'pod');
mkdirSync(path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount'), { recursive: true });
writeFileSync(path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount/token'), 'token');
const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };

const serverOf = (r: ReturnType<typeof loadKubeConfig>) => `${r.source} ${r.kubeConfig.server}`;

describe('loadKubeConfig', () => {
  it('prefers the --kubeconfig flag over everything else', () => {
    const r = loadKubeConfig({
      kubeconfig: flagFile,
      env: { KUBECONFIG: envFile, ...inCluster },
      home,
      inClusterRoot: root,
    });
    assert.equal(serverOf(r), 'flag https://flag:6443');
  });

  it('uses $KUBECONFIG when there is no flag', () => {
    const r = loadKubeConfig({ env: { KUBECONFIG: envFile, ...inCluster }, home, inClusterRoot: root });
    assert.equal(serverOf(r), 'env https://env:6443');
  });

  it('merges the files of a colon-separated $KUBECONFIG, the first one choosing the context', () => {
    const r = loadKubeConfig({ env: { KUBECONFIG: `${envFile}:${flagFile}` }, home: emptyHome });
    assert.equal(serverOf(r), 'env https://env:6443');
  });

  it('uses the pod’s service account inside a cluster', () => {
    const r = loadKubeConfig({ env: inCluster, home, inClusterRoot: root });
    assert.equal(serverOf(r), 'in-cluster https://10.0.0.1:443');
    assert.equal(r.kubeConfig.tokenFile, path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount/token'));
  });

  it('falls back to ~/.kube/config', () => {
    assert.equal(serverOf(loadKubeConfig({ env: {}, home, inClusterRoot: root })), 'home https://home:6443');
  });

  it('says where credentials could come from when there are none', () => {
    assert.throws(() => loadKubeConfig({ env: {}, home: emptyHome, inClusterRoot: root }), /--kubeconfig/);
  });
});
