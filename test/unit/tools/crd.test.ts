import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCrds, type CustomResourceDefinition } from '../../../tools/crd.ts';

type Schema = Record<string, unknown>;

// JSONSchemaProps fields apiextensions.k8s.io/v1 knows; anything else is dropped or refused.
const ALLOWED_KEYS = new Set([
  'type',
  'format',
  'description',
  'title',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'anyOf',
  'allOf',
  'oneOf',
  'not',
  'example',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);

/** Checks a schema node against the structural-schema rules of apiextensions-apiserver; returns the problems. */
function structuralProblems(node: Schema, path: string, isProperty: boolean): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(node)) if (!ALLOWED_KEYS.has(key)) problems.push(`${path}: unknown key ${key}`);
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (node['type'] === undefined && !intOrString && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    problems.push(`${path}: no type`);
  }
  if (intOrString && node['type'] !== undefined) problems.push(`${path}: int-or-string with a type`);
  if (node['properties'] !== undefined && node['additionalProperties'] !== undefined) {
    problems.push(`${path}: properties and additionalProperties`);
  }
  if (isProperty && typeof node['description'] !== 'string') problems.push(`${path}: no description`);
  const required = node['required'];
  if (required !== undefined) {
    if (!Array.isArray(required) || required.length === 0) problems.push(`${path}: empty required`);
    const props = (node['properties'] ?? {}) as Schema;
    for (const key of (required as string[]) ?? []) {
      if (!(key in props)) problems.push(`${path}: required ${key} is not a property`);
    }
  }
  if (node['enum'] !== undefined) {
    for (const value of node['enum'] as unknown[]) {
      // deno-lint-ignore valid-typeof
      if (typeof value !== node['type']) {
        problems.push(`${path}: enum value ${JSON.stringify(value)} is not a ${String(node['type'])}`);
      }
    }
  }
  const listType = node['x-kubernetes-list-type'];
  const items = node['items'] as Schema | undefined;
  if (listType !== undefined && node['type'] !== 'array') problems.push(`${path}: list type on a non-array`);
  if (listType === 'map') {
    if (items?.['type'] !== 'object') problems.push(`${path}: list-type map of non-objects`);
    const keys = node['x-kubernetes-list-map-keys'] as string[] | undefined;
    if (keys === undefined || keys.length === 0) problems.push(`${path}: list-type map without keys`);
    const itemProps = (items?.['properties'] ?? {}) as Record<string, Schema>;
    const itemRequired = new Set((items?.['required'] as string[] | undefined) ?? []);
    for (const key of keys ?? []) {
      if (itemProps[key] === undefined) problems.push(`${path}: map key ${key} is not a property`);
      else if (!itemRequired.has(key) && itemProps[key]['default'] === undefined) {
        problems.push(`${path}: map key ${key} is neither required nor defaulted`);
      }
    }
  }
  if (listType === 'set' && (items?.['type'] === 'object' || items?.['type'] === 'array')) {
    problems.push(`${path}: list-type set of non-scalars`);
  }
  if (node['x-kubernetes-map-type'] !== undefined && node['type'] !== 'object') {
    problems.push(`${path}: map type on a non-object`);
  }
  for (const [key, child] of Object.entries((node['properties'] ?? {}) as Record<string, Schema>)) {
    // The root metadata may only constrain name and generateName; the API server documents it itself.
    if (!path.includes('.') && key === 'metadata') {
      if (JSON.stringify(child) !== '{"type":"object"}') {
        problems.push(`${path}.metadata: must be exactly {type: object}`);
      }
      continue;
    }
    problems.push(...structuralProblems(child, `${path}.${key}`, true));
  }
  if (items !== undefined) problems.push(...structuralProblems(items, `${path}[]`, false));
  const additional = node['additionalProperties'];
  if (additional !== undefined && typeof additional === 'object') {
    problems.push(...structuralProblems(additional as Schema, `${path}{}`, false));
  }
  return problems;
}

