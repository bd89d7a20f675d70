// Only the leader reconciles (docs/architecture.md §6.4; docs/compatibility.md §10: Lease
// `16e1bc09.strange.love`, shared with the Go operator so the two never reconcile at once). The
// real program runs as a separate process with --leader-elect while this test plays another
// operator holding the Lease and renewing it: nothing may be created until the renewals stop and
// the lease runs out.
//
// The operator runs with exactly deploy/rbac's permissions: the manager-role ClusterRole (bound
// by operatorCredentials) and the leader-election Role from leader_election_role.yaml, bound in
// the namespace that holds the Lease. A missing permission fails the test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { eventually, newNamespace } from '../../cluster/connect.ts';
import { type FakeCometFleet, fakeCometForPods } from '../../support/fake-comet.ts';
import { type LogRecord, type OperatorProcess, portOf, startOperator } from '../../support/operator-process.ts';
import { auditEvents, auditMark, describeAudit, serviceAccountUser } from '../../support/audit-log.ts';
import { recordWatch, type WatchRecorder } from '../../support/watch-recorder.ts';
import {
  FULL_NODES,
  getFullNode,
  grantLeaderElection,
  type Harness,
  harness,
  list,
  minimalExample,
  names,
  type Obj,
  operatorCredentials,
} from './harness.ts';

const LEASE = '16e1bc09.strange.love';
const FOREIGN = 'cosmos-operator-go-7d9f6c5b8-x2x9k_6f1c1d8e-2a7b-4c3e-9d0f-8b5a4e3c2d1f';
// Short, so the takeover phase takes seconds; the renewals (every second) keep it valid meanwhile,
// even when a busy machine delays a few of them (a standby may rightly take a lease not renewed
// for this long).
const FOREIGN_LEASE_SECONDS = 8;
/** Every kind of child a CosmosFullNode has (§2.1), found by the operator's label. */
const CHILD_TYPES = [
  resources.services,
  resources.secrets,
  resources.configMaps,
  resources.serviceAccounts,
  resources.roles,
  resources.roleBindings,
  resources.pods,
  resources.persistentVolumeClaims,
];

type LeaseObject = KubeObject & {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
};

