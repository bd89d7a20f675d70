// deno-lint-ignore-file no-explicit-any
// A stand-in for a storage driver, run by the harness as one more supervised process.
//
// There is no kubelet and no CSI driver in the test cluster, so nothing would ever create a
// PersistentVolume for a claim. This loop plays the parts of a CSI driver's external-provisioner,
// external-resizer and kubelet volume expansion, for StorageClasses whose provisioner is
// DRIVER_NAME, and stores no data at all:
//  - provision: a pending claim gets a PV named `pvc-<claim uid>`, pre-bound to it by claimRef
//    (as external-provisioner does); kube-controller-manager's PV binder completes the binding.
//    WaitForFirstConsumer classes wait for the scheduler's selected-node annotation.
//  - delete: a Released (or Failed) PV of ours with reclaim policy Delete is deleted.
//  - resize: a bound claim whose request grew (class allows expansion) gets PV capacity and
//    claim status.capacity raised to the request, as if the driver and kubelet had finished.
// It reacts to watch events on claims and volumes and re-checks everything every 10 s.
//
// Usage: node volume-provisioner.ts <server> <ca.crt> <client.crt> <client.key>
import https from 'node:https';
import { type ApiAuth, apiJson, apiWatch, fileAuth } from './kube-http.ts';

export const DRIVER_NAME = 'csi.cosmos-operator.test';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const CONCURRENCY = 8;

function log(level: string, msg: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...extra }) + '\n');
}

const UNITS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Bytes in a Kubernetes quantity ("10Gi", "500M", "1e9"); NaN if it is not one. */
export function quantityBytes(q: string | undefined): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(q ?? '');
  if (!m) return NaN;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (/^[eE][+-]?\d+$/.test(suffix)) return n * 10 ** Number(suffix.slice(1));
  return n * (UNITS[suffix] ?? NaN);
}

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        try {
          await work(item);
        } catch (e) {
          log('error', (e as Error).message);
        }
      }
    }),
  );
}

