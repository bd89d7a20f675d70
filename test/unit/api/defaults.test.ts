import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultCosmosFullNode,
  defaultScheduledVolumeSnapshot,
  defaultStatefulJob,
  p2pPort,
  rpcPort,
  snapshotLimit,
  snapshotMinAvailable,
  statefulJobIntervalMs,
} from '../../../src/api/defaults.ts';
import { aFullNode, aSnapshotSchedule, aStatefulJob, withValue } from '../../fixtures/api/objects.ts';

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

describe('defaultCosmosFullNode', () => {
  const defaulted = defaultCosmosFullNode(aFullNode('hub')) as Json;

  // The persisted defaults are listed in docs/compatibility.md §1.1.
  it('fills the persisted defaults of docs/compatibility.md §1.1', () => {
    assert.equal(defaulted['spec'].ordinals.start, 0);
    assert.equal(defaulted['spec'].type, 'FullNode');
    assert.equal(defaulted['spec'].chain.homeDir, 'cosmos');
    assert.equal(defaulted['spec'].podTemplate.terminationGracePeriodSeconds, 30);
    assert.equal(defaulted['spec'].podTemplate.probes.strategy, 'InSync');
    assert.equal(defaulted['spec'].strategy.maxUnavailable, '25%');
    assert.deepEqual(defaulted['spec'].volumeClaimTemplate.accessModes, ['ReadWriteOnce']);
    assert.equal(defaulted['spec'].volumeClaimTemplate.volumeMode, 'Filesystem');
    assert.equal(defaulted['spec'].volumeRetentionPolicy, 'Delete');
    assert.equal(defaulted['spec'].service.maxP2PExternalAddresses, 1);
    assert.equal(defaulted['spec'].service.clusterDomain, 'cluster.local');
  });

  it('does not persist defaults that change what the Go operator builds (log flags, TOML keys, versioncheck -b)', () => {
    const chain = defaulted['spec'].chain;
    for (const key of ['logLevel', 'logFormat', 'databaseBackend', 'privvalSleepSeconds']) {
      assert.equal(chain[key], undefined, key);
    }
    assert.equal(chain.config, undefined);
  });

  it('sleeps a Sentry for 10 seconds by default', () => {
    assert.equal(
      (defaultCosmosFullNode(aFullNode('hub', withValue('spec.type', 'Sentry'))) as Json)['spec'].chain
        .privvalSleepSeconds,
      10,
    );
  });

  it('fills the pruning numbers when pruning is set', () => {
    const obj = defaultCosmosFullNode(
      aFullNode('hub', withValue('spec.chain.app.pruning', { strategy: 'custom', keepRecent: 100 })),
    ) as Json;
    assert.deepEqual(obj['spec'].chain.app.pruning, {
      strategy: 'custom',
      keepRecent: 100,
      interval: 0,
      keepEvery: 0,
      minRetainBlocks: 0,
    });
  });

  it('defaults instance override PVC templates like the main one', () => {
    const obj = defaultCosmosFullNode(
      aFullNode(
        'hub',
        withValue('spec.instanceOverrides', {
          'hub-0': { volumeClaimTemplate: { storageClassName: 's', resources: {} } },
        }),
      ),
    ) as Json;
    assert.deepEqual(obj['spec'].instanceOverrides['hub-0'].volumeClaimTemplate.accessModes, ['ReadWriteOnce']);
  });

  it('keeps what the user set', () => {
    const obj = defaultCosmosFullNode(
      aFullNode(
        'hub',
        withValue('spec.strategy.maxUnavailable', 2),
        withValue('spec.type', 'Sentry'),
        withValue('spec.chain.privvalSleepSeconds', 0),
      ),
    ) as Json;
    assert.equal(obj['spec'].strategy.maxUnavailable, 2);
    assert.equal(obj['spec'].chain.privvalSleepSeconds, 0);
  });

  it('keeps fields it does not model, metadata and status', () => {
    const input = aFullNode(
      'hub',
      withValue('spec.futureField', { a: 1 }),
      withValue('status.phase', 'Complete'),
      withValue('metadata.labels', { a: 'b' }),
    );
    const obj = defaultCosmosFullNode(input) as Json;
    assert.deepEqual(obj['spec'].futureField, { a: 1 });
    assert.deepEqual(obj['status'], { phase: 'Complete' });
    assert.deepEqual(obj['metadata'], { name: 'hub', namespace: 'default', labels: { a: 'b' } });
  });

  it('does not change its input', () => {
    const input = aFullNode('hub');
    const before = structuredClone(input);
    defaultCosmosFullNode(input);
    assert.deepEqual(input, before);
  });

  it('is idempotent', () => {
    assert.deepEqual(defaultCosmosFullNode(defaulted), defaulted);
  });

  it('returns malformed input unchanged instead of throwing', () => {
    for (const value of [null, 1, 'x', [], { spec: 5 }, { spec: { chain: 'x', podTemplate: [], strategy: 7 } }]) {
      assert.deepEqual(
        defaultCosmosFullNode(value),
        value === null || typeof value !== 'object' || Array.isArray(value) ? value : defaultCosmosFullNode(value),
      );
    }
    assert.deepEqual((defaultCosmosFullNode({ spec: { strategy: 7 } }) as Json)['spec'].strategy, 7);
  });
});

