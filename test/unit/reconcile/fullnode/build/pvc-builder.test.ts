import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  autoScaleRequestsOf,
  buildPvcs,
  padded2Percent,
  type PvcObservations,
} from '../../../../../src/reconcile/fullnode/build/pvc-builder.ts';
import { formatQuantity, parseQuantity } from '../../../../../src/syntax/quantity.ts';
import {
  aFullNode,
  withInstanceOverride,
  withReplicas,
  withStartOrdinal,
  withStatus,
  withVolumeClaimTemplate,
} from '../../../../fixtures/fullnode.ts';

const NONE: PvcObservations = { boundCapacity: {}, autoScaleRequested: {}, dataSources: {} };
const juno = (...changes: Parameters<typeof aFullNode>[1][]) => aFullNode('juno', withReplicas(3), ...changes);
const storageOf = (pvcs: ReturnType<typeof buildPvcs>, index = 0) =>
  pvcs[index]!.pvc.spec!.resources!.requests!['storage'];
const template = (storage: string) =>
  withVolumeClaimTemplate({ storageClassName: 'test-storage-class', resources: { requests: { storage } } });

describe('buildPvcs', () => {
  it('builds pvc-<app>-<ordinal> for each ordinal from the start, with the ordinal as diff ordinal', () => {
    const pvcs = buildPvcs(juno(withStartOrdinal(1)), NONE);
    assert.deepEqual(
      pvcs.map((p) => [p.ordinal, p.pvc.metadata!.name]),
      [
        [1, 'pvc-juno-1'],
        [2, 'pvc-juno-2'],
        [3, 'pvc-juno-3'],
      ],
    );
  });

  it('labels each PVC with the default labels and its instance', () => {
    assert.deepEqual(buildPvcs(juno(), NONE)[2]!.pvc.metadata!.labels, {
      'app.kubernetes.io/created-by': 'cosmos-operator',
      'app.kubernetes.io/component': 'CosmosFullNode',
      'app.kubernetes.io/name': 'juno',
      'app.kubernetes.io/instance': 'juno-2',
      'app.kubernetes.io/version': 'v1.2.3',
      'cosmos.strange.love/network': 'mainnet',
      'cosmos.strange.love/type': 'FullNode',
    });
  });

  it('defaults to ReadWriteOnce and Filesystem, with the template storage class and resources', () => {
    const { pvc } = buildPvcs(juno(), NONE)[0]!;
    assert.deepEqual([pvc.apiVersion, pvc.kind, pvc.metadata!.namespace], ['v1', 'PersistentVolumeClaim', 'test']);
    assert.deepEqual(pvc.spec, {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '100Gi' } },
      storageClassName: 'test-storage-class',
      volumeMode: 'Filesystem',
    });
  });

  it('takes access modes, volume mode, limits and metadata from the template, operator labels winning', () => {
    const node = juno(
      withReplicas(1),
      withVolumeClaimTemplate({
        metadata: {
          labels: { label: 'value', 'app.kubernetes.io/created-by': 'should not see me' },
          annotations: { annot: 'value' },
        },
        storageClassName: 'fast',
        accessModes: ['ReadWriteMany'],
        volumeMode: 'Block',
        resources: { requests: { storage: '1Ti' }, limits: { storage: '2Ti' } },
      }),
    );
    const { pvc } = buildPvcs(node, NONE)[0]!;
    assert.deepEqual([
      pvc.metadata!.labels!['label'],
      pvc.metadata!.labels!['app.kubernetes.io/created-by'],
      pvc.metadata!.annotations,
    ], ['value', 'cosmos-operator', { annot: 'value' }]);
    assert.deepEqual(pvc.spec, {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '1Ti' }, limits: { storage: '2Ti' } },
      storageClassName: 'fast',
      volumeMode: 'Block',
    });
  });

  it('leaves out the PVC of an instance disabled with All, but not with Pod', () => {
    const node = juno(
      withInstanceOverride('juno-0', { disable: 'Pod' }),
      withInstanceOverride('juno-1', { disable: 'All' }),
    );
    assert.deepEqual(
      buildPvcs(node, NONE).map((p) => p.pvc.metadata!.name),
      ['pvc-juno-0', 'pvc-juno-2'],
    );
  });

  it("replaces the whole template with an instance override's", () => {
    const node = juno(
      withInstanceOverride('juno-1', {
        volumeClaimTemplate: {
          storageClassName: 'override',
          accessModes: ['ReadWriteOncePod'],
          resources: { requests: { storage: '100Gi' } },
        },
      }),
    );
    const pvcs = buildPvcs(node, NONE);
    assert.deepEqual(
      pvcs.map((p) => [p.pvc.spec!.storageClassName, p.pvc.spec!.accessModes]),
      [
        ['test-storage-class', ['ReadWriteOnce']],
        ['override', ['ReadWriteOncePod']],
        ['test-storage-class', ['ReadWriteOnce']],
      ],
    );
  });

  // docs/compatibility.md §2.8.
  it("sizes an overridden PVC from the override's template (fixes the upstream BUG of §2.8)", () => {
    const node = juno(
      withInstanceOverride('juno-1', {
        volumeClaimTemplate: { storageClassName: 'override', resources: { requests: { storage: '2Ti' } } },
      }),
    );
    const pvcs = buildPvcs(node, NONE);
    assert.deepEqual([storageOf(pvcs, 0), storageOf(pvcs, 1)], ['100Gi', '2Ti']);
  });

  it('keeps the template size when 97G requested plus 2% is below a 100G template', () => {
    const pvcs = buildPvcs(juno(template('100G')), { ...NONE, autoScaleRequested: { 'pvc-juno-0': '97G' } });
    assert.equal(storageOf(pvcs), '100G');
  });

  it('requests 102G when the autoscaler asked for 100G', () => {
    const pvcs = buildPvcs(juno(template('100G')), { ...NONE, autoScaleRequested: { 'pvc-juno-0': '100G' } });
    assert.equal(storageOf(pvcs), '102G');
  });

  it('pads only the PVC the autoscaler asked for', () => {
    const pvcs = buildPvcs(juno(template('100G')), { ...NONE, autoScaleRequested: { 'pvc-juno-1': '200G' } });
    assert.deepEqual([storageOf(pvcs, 0), storageOf(pvcs, 1), storageOf(pvcs, 2)], ['100G', '204G', '100G']);
  });

  it('never shrinks below the capacity of the bound volume', () => {
    const pvcs = buildPvcs(juno(template('100G')), {
      ...NONE,
      boundCapacity: { 'pvc-juno-0': '150G' },
      autoScaleRequested: { 'pvc-juno-0': '120G' },
    });
    assert.equal(storageOf(pvcs), '150G');
  });

  it('asks for the padded request when it exceeds the bound capacity', () => {
    const pvcs = buildPvcs(juno(template('100G')), {
      ...NONE,
      boundCapacity: { 'pvc-juno-0': '110G' },
      autoScaleRequested: { 'pvc-juno-0': '120G' },
    });
    assert.equal(storageOf(pvcs), '122400M');
  });

  it('keeps the template size when the bound capacity is smaller', () => {
    const pvcs = buildPvcs(juno(template('100Gi')), { ...NONE, boundCapacity: { 'pvc-juno-0': '99Gi' } });
    assert.equal(storageOf(pvcs), '100Gi');
  });

  it('sizes a PVC with a data source from the source and returns the source apart from the PVC', () => {
    const ref = { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap-1' };
    const pvcs = buildPvcs(juno(), {
      ...NONE,
      dataSources: { 'pvc-juno-1': { ref, size: '250Gi' } },
      autoScaleRequested: { 'pvc-juno-1': '1Ti' },
    });
    assert.equal(storageOf(pvcs, 1), '250Gi');
    assert.deepEqual(pvcs[1]!.dataSource, ref);
    assert.equal(pvcs[1]!.pvc.spec!.dataSource, undefined);
    assert.equal(pvcs[0]!.dataSource, undefined);
  });

  it('sizes a PVC from the template when its data source has no size', () => {
    const ref = { kind: 'PersistentVolumeClaim', name: 'old' };
    const pvcs = buildPvcs(juno(), { ...NONE, dataSources: { 'pvc-juno-0': { ref } } });
    assert.deepEqual([storageOf(pvcs), pvcs[0]!.dataSource], ['100Gi', ref]);
  });

  it('is owned by the CosmosFullNode', () => {
    assert.equal(buildPvcs(juno(), NONE)[0]!.pvc.metadata!.ownerReferences![0]!.kind, 'CosmosFullNode');
  });

  it('builds deep-equal PVCs from the same input, sharing nothing with the node', () => {
    const node = juno(
      withVolumeClaimTemplate({
        storageClassName: 's',
        resources: { requests: { storage: '1Gi' } },
        metadata: { labels: { a: 'b' } },
      }),
    );
    const snapshot = structuredClone(node);
    const first = buildPvcs(node, NONE);
    first[0]!.pvc.spec!.resources!.requests!['storage'] = 'mutated';
    assert.deepEqual(node, snapshot);
    assert.deepEqual(buildPvcs(node, NONE), buildPvcs(snapshot, NONE));
  });
});

describe('padded2Percent', () => {
  const padded = (text: string) => {
    const parsed = parseQuantity(text);
    assert.ok(parsed.ok);
    return formatQuantity(padded2Percent(parsed.quantity));
  };

  it('adds 2% exactly, in decimal SI', () => {
    assert.deepEqual([padded('100G'), padded('97G'), padded('1Ti')], ['102G', '98940M', '1121501860331520m']);
  });
});

describe('autoScaleRequestsOf', () => {
  it('reads the requested sizes from status.selfHealing.pvcAutoScaler', () => {
    const node = juno(
      withStatus({
        selfHealing: {
          pvcAutoScaler: { 'pvc-juno-0': { requestedSize: '120Gi', requestedAt: '2024-01-01T00:00:00Z' } },
        },
      }),
    );
    assert.deepEqual(autoScaleRequestsOf(node), { 'pvc-juno-0': '120Gi' });
  });
});
