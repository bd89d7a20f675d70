import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffJson, escapePointerSegment, jsonEqual, type PatchOperation } from '../../../src/webhooks/json-patch.ts';
import '../../fixtures/property-seed.ts';

/** A small RFC 6902 applier for add/replace/remove, strict about paths, for checking diffs. */
function applyPatch(document: unknown, ops: readonly PatchOperation[]): unknown {
  let doc = structuredClone(document);
  for (const op of ops) {
    if (op.path === '') {
      assert.equal(op.op, 'replace', 'only replace may target the root');
      doc = structuredClone((op as { value: unknown }).value);
      continue;
    }
    const tokens = op.path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    assert.ok(op.path.startsWith('/'), `bad path ${op.path}`);
    const last = tokens.pop()!;
    let parent: unknown = doc;
    for (const token of tokens) {
      assert.ok(
        typeof parent === 'object' && parent !== null && Object.hasOwn(parent, token),
        `${op.path}: no ${token}`,
      );
      parent = (parent as Record<string, unknown>)[token];
    }
    if (Array.isArray(parent)) {
      const index = Number(last);
      assert.ok(/^(0|[1-9]\d*)$/.test(last), `${op.path}: bad index`);
      if (op.op === 'add') {
        assert.ok(index <= parent.length, `${op.path}: index past the end`);
        parent.splice(index, 0, structuredClone(op.value));
      } else {
        assert.ok(index < parent.length, `${op.path}: no element`);
        if (op.op === 'remove') parent.splice(index, 1);
        else parent[index] = structuredClone(op.value);
      }
    } else {
      assert.ok(typeof parent === 'object' && parent !== null, `${op.path}: parent is not a container`);
      const obj = parent as Record<string, unknown>;
      if (op.op !== 'add') assert.ok(Object.hasOwn(obj, last), `${op.path}: ${op.op} of a missing member`);
      if (op.op === 'remove') delete obj[last];
      else {Object.defineProperty(obj, last, {
          value: structuredClone(op.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });}
    }
  }
  return doc;
}

function roundTrips(source: unknown, target: unknown): PatchOperation[] {
  const ops = diffJson(source, target);
  const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  assert.deepEqual(asJson(applyPatch(source, ops)), asJson(target));
  return ops;
}

describe('escapePointerSegment', () => {
  it('escapes ~ as ~0 and / as ~1, in that order', () => {
    assert.equal(escapePointerSegment('app.kubernetes.io/name'), 'app.kubernetes.io~1name');
    assert.equal(escapePointerSegment('a~b'), 'a~0b');
    assert.equal(escapePointerSegment('~1'), '~01');
  });
});

describe('diffJson', () => {
  it('is empty for equal documents', () => {
    assert.deepEqual(diffJson({ a: [1, { b: null }] }, { a: [1, { b: null }] }), []);
  });

  it('adds a missing member', () => {
    assert.deepEqual(roundTrips({ spec: {} }, { spec: { replicas: 1 } }), [{
      op: 'add',
      path: '/spec/replicas',
      value: 1,
    }]);
  });

  it('adds a whole missing object in one operation', () => {
    assert.deepEqual(roundTrips({ spec: {} }, { spec: { podTemplate: { image: 'x' } } }), [
      { op: 'add', path: '/spec/podTemplate', value: { image: 'x' } },
    ]);
  });

  it('replaces a changed scalar', () => {
    assert.deepEqual(roundTrips({ a: 1 }, { a: '1' }), [{ op: 'replace', path: '/a', value: '1' }]);
  });

  it('removes a member the target lacks', () => {
    assert.deepEqual(roundTrips({ a: 1, b: 2 }, { a: 1 }), [{ op: 'remove', path: '/b' }]);
  });

  it('escapes label keys with slashes in paths', () => {
    assert.deepEqual(
      roundTrips({ metadata: { labels: {} } }, { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }),
      [
        { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' },
      ],
    );
  });

  it('diffs array elements in place and appends new ones at the end', () => {
    assert.deepEqual(roundTrips({ a: [1, 2] }, { a: [1, 3, 4, 5] }), [
      { op: 'replace', path: '/a/1', value: 3 },
      { op: 'add', path: '/a/2', value: 4 },
      { op: 'add', path: '/a/3', value: 5 },
    ]);
  });

  it('removes surplus array elements from the highest index down', () => {
    assert.deepEqual(roundTrips({ a: [1, 2, 3, 4] }, { a: [1] }), [
      { op: 'remove', path: '/a/3' },
      { op: 'remove', path: '/a/2' },
      { op: 'remove', path: '/a/1' },
    ]);
  });

  it('descends into objects inside arrays', () => {
    assert.deepEqual(roundTrips({ c: [{ name: 'a' }] }, { c: [{ name: 'a', image: 'i' }] }), [
      { op: 'add', path: '/c/0/image', value: 'i' },
    ]);
  });

  it('replaces when the type changes between object, array and scalar', () => {
    assert.deepEqual(roundTrips({ a: { b: 1 } }, { a: [1] }), [{ op: 'replace', path: '/a', value: [1] }]);
    assert.deepEqual(roundTrips({ a: null }, { a: {} }), [{ op: 'replace', path: '/a', value: {} }]);
  });

  it('replaces the root when the documents are not both containers', () => {
    assert.deepEqual(roundTrips(1, { a: 1 }), [{ op: 'replace', path: '', value: { a: 1 } }]);
  });

  it('treats undefined members as absent, as JSON does', () => {
    assert.deepEqual(roundTrips({ a: 1, b: undefined }, { a: 1, c: undefined }), []);
    assert.deepEqual(diffJson({ a: 1 }, { a: undefined }), [{ op: 'remove', path: '/a' }]);
  });

  it('keeps a "__proto__" member as data', () => {
    const target = JSON.parse('{"a":{"__proto__":{"x":1}}}');
    const ops = roundTrips({}, target);
    assert.equal(Object.getPrototypeOf((ops[0] as { value: object }).value), Object.prototype);
    assert.ok(Object.hasOwn((ops[0] as { value: object }).value, '__proto__'));
  });

  it('turns any JSON document into any other when applied (property)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b', 'c', 'x/y', 'm~n', ''), fc.string({ maxLength: 3 }));
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 3 })),
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(key, tie('json'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(json, json, (source, target) => {
        const ops = diffJson(source, target);
        assert.ok(jsonEqual(applyPatch(source, ops), target));
        if (jsonEqual(source, target)) assert.deepEqual(ops, []);
      }),
      { numRuns: 500 },
    );
  });
});

describe('jsonEqual', () => {
  it('compares deeply and ignores key order', () => {
    assert.ok(jsonEqual({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] }));
    assert.ok(!jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
    assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!jsonEqual([], {}));
  });
});