describe('defaultScheduledVolumeSnapshot', () => {
  it('fills minAvailable 2, limit 3, deletePod and suspend false', () => {
    const spec = (defaultScheduledVolumeSnapshot(aSnapshotSchedule()) as Json)['spec'];
    assert.equal(spec.minAvailable, 2);
    assert.equal(spec.limit, 3);
    assert.equal(spec.deletePod, false);
    assert.equal(spec.suspend, false);
  });

  it('leaves 0 alone, so that validation rejects it as the Go CRD did', () => {
    assert.equal(
      (defaultScheduledVolumeSnapshot(aSnapshotSchedule(withValue('spec.limit', 0))) as Json)['spec'].limit,
      0,
    );
  });

  it('is idempotent', () => {
    const once = defaultScheduledVolumeSnapshot(aSnapshotSchedule());
    assert.deepEqual(defaultScheduledVolumeSnapshot(once), once);
  });
});

describe('defaultStatefulJob', () => {
  it('fills the interval, the job settings and the restart policy', () => {
    const spec = (defaultStatefulJob(aStatefulJob()) as Json)['spec'];
    assert.equal(spec.interval, '24h');
    assert.deepEqual(spec.jobTemplate, { activeDeadlineSeconds: 86400, backoffLimit: 5, ttlSecondsAfterFinished: 900 });
    assert.equal(spec.podTemplate.spec.restartPolicy, 'Never');
  });

  it('keeps a restart policy the user set', () => {
    assert.equal(
      (defaultStatefulJob(aStatefulJob(withValue('spec.podTemplate.spec.restartPolicy', 'OnFailure'))) as Json)['spec']
        .podTemplate.spec.restartPolicy,
      'OnFailure',
    );
  });

  it('is idempotent', () => {
    const once = defaultStatefulJob(aStatefulJob());
    assert.deepEqual(defaultStatefulJob(once), once);
  });
});

describe('runtime readings of defaults', () => {
  it('treats minAvailable and limit of 0 or less as unset, as the Go operator did', () => {
    assert.equal(snapshotMinAvailable({ minAvailable: 0 }), 2);
    assert.equal(snapshotMinAvailable({ minAvailable: 4 }), 4);
    assert.equal(snapshotLimit({}), 3);
    assert.equal(snapshotLimit({ limit: -1 }), 3);
  });

  it('reads the StatefulJob interval, 24h when unset or not positive', () => {
    assert.equal(statefulJobIntervalMs({ interval: '1h30m' }), 5_400_000);
    assert.equal(statefulJobIntervalMs({}), 86_400_000);
    assert.equal(statefulJobIntervalMs({ interval: '0s' }), 86_400_000);
  });

  it('takes the port after the last colon, falling back to the default', () => {
    assert.equal(rpcPort('tcp://0.0.0.0:36657'), 36657);
    assert.equal(rpcPort(undefined), 26657);
    assert.equal(rpcPort('tcp://[::]:abc'), 26657);
    assert.equal(p2pPort('tcp://0.0.0.0:26666'), 26666);
    assert.equal(p2pPort(''), 26656);
  });
});
