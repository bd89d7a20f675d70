// Generated and mutated objects through validation and defaulting: nothing throws, every denial
// names a field, defaulting is idempotent and never makes a valid object invalid.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  defaultCosmosFullNode,
  defaultScheduledVolumeSnapshot,
  defaultStatefulJob,
} from '../../../src/api/defaults.ts';
import type { ValidationResult } from '../../../src/api/field-errors.ts';
import { validateCosmosFullNode } from '../../../src/api/validate-cosmosfullnode.ts';
import { validateScheduledVolumeSnapshot } from '../../../src/api/validate-scheduledvolumesnapshot.ts';
import { validateStatefulJob } from '../../../src/api/validate-statefuljob.ts';
import { aFullNode, aSnapshotSchedule, aStatefulJob, exampleObjects } from '../../fixtures/api/objects.ts';
import '../../fixtures/property-seed.ts';

type Json = Record<string, unknown>;

const CAUSE_TYPES = new Set([
  'FieldValueRequired',
  'FieldValueInvalid',
  'FieldValueTypeInvalid',
  'FieldValueNotSupported',
  'FieldValueForbidden',
  'FieldValueDuplicate',
  'FieldValueTooLong',
]);

/** Every path to a value inside `value` (the root excluded). */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (Array.isArray(value)) value.forEach((item, i) => (out.push([...prefix, i]), paths(item, [...prefix, i], out)));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (out.push([...prefix, k]), paths(v, [...prefix, k], out));
  }
  return out;
}

type Mutation = { pick: number; kind: 'replace' | 'delete'; value: unknown };

function mutate(obj: Json, mutations: readonly Mutation[]): Json {
  const copy = structuredClone(obj);
  for (const mutation of mutations) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = all[mutation.pick % all.length]!;
    // deno-lint-ignore no-explicit-any
    let parent: any = copy;
    for (const key of path.slice(0, -1)) parent = parent[key];
    const last = path[path.length - 1]!;
    if (mutation.kind === 'delete' && !Array.isArray(parent)) delete parent[last];
    else parent[last] = mutation.value;
  }
  return copy;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom<'replace' | 'delete'>('replace', 'replace', 'delete'),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      '',
      '25%',
      '10',
      '1Gi',
      'x%',
      '-1',
      '@every 1h',
      '[bad toml',
      'VolumeSnapshot',
      'Sentry',
      'All',
      'ReadWriteOnce',
      null,
      -1,
      0,
      1.5,
      2 ** 31,
      [],
      {},
    ),
  ),
});

/** Valid objects of a kind: the fixtures and examples, varied in the fields that matter most. */
const fullNodeArb: fc.Arbitrary<Json> = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    replicas: fc.integer({ min: 0, max: 20 }),
    start: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    type: fc.option(fc.constantFrom('FullNode', 'Sentry'), { nil: undefined }),
    maxUnavailable: fc.option(
      fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`)),
      { nil: undefined },
    ),
    heights: fc.uniqueArray(fc.integer({ min: 1, max: 1e9 }), { maxLength: 4 }).map((
      hs,
    ) => [0, ...hs.sort((a, b) => a - b)]),
    useVersions: fc.boolean(),
  })
  .chain(({ name, replicas, start, type, maxUnavailable, heights, useVersions }) =>
    fc.constantFrom(
      ...exampleObjects().filter((e) => e.object['kind'] === 'CosmosFullNode').map((e) => e.object),
      aFullNode(name),
    ).map((base) => {
      // deno-lint-ignore no-explicit-any
      const obj = structuredClone(base) as any;
      obj.metadata.name = name;
      obj.spec.replicas = replicas;
      if (start !== undefined) obj.spec.ordinals = { start };
      if (type !== undefined) obj.spec.type = type;
      if (maxUnavailable !== undefined) obj.spec.strategy = { maxUnavailable };
      if (useVersions) obj.spec.chain.versions = heights.map((height) => ({ height, image: `img:${height}` }));
      delete obj.spec.instanceOverrides; // their keys depend on the name
      return obj as Json;
    })
  );

function checkResult(result: ValidationResult): void {
  assert.ok(Array.isArray(result.causes) && Array.isArray(result.warnings));
  for (const cause of result.causes) {
    assert.ok(CAUSE_TYPES.has(cause.type), `cause type ${cause.type}`);
    assert.ok(cause.field.startsWith('spec'), `field ${JSON.stringify(cause.field)}`);
    assert.ok(cause.message.length > 0, 'message');
  }
  for (const warning of result.warnings) assert.equal(typeof warning, 'string');
}

interface Kind {
  readonly name: string;
  readonly valid: fc.Arbitrary<Json>;
  readonly validate: (obj: unknown, old?: unknown) => ValidationResult;
  readonly default: <T>(obj: T) => T;
  readonly runs: number;
}

const KINDS: readonly Kind[] = [
  {
    name: 'CosmosFullNode',
    valid: fullNodeArb,
    validate: validateCosmosFullNode,
    default: defaultCosmosFullNode,
    runs: 10_000,
  },
  {
    name: 'ScheduledVolumeSnapshot',
    valid: fc.constant(aSnapshotSchedule()),
    validate: validateScheduledVolumeSnapshot,
    default: defaultScheduledVolumeSnapshot,
    runs: 2_000,
  },
  {
    name: 'StatefulJob',
    valid: fc.constant(aStatefulJob()),
    validate: validateStatefulJob,
    default: defaultStatefulJob,
    runs: 2_000,
  },
];

describe('validation and defaulting of generated objects', () => {
  for (const kind of KINDS) {
    it(`${kind.name}: valid generated objects pass, before and after defaulting`, () => {
      fc.assert(
        fc.property(kind.valid, (obj) => {
          assert.deepEqual(kind.validate(obj).causes, []);
          assert.deepEqual(kind.validate(kind.default(obj)).causes, []);
        }),
        { numRuns: Math.ceil(kind.runs / 10) },
      );
    });

    it(`${kind.name}: mutated objects never throw, every cause names a spec field, defaulting is idempotent`, () => {
      fc.assert(
        fc.property(
          kind.valid,
          fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          (base, mutations, asUpdate) => {
            const obj = mutate(base, mutations);
            const result = kind.validate(obj, asUpdate ? base : undefined);
            checkResult(result);
            const once = kind.default(obj);
            assert.deepEqual(kind.default(once), once);
            if (kind.validate(obj).causes.length === 0) {
              assert.deepEqual(kind.validate(once).causes, [], 'defaulting made a valid object invalid');
            }
            checkResult(kind.validate(once, obj));
          },
        ),
        { numRuns: kind.runs },
      );
    });

    it(`${kind.name}: any JSON value at all is answered with causes, not an exception`, () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3 }), (value, spec) => {
          checkResult(kind.validate(value));
          checkResult(kind.validate({ spec }, value));
          assert.deepEqual(kind.default(kind.default({ spec })), kind.default({ spec }));
        }),
        { numRuns: Math.ceil(kind.runs / 5) },
      );
    });
  }
});
