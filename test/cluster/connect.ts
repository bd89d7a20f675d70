// What test files call to get the control plane. Runs on Node and Deno.
//
//   const cluster = await testCluster();
//   const ns = await newNamespace("fullnode");
//   await eventually(async () => { ... assert ... });
//
// With env COSMOS_TEST_CLUSTER naming a cluster.json (the test runner starts one control plane
// per run and sets it; `npm run cluster -- env` prints it for a dev cluster), this only reads
// that file. Without it, the first call starts a private control plane for this process, torn
// down when the process exits, so `node --test one.test.ts` works on its own.
import { randomBytes } from 'node:crypto';
import { type ClusterHandle, clusterHandle } from './cluster-handle.ts';
import { readState } from './cluster-state.ts';
import { apiJson } from './kube-http.ts';

export type { ClusterState, Component } from './cluster-state.ts';
export type { ClusterHandle, KubectlResult } from './cluster-handle.ts';
export type TestCluster = ClusterHandle;

let current: Promise<TestCluster> | undefined;

export function testCluster(): Promise<TestCluster> {
  current ??= connect();
  current.catch(() => (current = undefined));
  return current;
}

async function connect(): Promise<TestCluster> {
  const file = process.env.COSMOS_TEST_CLUSTER;
  if (file) {
    const handle = clusterHandle(file, readState(file));
    await handle.waitReady('kube-apiserver', 120_000);
    return handle;
  }
  const { startControlPlane } = await import('./control-plane.ts');
  return await startControlPlane();
}

/**
 * Creates a namespace named `<prefix>-<random>` and waits for its `default` ServiceAccount
 * (pods are refused until kube-controller-manager has made it). Returns the name.
 */
export async function newNamespace(prefix: string): Promise<string> {
  const cluster = await testCluster();
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'test';
  const name = `${base}-${randomBytes(3).toString('hex')}`;
  await apiJson(cluster.admin, 'POST', '/api/v1/namespaces', {
    body: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'cosmos-operator.test/namespace': 'true' } },
    },
  });
  const sa = `/api/v1/namespaces/${name}/serviceaccounts/default`;
  try {
    await eventually(() => apiJson(cluster.admin, 'GET', sa), {
      timeoutMs: 15_000,
      message: `ServiceAccount ${name}/default`,
    });
  } catch {
    // kube-controller-manager makes it, but right after a test has killed kube-apiserver its
    // informers may still be backing off (seen once on Deno: over 60 s). Pods need only the
    // object to exist, so make it ourselves rather than fail a test about something else.
    try {
      await apiJson(cluster.admin, 'POST', `/api/v1/namespaces/${name}/serviceaccounts`, {
        body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
      });
    } catch (e) {
      if ((e as { status?: number }).status !== 409) throw e;
    }
  }
  return name;
}

/**
 * Calls `fn` until it neither throws nor returns `false`, and returns its result. On timeout
 * (default 30 s) throws the last error.
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<Exclude<T, false>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false) return v as Exclude<T, false>;
      last = new Error('returned false');
    } catch (e) {
      last = e;
    }
    if (Date.now() - start >= timeoutMs) {
      const why = last instanceof Error ? last.message : String(last);
      const err = new Error(
        `eventually${opts.message ? ` (${opts.message})` : ''}: gave up after ${timeoutMs} ms: ${why}`,
      );
      (err as { cause?: unknown }).cause = last;
      throw err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}
