// The test control plane itself: what the operator's integration tests rely on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { eventually, newNamespace, type TestCluster, testCluster } from '../../cluster/connect.ts';
import { apiJson, apiRequest } from '../../cluster/kube-http.ts';

const POD_TIMEOUT = { timeoutMs: 90_000 };

function podManifest(namespace: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name },
    spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], ...extra },
  };
}

function inCIDR(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const num = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (num(ip) & mask) >>> 0 === (num(base) & mask) >>> 0;
}

describe('the test control plane', () => {
  let cluster: TestCluster;
  let ns: string;

  // A cold build of the binaries takes minutes; a warm start takes seconds.
  before(async () => {
    cluster = await testCluster();
    ns = await newNamespace('cluster-test');
  }, { timeout: 30 * 60_000 });

  after(async () => {
    if (cluster) await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  const runningPod = async (name: string) =>
    eventually(async () => {
      const pod = await apiJson(cluster.admin, 'GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      assert.equal(pod.status.phase, 'Running');
      // deno-lint-ignore no-explicit-any
      assert.equal(pod.status.conditions.find((c: any) => c.type === 'Ready')?.status, 'True');
      return pod;
    }, POD_TIMEOUT);

  it('is a real kube-apiserver that reports its version', async (t) => {
    const v = await apiJson(cluster.admin, 'GET', '/version');
    assert.match(v.gitVersion, /^v1\.\d+\.\d+$/);
    t.diagnostic(`kube-apiserver ${v.gitVersion} (${v.goVersion}) at ${cluster.server}`);
    const res = await cluster.kubectl(['version', '-o', 'json']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).serverVersion.gitVersion, v.gitVersion);
  });

  it('runs a pod that mounts a PVC, Ready on a kwok node with an IP in the loopback pod range', async () => {
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { namespace: ns, name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    };
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, { body: claim });
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/pods`, {
      body: podManifest(ns, 'with-pvc', {
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        containers: [{
          name: 'app',
          image: 'registry.invalid/app:1',
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }],
      }),
    });
    const pod = await runningPod('with-pvc');
    assert.ok(cluster.nodes.includes(pod.spec.nodeName), `scheduled on ${pod.spec.nodeName}`);
    assert.ok(inCIDR(pod.status.podIP, cluster.podCIDR), `pod IP ${pod.status.podIP} in ${cluster.podCIDR}`);
    const pvc = await apiJson(cluster.admin, 'GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims/data`);
    assert.equal(pvc.status.phase, 'Bound');
    assert.equal(pvc.spec.storageClassName, cluster.storageClass, 'the default StorageClass applies');
    assert.equal(pvc.status.capacity.storage, '10Gi');
  });

  it("lets a test serve HTTP on a pod's IP", async () => {
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: podManifest(ns, 'http') });
    const ip: string = (await runningPod('http')).status.podIP;
    const server = createServer((_req, res) => res.end('hello from ' + ip));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, ip, resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const body = await (await fetch(`http://${ip}:${port}/`)).text();
      assert.equal(body, 'hello from ' + ip);
    } finally {
      server.close();
    }
  });

  it('removes a deleted pod instead of leaving it Terminating', async () => {
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: podManifest(ns, 'doomed') });
    await runningPod('doomed');
    await apiJson(cluster.admin, 'DELETE', `/api/v1/namespaces/${ns}/pods/doomed`); // default 30 s grace
    await eventually(async () => {
      const res = await apiRequest(cluster.admin, 'GET', `/api/v1/namespaces/${ns}/pods/doomed`);
      assert.equal(res.status, 404);
    }, { timeoutMs: 60_000, message: 'pod doomed gone' });
  });

  it('completes a namespace deletion', async () => {
    const doomed = await newNamespace('doomed');
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${doomed}/configmaps`, {
      body: { metadata: { name: 'c' }, data: { k: 'v' } },
    });
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${doomed}/pods`, { body: podManifest(doomed, 'p') });
    await apiJson(cluster.admin, 'DELETE', `/api/v1/namespaces/${doomed}`);
    await eventually(async () => {
      const res = await apiRequest(cluster.admin, 'GET', `/api/v1/namespaces/${doomed}`);
      assert.equal(res.status, 404, `namespace still ${res.body.slice(0, 200)}`);
    }, { timeoutMs: 180_000, message: `namespace ${doomed} gone` });
  });

  it('garbage-collects a ConfigMap whose owner is deleted', async () => {
    const owner = await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: { metadata: { name: 'owner' } },
    });
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }],
        },
      },
    });
    await apiJson(cluster.admin, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/owner`);
    await eventually(async () => {
      const res = await apiRequest(cluster.admin, 'GET', `/api/v1/namespaces/${ns}/configmaps/dependent`);
      assert.equal(res.status, 404);
    });
  });

  it('limits a ServiceAccount kubeconfig to what RBAC grants it', async () => {
    await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
      body: { metadata: { name: 'robot' } },
    });
    const kubeconfig = await cluster.serviceAccountKubeconfig(ns, 'robot');
    const asRobot = (args: string[]) => cluster.kubectl(['--kubeconfig', kubeconfig, ...args]);

    const denied = await asRobot(['get', 'configmaps', '-n', ns]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden/);
    assert.match(denied.stderr, new RegExp(`system:serviceaccount:${ns}:robot`));

    await apiJson(cluster.admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      body: {
        metadata: { name: 'read-configmaps' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
      },
    });
    await apiJson(cluster.admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      body: {
        metadata: { name: 'robot-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: ns }],
      },
    });
    await eventually(async () => {
      const allowed = await asRobot(['get', 'configmaps', '-n', ns]);
      assert.equal(allowed.code, 0, allowed.stderr);
    });
    const stillDenied = await asRobot(['get', 'secrets', '-n', ns]);
    assert.match(stillDenied.stderr, /Forbidden/);
  });

  // Last: the API server is briefly away, which other tests would notice.
  it("restarts a SIGKILLed kube-apiserver, keeping the cluster's data", async () => {
    const before = cluster.pids()['kube-apiserver'];
    const after = await cluster.kill('kube-apiserver');
    assert.notEqual(after, before);
    const res = await cluster.kubectl(['get', 'namespace', ns, '-o', 'name']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), `namespace/${ns}`);
  });
});
