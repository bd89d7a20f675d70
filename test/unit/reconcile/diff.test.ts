import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DesiredResource,
  diffByRevision,
  fnv1Hex,
  metadataDrifted,
  ordinalOf,
  revisionOf,
  withRevision,
} from '../../../src/reconcile/diff.ts';

type Pod = {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    ownerReferences?: unknown[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { image?: string };
};

function pod(name: string, image = 'gaia:v1'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { image } };
}

function want(ordinal: number, image = 'gaia:v1'): DesiredResource<Pod> {
  return { object: pod(`pod-${ordinal}`, image), ordinal };
}

/** The objects as they exist after the wanted ones were created. */
function existing(...wanted: DesiredResource<Pod>[]): Pod[] {
  return diffByRevision([], wanted).creates;
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('fnv1Hex', () => {
  it('matches the FNV-1 32-bit reference values', () => {
    const text = (s: string) => fnv1Hex(new TextEncoder().encode(s));
    assert.equal(text(''), '811c9dc5');
    assert.equal(text('a'), '050c5d7e');
    assert.equal(text('foobar'), '31f0b262');
  });
});

describe('revisionOf', () => {
  it('is stable: the same object hashes the same every time', () => {
    assert.equal(revisionOf(pod('pod-0')), revisionOf(pod('pod-0')));
    assert.match(revisionOf(pod('pod-0')), /^[0-9a-f]{8}$/);
  });

  it('does not depend on the order keys were written in', () => {
    const a = { metadata: { name: 'x', namespace: 'y' }, spec: { b: 1, a: [{ d: 1, c: 2 }] } };
    const b = { spec: { a: [{ c: 2, d: 1 }], b: 1 }, metadata: { namespace: 'y', name: 'x' } };
    assert.equal(revisionOf(a), revisionOf(b));
  });

  it('changes when the object changes', () => {
    assert.notEqual(revisionOf(pod('pod-0', 'gaia:v1')), revisionOf(pod('pod-0', 'gaia:v2')));
  });

  it('ignores the revision label and ordinal annotation it stamps', () => {
    const plain = pod('pod-0');
    assert.equal(revisionOf(withRevision(plain, 7)), revisionOf(plain));
  });
});

describe('metadataDrifted', () => {
  const meta = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
    metadata: { name: 'x', labels, annotations },
  });
  it('is false when every wanted label and annotation is there, whatever else was added', () => {
    assert.equal(
      metadataDrifted(meta({ a: '1', extra: 'y' }, { n: '2', note: 'z' }), meta({ a: '1' }, { n: '2' })),
      false,
    );
  });
  it('is true when a wanted label or annotation was changed or removed', () => {
    assert.equal(metadataDrifted(meta({ a: 'edited' }), meta({ a: '1' })), true);
    assert.equal(metadataDrifted(meta({}), meta({ a: '1' })), true);
    assert.equal(metadataDrifted(meta({ a: '1' }, {}), meta({ a: '1' }, { n: '2' })), true);
  });
});

describe('withRevision', () => {
  it('adds the revision label and ordinal annotation without changing the input', () => {
    const plain = pod('pod-3');
    const stamped = withRevision(plain, 3);
    assert.equal(stamped.metadata.labels?.['app.kubernetes.io/revision'], revisionOf(plain));
    assert.equal(stamped.metadata.annotations?.['app.kubernetes.io/ordinal'], '3');
    assert.equal(plain.metadata.labels, undefined);
  });
});