/** MicroTime as client-go writes it: six fractional digits. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

describe('a standby cosmos-operator (--leader-elect)', () => {
  let h: Harness;
  let ns: string;
  let operator: OperatorProcess;
  let metricsPort: number;
  let fleet: FakeCometFleet;
  let renewer: ReturnType<typeof setInterval> | undefined;
  const renewals = new Set<Promise<unknown>>();
  let firstRound: LogRecord;
  /** Every state of the Lease, from before it was created (test/support/watch-recorder.ts). */
  let leaseWatch: WatchRecorder<LeaseObject>;
  let operatorUser: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  const leasePath = () => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE}`;
  const lease = async () => (await h.admin.objects<LeaseObject>(resources.leases).get(ns, LEASE))!;
  const masterStatus = async () => {
    const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return body.match(/^leader_election_master_status\{name="16e1bc09\.strange\.love"\} (\d+)$/m)?.[1];
  };
  const children = async () => {
    const found: string[] = [];
    for (const type of CHILD_TYPES) {
      for (const name of names(await list(h, type, ns, 'app.kubernetes.io/created-by=cosmos-operator'))) {
        found.push(`${type.kind}/${name}`);
      }
    }
    return found;
  };

  before(async () => {
    h = await harness();
    ns = await newNamespace('standby');
    cleanups.push(() => h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']));
    const kubeconfig = await operatorCredentials(h, ns);
    cleanups.push(() => h.cluster.kubectl(['delete', 'clusterrolebinding', `fullnode-it-${ns}`]));
    await grantLeaderElection(h, ns, 'cosmos-operator');
    fleet = fakeCometForPods(h.cluster, ns);
    cleanups.push(() => fleet.close());

    operatorUser = serviceAccountUser(ns, 'cosmos-operator');
    leaseWatch = await recordWatch<LeaseObject>(
      h.cluster.admin,
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
    );
    cleanups.push(() => leaseWatch.stop().catch(() => {}));
    // The other operator: it holds the Lease and renews it every second, as a live leader does.
    const now = Date.now();
    await h.admin.objects<LeaseObject>(resources.leases).create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { namespace: ns, name: LEASE },
      spec: {
        holderIdentity: FOREIGN,
        leaseDurationSeconds: FOREIGN_LEASE_SECONDS,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    });
    renewer = setInterval(() => {
      const renewal = h.admin.rest
        .request({
          method: 'PATCH',
          path: leasePath(),
          body: { spec: { renewTime: microTime(Date.now()) } },
          contentType: 'application/merge-patch+json',
        })
        .catch(() => {})
        .finally(() => renewals.delete(renewal));
      renewals.add(renewal);
    }, 1_000);
    cleanups.push(async () => clearInterval(renewer));

    operator = startOperator([
      'manager',
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      `--watch-namespace=${ns}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=127.0.0.1:0',
      '--webhook-port=0',
    ]);
    cleanups.push(() => operator.stop());
    metricsPort = portOf(await operator.waitForLog((r) => r.msg === 'serving metrics'));
    // Its first campaign round is over: it has read the Lease (the first test checks the outcome).
    firstRound = await operator.waitForLog((r) =>
      r.msg === 'lease held by another candidate' || r.msg === 'became the leader; starting reconcilers'
    );
  }, { timeout: 30 * 60_000 });

  after(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('creates no child of a new CosmosFullNode, and reports itself not leader, while another holder keeps renewing the Lease', async (t) => {
    assert.deepEqual([firstRound.msg, firstRound.holder], ['lease held by another candidate', FOREIGN]);
    const created = await auditMark(h.cluster);
    await h.admin.objects(FULL_NODES).create(
      minimalExample(ns, h.cluster.storageClass, (n) => {
        n.spec.replicas = 2;
        n.spec.service = { maxP2PExternalAddresses: 0 };
      }),
    );
    // The window is the standby's own campaign rounds (its Lease reads, from the API server's
    // audit log), not seconds of this process: it ends at its first read more than a lease
    // duration plus three retry periods (2 s, jittered up to 1.2×) after its first one, and after
    // the CosmosFullNode was created. A standby that ignored the renewals would have taken the
    // Lease by then.
    const leaseReads = () =>
      auditEvents(h.cluster, { user: operatorUser }).filter((e) =>
        e.verb === 'get' && e.objectRef?.resource === 'leases' && e.objectRef.name === LEASE
      );
    const windowMs = FOREIGN_LEASE_SECONDS * 1000 + 3 * 2_000 * 1.2;
    const reads = await eventually(() => {
      const all = leaseReads();
      const first = Date.parse(all[0]?.requestReceivedTimestamp ?? '');
      const last = all.at(-1);
      assert.ok(last && last.requestReceivedTimestamp > created.at, 'a Lease read after the create');
      assert.ok(Date.parse(last.requestReceivedTimestamp) - first > windowMs, `${all.length} Lease reads so far`);
      return all;
    }, { timeoutMs: 180_000, message: `the standby's Lease reads spanning ${windowMs} ms` });
    const to = await auditMark(h.cluster);
    t.diagnostic(`${reads.length} Lease reads by the standby from ${reads[0]!.requestReceivedTimestamp} to ${to.at}`);

    const writes = auditEvents(h.cluster, { user: operatorUser, to, writes: true });
    if (writes.length > 0) {
      // Say whether the renewals lapsed (a machine too busy to renew is not the standby's fault).
      const renewed = leaseWatch.changes.map((c) => Date.parse(c.object.spec.renewTime ?? ''));
      const gaps = renewed.slice(1).map((at, i) => at - renewed[i]!);
      assert.fail(
        `the standby wrote while the Lease was held:\n${describeAudit(writes)}\n` +
          `(longest gap between renewals: ${Math.max(0, ...gaps)} ms, lease ${FOREIGN_LEASE_SECONDS} s)`,
      );
    }
    assert.deepEqual(
      leaseWatch.changes.map((c) => c.object.spec.holderIdentity).filter((holder) => holder !== FOREIGN),
      [],
      'nobody else ever held the Lease',
    );
    assert.deepEqual(await children(), []);
    assert.equal((await getFullNode(h, ns, 'cosmoshub')).status, undefined, 'no status written');
    assert.equal(await masterStatus(), '0');
    assert.equal(operator.logs.find((r) => r.msg === 'became the leader; starting reconcilers'), undefined);
    assert.equal(operator.child.exitCode, null, 'the standby keeps running');
  });

  it('takes the Lease once the holder stops renewing and its duration has passed, then creates the children and reaches Complete', async () => {
    clearInterval(renewer);
    await Promise.all(renewals); // a renewal in flight still lands

    await operator.waitForLog((r) => r.msg === 'became the leader; starting reconcilers', 120_000);
    const taken = await lease();
    assert.notEqual(taken.spec.holderIdentity, FOREIGN);
    assert.match(taken.spec.holderIdentity ?? '', /_[0-9a-f-]{36}$/);
    assert.equal(taken.spec.leaseTransitions, 1);
    // Not before the abandoned lease ran out, measured from its last renewal as the watch saw the
    // Lease (both times are this machine's clock, written into the object).
    const states = leaseWatch.changes.map((c) => c.object.spec);
    const lastForeign = states.findLast((spec) => spec.holderIdentity === FOREIGN);
    const acquired = states.find((spec) => spec.holderIdentity === taken.spec.holderIdentity);
    assert.ok(lastForeign?.renewTime && acquired?.acquireTime, 'the watch saw both holders');
    const afterMs = Date.parse(acquired.acquireTime) - Date.parse(lastForeign.renewTime);
    assert.ok(afterMs >= FOREIGN_LEASE_SECONDS * 1000 - 1, `acquired ${afterMs} ms after the last renewal`);
    assert.equal(await masterStatus(), '1');

    await eventually(
      async () => {
        const node = await getFullNode(h, ns, 'cosmoshub');
        assert.equal(node.status?.phase, 'Complete');
        const found = await children();
        for (
          const child of [
            'Service/cosmoshub-p2p-0',
            'Service/cosmoshub-p2p-1',
            'Service/cosmoshub-rpc',
            'Secret/cosmoshub-node-key-0',
            'Secret/cosmoshub-node-key-1',
            'ConfigMap/cosmoshub-0',
            'ConfigMap/cosmoshub-1',
            'ServiceAccount/cosmoshub-vc-sa',
            'Role/cosmoshub-vc-r',
            'RoleBinding/cosmoshub-vc-rb',
            'Pod/cosmoshub-0',
            'Pod/cosmoshub-1',
            'PersistentVolumeClaim/pvc-cosmoshub-0',
            'PersistentVolumeClaim/pvc-cosmoshub-1',
          ]
        ) {
          assert.ok(found.includes(child), `${child} among ${found.join(', ')}`);
        }
        const pods = await list(h, resources.pods, ns, 'app.kubernetes.io/name=cosmoshub');
        for (const pod of pods as Obj[]) assert.equal(pod.status?.phase, 'Running');
      },
      { timeoutMs: 180_000, message: 'children of the CosmosFullNode, phase Complete' },
    );
    assert.equal(operator.child.exitCode, null);
  });
});