function persistentVolumeFor(pvc: any, sc: any): any {
  const request: string = pvc.spec.resources?.requests?.storage ?? '1Gi';
  const node: string | undefined = pvc.metadata.annotations?.[SELECTED_NODE];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${pvc.metadata.uid}`, annotations: { [PROVISIONED_BY]: DRIVER_NAME } },
    spec: {
      capacity: { storage: request },
      accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
      volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
      },
      csi: { driver: DRIVER_NAME, volumeHandle: pvc.metadata.uid, fsType: 'ext4' },
      ...(node
        ? {
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [{
                matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }],
              }],
            },
          },
        }
        : {}),
    },
  };
}

async function reconcile(auth: ApiAuth): Promise<void> {
  const [classes, claims, volumes] = await Promise.all([
    apiJson(auth, 'GET', '/apis/storage.k8s.io/v1/storageclasses'),
    apiJson(auth, 'GET', '/api/v1/persistentvolumeclaims'),
    apiJson(auth, 'GET', '/api/v1/persistentvolumes'),
  ]);
  const ours = new Map<string, any>(
    (classes.items as any[]).filter((sc) => sc.provisioner === DRIVER_NAME).map((sc) => [sc.metadata.name, sc]),
  );
  const existing = new Set((volumes.items as any[]).map((pv) => pv.metadata.name));

  const toProvision: Array<[any, any]> = [];
  const toResize: Array<[any, string]> = [];
  for (const pvc of claims.items as any[]) {
    const sc = ours.get(pvc.spec.storageClassName);
    if (!sc || pvc.metadata.deletionTimestamp) continue;
    if (!pvc.spec.volumeName && pvc.status?.phase === 'Pending') {
      if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !pvc.metadata.annotations?.[SELECTED_NODE]) continue;
      if (!existing.has(`pvc-${pvc.metadata.uid}`)) toProvision.push([pvc, sc]);
    } else if (pvc.status?.phase === 'Bound' && sc.allowVolumeExpansion) {
      const want: string | undefined = pvc.spec.resources?.requests?.storage;
      if (quantityBytes(want) > quantityBytes(pvc.status.capacity?.storage)) toResize.push([pvc, want as string]);
    }
  }
  const toDelete = (volumes.items as any[]).filter(
    (pv) =>
      pv.metadata.annotations?.[PROVISIONED_BY] === DRIVER_NAME &&
      !pv.metadata.deletionTimestamp &&
      (pv.status?.phase === 'Released' || pv.status?.phase === 'Failed') &&
      pv.spec.persistentVolumeReclaimPolicy === 'Delete',
  );

  await pool(toProvision, async ([pvc, sc]) => {
    try {
      await apiJson(auth, 'POST', '/api/v1/persistentvolumes', { body: persistentVolumeFor(pvc, sc) });
      log('info', 'provisioned', {
        claim: `${pvc.metadata.namespace}/${pvc.metadata.name}`,
        volume: `pvc-${pvc.metadata.uid}`,
      });
    } catch (e) {
      if ((e as { status?: number }).status !== 409) throw e;
    }
  });
  await pool(toResize, async ([pvc, want]) => {
    const merge = 'application/merge-patch+json';
    await apiJson(auth, 'PATCH', `/api/v1/persistentvolumes/${pvc.spec.volumeName}`, {
      body: { spec: { capacity: { storage: want } } },
      contentType: merge,
    });
    await apiJson(
      auth,
      'PATCH',
      `/api/v1/namespaces/${pvc.metadata.namespace}/persistentvolumeclaims/${pvc.metadata.name}/status`,
      {
        body: { status: { capacity: { storage: want }, conditions: null } },
        contentType: merge,
      },
    );
    log('info', 'resized', { claim: `${pvc.metadata.namespace}/${pvc.metadata.name}`, storage: want });
  });
  await pool(toDelete, async (pv) => {
    try {
      await apiJson(auth, 'DELETE', `/api/v1/persistentvolumes/${pv.metadata.name}`);
      log('info', 'deleted released volume', { volume: pv.metadata.name });
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
    }
  });
}

function main(): void {
  const [server, ca, cert, key] = process.argv.slice(2);
  if (!server || !ca || !cert || !key) {
    console.error('usage: volume-provisioner.ts <server> <ca.crt> <client.crt> <client.key>');
    process.exit(2);
  }
  const auth: ApiAuth = {
    ...fileAuth(server, ca, cert, key),
    agent: new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 }),
  };

  // One reconcile at a time; events during a pass cause exactly one more pass.
  let running = false;
  let again = false;
  const trigger = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    setTimeout(async () => {
      do {
        again = false;
        const started = Date.now();
        try {
          await reconcile(auth);
        } catch (e) {
          log('error', 'reconcile failed', { err: (e as Error).message });
        }
        // Each pass lists every claim and volume; under a stream of events (thousands of
        // claims in a benchmark) keep to about two passes a second.
        if (again) await new Promise((r) => setTimeout(r, Math.max(0, 500 - (Date.now() - started))));
      } while (again);
      running = false;
    }, 50); // let a burst of events (300 claims created at once) land in one pass
  };

  // A watch without resourceVersion first replays every existing object as ADDED, so each
  // (re)connect also covers anything missed while disconnected (e.g. an apiserver restart).
  const watch = async (path: string): Promise<never> => {
    for (;;) {
      try {
        await apiWatch(auth, `${path}?watch=1&timeoutSeconds=300`, (e) => {
          if (e.type !== 'BOOKMARK') trigger();
        });
      } catch (e) {
        log('warn', 'watch failed; retrying', { path, err: (e as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  void watch('/api/v1/persistentvolumeclaims');
  void watch('/api/v1/persistentvolumes');
  setInterval(trigger, 10_000);
  trigger();
  log('info', 'volume provisioner started', { driver: DRIVER_NAME, server });
}

if (import.meta.main) main();