describe('diffByRevision', () => {
  it('creates what is wanted and missing, stamped, sorted by ordinal', () => {
    const current = existing(want(0));
    const diff = diffByRevision(current, [want(110), want(1), want(0)]);
    assert.deepEqual(names(diff.creates), ['pod-1', 'pod-110']);
    assert.equal(diff.creates[0]!.metadata.annotations?.['app.kubernetes.io/ordinal'], '1');
    assert.equal(diff.creates[1]!.metadata.labels?.['app.kubernetes.io/revision'], revisionOf(pod('pod-110')));
    assert.deepEqual(diff.updates, []);
    assert.deepEqual(diff.deletes, []);
  });

  it('creates everything when nothing exists', () => {
    const diff = diffByRevision([], [want(0)]);
    assert.deepEqual(names(diff.creates), ['pod-0']);
  });

  it('deletes what exists and is not wanted, sorted by the ordinal annotation', () => {
    const current = existing(want(0), want(11), want(2));
    const diff = diffByRevision(current, [want(0)]);
    assert.deepEqual(names(diff.deletes), ['pod-2', 'pod-11']);
    assert.deepEqual(diff.creates, []);
    assert.deepEqual(diff.updates, []);
  });

  it('updates objects whose revision label differs, carrying over their identity', () => {
    const current = existing(want(11), want(2)).map((p) => ({
      ...p,
      metadata: {
        ...p.metadata,
        uid: `uid-${p.metadata.name}`,
        resourceVersion: `rv-${p.metadata.name}`,
        generation: 5,
        ownerReferences: [{ name: 'owner' }],
      },
    }));
    const diff = diffByRevision(current, [want(11, 'gaia:v2'), want(2, 'gaia:v2')]);
    assert.deepEqual(names(diff.updates), ['pod-2', 'pod-11']);
    const [two] = diff.updates;
    assert.equal(two!.metadata.labels?.['app.kubernetes.io/revision'], revisionOf(pod('pod-2', 'gaia:v2')));
    assert.equal(two!.metadata.annotations?.['app.kubernetes.io/ordinal'], '2');
    assert.equal(two!.metadata.uid, 'uid-pod-2');
    assert.equal(two!.metadata.resourceVersion, 'rv-pod-2');
    assert.equal(two!.metadata.generation, 5);
    assert.deepEqual(two!.metadata.ownerReferences, [{ name: 'owner' }]);
    assert.equal(two!.spec?.image, 'gaia:v2');
  });

  it('leaves objects alone whose revision label matches', () => {
    const current = existing(want(0));
    const diff = diffByRevision(current, [want(0)]);
    assert.deepEqual(diff, { creates: [], updates: [], deletes: [] });
  });

  it('updates objects whose revision label matches but that `drifted` calls drifted (an edit by hand)', () => {
    const current = existing(want(0), want(1));
    const edited = { ...current[1]!, spec: { image: 'edited' } };
    const seen: string[] = [];
    const diff = diffByRevision([current[0]!, edited], [want(0), want(1)], (have, wanted) => {
      seen.push(`${have.metadata.name}:${wanted.metadata.labels?.['app.kubernetes.io/revision'] !== undefined}`);
      return have.spec?.image !== wanted.spec?.image;
    });
    assert.deepEqual(
      seen,
      ['pod-0:true', 'pod-1:true'],
      'asked about each unchanged revision, with the stamped object',
    );
    assert.deepEqual(names(diff.updates), ['pod-1']);
    assert.equal(diff.updates[0]!.spec?.image, 'gaia:v1');
  });

  it('creates, updates and deletes in one pass', () => {
    const current = existing(want(0), want(1), want(2));
    const diff = diffByRevision(current, [want(0, 'gaia:v2'), want(1), want(3)]);
    assert.deepEqual(names(diff.creates), ['pod-3']);
    assert.deepEqual(names(diff.updates), ['pod-0']);
    assert.deepEqual(names(diff.deletes), ['pod-2']);
  });

  it('updates an object the Go operator made, whose hash differs, once', () => {
    const adopted: Pod = {
      ...pod('pod-0'),
      metadata: { name: 'pod-0', namespace: 'default', labels: { 'app.kubernetes.io/revision': '1a2b3c4d' } },
    };
    const first = diffByRevision([adopted], [want(0)]);
    assert.deepEqual(names(first.updates), ['pod-0']);
    assert.deepEqual(diffByRevision(first.updates, [want(0)]).updates, []);
  });

  it('matches objects by namespace and name', () => {
    const other: Pod = { ...pod('pod-0'), metadata: { name: 'pod-0', namespace: 'elsewhere' } };
    const diff = diffByRevision([other], [want(0)]);
    assert.deepEqual(names(diff.creates), ['pod-0']);
    assert.deepEqual(names(diff.deletes), ['pod-0']);
  });

  it('throws on two current objects with the same name', () => {
    assert.throws(() => diffByRevision([pod('pod-0'), pod('pod-0')], []), /unique namespace\/name; default\/pod-0/);
  });

  it('throws on two wanted objects with the same name', () => {
    assert.throws(() => diffByRevision([], [want(0), want(0)]), /unique/);
  });
});

describe('ordinalOf', () => {
  it('reads the ordinal annotation, and 0 when it is missing or not a number', () => {
    assert.equal(ordinalOf(withRevision(pod('p'), 42)), 42);
    assert.equal(ordinalOf(pod('p')), 0);
    assert.equal(ordinalOf({ metadata: { annotations: { 'app.kubernetes.io/ordinal': 'x' } } }), 0);
  });
});
