// Properties of the builders over generated specs: pure (same input, deep-equal output, input
// untouched) and consistent with each other (names, labels, claims and ordinals line up).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Container, CosmosFullNode, InstanceOverride } from '../../../../../src/api/cosmosfullnode.ts';
import {
  buildPods,
  chainHomeClaimName,
  type PodObservations,
} from '../../../../../src/reconcile/fullnode/build/pod-builder.ts';
import { buildPvcs } from '../../../../../src/reconcile/fullnode/build/pvc-builder.ts';
import { buildServices } from '../../../../../src/reconcile/fullnode/build/service-builder.ts';
import { buildVersionCheckRbac } from '../../../../../src/reconcile/fullnode/build/rbac-builder.ts';
import { aFullNode } from '../../../../fixtures/fullnode.ts';
import '../../../../fixtures/property-seed.ts';

const override: fc.Arbitrary<InstanceOverride> = fc.record(
  {
    disable: fc.constantFrom('Pod' as const, 'All' as const),
    image: fc.constantFrom('o:v1', 'o:v2'),
    nodeSelector: fc.constant({ pool: 'x' }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const scenario = fc
  .record({
    name: fc.stringMatching(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/),
    replicas: fc.integer({ min: 0, max: 6 }),
    start: fc.integer({ min: 0, max: 5 }),
    sentry: fc.boolean(),
    versions: fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 3 }).map((heights) =>
      heights.sort((a, b) => a - b).map((height) => ({ height, image: `chain:h${height}` }))
    ),
    overrides: fc.dictionary(fc.integer({ min: 0, max: 11 }).map(String), override, {
      maxKeys: 4,
      noNullPrototype: true,
    }),
    heights: fc.dictionary(fc.integer({ min: 0, max: 11 }).map(String), fc.integer({ min: 0, max: 600 }), {
      maxKeys: 6,
      noNullPrototype: true,
    }),
    candidates: fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 2 }),
    additional: fc.boolean(),
    template: fc.constantFrom<Container[]>([], [{ name: 'node', env: [{ name: 'X', value: '1' }] }], [{
      name: 'extra',
      image: 'e:1',
    }]),
  })
  .map((s) => {
    const node: CosmosFullNode = aFullNode(s.name, (n) => {
      n.spec.replicas = s.replicas;
      n.spec.ordinals = { start: s.start };
      if (s.sentry) n.spec.type = 'Sentry';
      if (s.versions.length > 0) n.spec.chain.versions = s.versions;
      n.spec.instanceOverrides = Object.fromEntries(Object.entries(s.overrides).map(([i, o]) => [`${s.name}-${i}`, o]));
      if (s.additional) {
        n.spec.additionalVersionedPods = [{ name: `${s.name}-side`, containers: [{ name: 'side', image: 'side:v1' }] }];
      }
      n.spec.podTemplate.containers = structuredClone(s.template);
    });
    const observed: PodObservations = {
      heights: Object.fromEntries(Object.entries(s.heights).map(([i, h]) => [`${s.name}-${i}`, h])),
      configChecksums: {},
      snapshotCandidates: new Set(s.candidates.map((i) => `${s.name}-${i}`)),
    };
    return { node, observed };
  });

const everything = (node: CosmosFullNode, observed: PodObservations) => ({
  pods: buildPods(node, observed),
  services: buildServices(node),
  pvcs: buildPvcs(node, { boundCapacity: {}, autoScaleRequested: {}, dataSources: {} }),
  rbac: buildVersionCheckRbac(node),
});

describe('the builders over generated specs', () => {
  it('return deep-equal objects for the same input and never change the input', () => {
    fc.assert(
      fc.property(scenario, ({ node, observed }) => {
        const before = structuredClone(node);
        const first = everything(node, observed);
        assert.deepEqual(node, before);
        assert.deepEqual(everything(structuredClone(node), observed), first);
      }),
    );
  });

  it('build one main pod per ordinal that is neither disabled nor a snapshot candidate, labelled with its own name', () => {
    fc.assert(
      fc.property(scenario, ({ node, observed }) => {
        const start = node.spec.ordinals!.start!;
        const expected: string[] = [];
        for (let ordinal = start; ordinal < start + node.spec.replicas; ordinal++) {
          const name = `${node.metadata.name}-${ordinal}`;
          if (node.spec.instanceOverrides?.[name]?.disable === undefined && !observed.snapshotCandidates.has(name)) {
            expected.push(name);
          }
        }
        const main = buildPods(node, observed).filter((p) => p.ordinal < 1000);
        assert.deepEqual(
          main.map((p) => p.pod.metadata!.name),
          expected,
        );
        for (const { pod, ordinal } of main) {
          assert.equal(pod.metadata!.labels!['app.kubernetes.io/instance'], pod.metadata!.name);
          assert.equal(chainHomeClaimName(pod), `pvc-${node.metadata.name}-${ordinal}`);
        }
      }),
    );
  });

  it('claim only PVCs that are built unless the instance is disabled with All', () => {
    fc.assert(
      fc.property(scenario, ({ node, observed }) => {
        const { pods, pvcs } = everything(node, observed);
        const claims = new Set(pvcs.map((p) => p.pvc.metadata!.name));
        for (const { pod } of pods) {
          const claim = chainHomeClaimName(pod);
          if (claim !== '') assert.ok(claims.has(claim), claim);
        }
      }),
    );
  });

  it('give every object a unique name within its kind', () => {
    fc.assert(
      fc.property(scenario, ({ node, observed }) => {
        const { pods, services, pvcs } = everything(node, observed);
        for (
          const names of [
            pods.map((p) => p.pod.metadata!.name),
            services.map((s) => s.service.metadata!.name),
            pvcs.map((p) => p.pvc.metadata!.name),
          ]
        ) {
          assert.equal(new Set(names).size, names.length);
        }
      }),
    );
  });
});