function schemaOf(crd: CustomResourceDefinition): Schema {
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

function byName(name: string): CustomResourceDefinition {
  const crd = buildCrds().find((c) => c.spec.names.plural === name);
  assert.ok(crd);
  return crd;
}

function node(schema: Schema, path: string): Schema {
  let current: Schema = schema;
  for (const key of path.split('.')) {
    current = key === '[]' || key === '.[]'
      ? (current['items'] as Schema)
      : key === '{}'
      ? (current['additionalProperties'] as Schema)
      : ((current['properties'] as Record<string, Schema>)[key] as Schema);
    assert.ok(current, `${path} at ${key}`);
  }
  return current;
}

describe('buildCrds', () => {
  const crds = buildCrds();

  it("defines the three kinds with the Go operator's group, versions and plurals", () => {
    assert.deepEqual(
      crds.map((
        c,
      ) => [
        c.metadata.name,
        c.spec.group,
        c.spec.names.kind,
        c.spec.names.plural,
        c.spec.versions.map((v) => v.name),
        c.spec.scope,
      ]),
      [
        [
          'cosmosfullnodes.cosmos.strange.love',
          'cosmos.strange.love',
          'CosmosFullNode',
          'cosmosfullnodes',
          ['v1'],
          'Namespaced',
        ],
        [
          'scheduledvolumesnapshots.cosmos.strange.love',
          'cosmos.strange.love',
          'ScheduledVolumeSnapshot',
          'scheduledvolumesnapshots',
          ['v1alpha1'],
          'Namespaced',
        ],
        [
          'statefuljobs.cosmos.strange.love',
          'cosmos.strange.love',
          'StatefulJob',
          'statefuljobs',
          ['v1alpha1'],
          'Namespaced',
        ],
      ],
    );
  });

  it('gives short names cfn, svs and sj, in the category cosmos', () => {
    assert.deepEqual(crds.map((c) => c.spec.names.shortNames), [['cfn'], ['svs'], ['sj']]);
    for (const crd of crds) assert.deepEqual(crd.spec.names.categories, ['cosmos']);
  });

  for (const crd of crds) {
    it(`${crd.spec.names.plural}: is a structural schema with a description on every field`, () => {
      assert.deepEqual(structuralProblems(schemaOf(crd), crd.spec.names.kind, false), []);
    });

    it(`${crd.spec.names.plural}: has no $ref left`, () => {
      assert.ok(!JSON.stringify(crd).includes('$ref'));
      assert.ok(!JSON.stringify(crd).includes('x-cosmos-'));
    });

    it(`${crd.spec.names.plural}: serves one storage version with the status subresource`, () => {
      assert.equal(crd.spec.versions.length, 1);
      assert.equal(crd.spec.versions[0]!.storage, true);
      assert.deepEqual(crd.spec.versions[0]!.subresources.status, {});
    });
  }

  it('stays well under the API server request size limit (1.5 MiB)', () => {
    for (const crd of crds) assert.ok(JSON.stringify(crd).length < 1024 * 1024, crd.metadata.name);
  });

  describe('CosmosFullNode', () => {
    const crd = byName('cosmosfullnodes');
    const schema = schemaOf(crd);

    it('shows Phase, Replicas, Ready, Height and Age', () => {
      assert.deepEqual(crd.spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.jsonPath]), [
        ['Phase', '.status.phase'],
        ['Replicas', '.spec.replicas'],
        ['Ready', '.status.readyReplicas'],
        ['Height', '.status.latestHeight'],
        ['Age', '.metadata.creationTimestamp'],
      ]);
    });

    it('has a scale subresource an HPA can use', () => {
      assert.deepEqual(crd.spec.versions[0]!.subresources.scale, {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      });
      assert.equal(node(schema, 'status.replicas')['type'], 'integer');
      assert.equal(node(schema, 'status.selector')['type'], 'string');
    });

    it('requires what the Go CRD required', () => {
      assert.deepEqual(node(schema, 'spec')['required'], ['replicas', 'chain', 'podTemplate', 'volumeClaimTemplate']);
      assert.deepEqual(node(schema, 'spec.chain')['required'], ['chainID', 'network', 'binary']);
      assert.deepEqual(node(schema, 'spec.volumeClaimTemplate')['required'], ['storageClassName', 'resources']);
      assert.deepEqual(node(schema, 'spec.volumeClaimTemplate.autoDataSource')['required'], ['matchInstance']);
      assert.deepEqual(node(schema, 'status')['required'], ['observedGeneration', 'phase']);
    });

    // The Go CRD's enums and bounds: docs/validation.md (rows marked CRD), docs/compatibility.md §9.
    it('carries the enums and bounds of docs/compatibility.md §9', () => {
      assert.deepEqual(node(schema, 'spec.type')['enum'], ['FullNode', 'Sentry']);
      assert.deepEqual(node(schema, 'spec.instanceOverrides.{}.disable')['enum'], ['Pod', 'All']);
      assert.equal(node(schema, 'spec.replicas')['minimum'], 0);
      assert.equal(node(schema, 'spec.selfHeal.pvcAutoScale.usedSpacePercentage')['minimum'], 1);
      assert.equal(node(schema, 'spec.chain.chainID')['minLength'], 1);
      assert.equal(node(schema, 'spec.additionalVersionedPods.[].name')['minLength'], 1);
    });

    it('marks maxUnavailable and quantities as int-or-string', () => {
      assert.equal(node(schema, 'spec.strategy.maxUnavailable')['x-kubernetes-int-or-string'], true);
      assert.equal(node(schema, 'spec.selfHeal.pvcAutoScale.maxSize')['x-kubernetes-int-or-string'], true);
      assert.equal(node(schema, 'spec.podTemplate.resources.requests.{}')['x-kubernetes-int-or-string'], true);
    });

    it('inlines the pod spec into additional pods, requiring containers', () => {
      const item = node(schema, 'spec.additionalVersionedPods.[]');
      assert.deepEqual(item['required'], ['name', 'containers']);
      assert.equal(node(item, 'containers')['type'], 'array');
      assert.equal(node(item, 'containers.[].image')['type'], 'string');
      assert.equal(node(item, 'preferSameNode')['type'], 'boolean');
    });

    it('keeps the granular map type of scheduledSnapshotStatus', () => {
      assert.equal(node(schema, 'status.scheduledSnapshotStatus')['x-kubernetes-map-type'], 'granular');
    });

    it('documents fields for kubectl explain', () => {
      assert.match(String(node(schema, 'spec.chain.config')['description']), /config\.toml/);
      assert.match(String(node(schema, 'spec.podTemplate.containers')['description']), /strategic merge patch/);
      assert.match(String(node(schema, 'spec.podTemplate.containers.[].image')['description']), /image/i);
    });
  });

  describe('StatefulJob', () => {
    it('checks the interval with a Go duration pattern', () => {
      const pattern = new RegExp(String(node(schemaOf(byName('statefuljobs')), 'spec.interval')['pattern']));
      for (const ok of ['24h', '1h30m', '0', '1.5h', '-2m']) assert.ok(pattern.test(ok), ok);
      for (const bad of ['1d', '24', '', 'h']) assert.ok(!pattern.test(bad), bad);
    });
  });
});
