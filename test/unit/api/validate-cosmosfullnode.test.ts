import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCosmosFullNode } from '../../../src/api/validate-cosmosfullnode.ts';
import type { FieldCause } from '../../../src/api/field-errors.ts';
import { aFullNode, without, withReplicas, withValue } from '../../fixtures/api/objects.ts';

function causes(obj: unknown, old?: unknown): FieldCause[] {
  return validateCosmosFullNode(obj, old).causes;
}

function only(obj: unknown, old?: unknown): FieldCause {
  const found = causes(obj, old);
  assert.equal(found.length, 1, JSON.stringify(found, null, 1));
  return found[0]!;
}

function warnings(obj: unknown): string[] {
  return validateCosmosFullNode(obj).warnings;
}

describe('validateCosmosFullNode', () => {
  it('accepts a minimal valid object without warnings', () => {
    assert.deepEqual(validateCosmosFullNode(aFullNode()), { causes: [], warnings: [] });
  });

  describe('metadata.labels', () => {
    it('warns that a created-by label of its own is not copied to the children', () => {
      const found = warnings(
        aFullNode('x', withValue('metadata.labels', { 'app.kubernetes.io/created-by': 'argocd' })),
      );
      assert.deepEqual(found, [
        'metadata.labels[app.kubernetes.io/created-by]: "argocd" is not copied to the children, which keep "cosmos-operator" so the operator can find them',
      ]);
    });

    it('says nothing of created-by cosmos-operator, which the children carry anyway', () => {
      assert.deepEqual(
        warnings(aFullNode('x', withValue('metadata.labels', { 'app.kubernetes.io/created-by': 'cosmos-operator' }))),
        [],
      );
    });
  });

  describe('the object itself', () => {
    for (const value of [null, undefined, 42, 'x', [], true]) {
      it(`answers ${JSON.stringify(value) ?? 'undefined'} with a cause on spec`, () => {
        const cause = only(value);
        assert.equal(cause.field, 'spec');
      });
    }

    it('requires spec', () => {
      assert.deepEqual(only({ metadata: { name: 'x' } }), {
        type: 'FieldValueRequired',
        field: 'spec',
        message: 'Required value',
      });
    });

    it('reports a spec that is not an object as a type error', () => {
      assert.deepEqual(only({ spec: [] }), {
        type: 'FieldValueTypeInvalid',
        field: 'spec',
        message: 'Invalid value: "array": must be of type object',
      });
    });
  });

  describe('required fields', () => {
    for (
      const path of [
        'replicas',
        'chain',
        'podTemplate',
        'volumeClaimTemplate',
        'chain.chainID',
        'chain.network',
        'chain.binary',
        'volumeClaimTemplate.storageClassName',
        'volumeClaimTemplate.resources',
      ]
    ) {
      it(`requires spec.${path}`, () => {
        assert.deepEqual(only(aFullNode('x', without(`spec.${path}`))), {
          type: 'FieldValueRequired',
          field: `spec.${path}`,
          message: 'Required value',
        });
      });
    }

    it('reports an empty chainID as a required value', () => {
      assert.deepEqual(only(aFullNode('x', withValue('spec.chain.chainID', ''))), {
        type: 'FieldValueRequired',
        field: 'spec.chain.chainID',
        message: 'Required value',
      });
    });

    it('requires minGasPrice once app is given', () => {
      assert.equal(only(aFullNode('x', withValue('spec.chain.app', {}))).field, 'spec.chain.app.minGasPrice');
    });

    it('requires the storage request of the PVC template', () => {
      assert.deepEqual(only(aFullNode('x', withValue('spec.volumeClaimTemplate.resources', { requests: {} }))), {
        type: 'FieldValueRequired',
        field: 'spec.volumeClaimTemplate.resources.requests[storage]',
        message: 'Required value',
      });
    });

    it('requires matchInstance in autoDataSource', () => {
      assert.equal(
        only(
          aFullNode('x', withValue('spec.volumeClaimTemplate.autoDataSource', { volumeSnapshotSelector: { a: 'b' } })),
        ).field,
        'spec.volumeClaimTemplate.autoDataSource.matchInstance',
      );
    });

    it('requires usedSpacePercentage and increaseQuantity in pvcAutoScale', () => {
      const fields = causes(aFullNode('x', withValue('spec.selfHeal.pvcAutoScale', {}))).map((c) => c.field);
      assert.deepEqual(fields, [
        'spec.selfHeal.pvcAutoScale.usedSpacePercentage',
        'spec.selfHeal.pvcAutoScale.increaseQuantity',
      ]);
    });

    it('requires the threshold of heightDriftMitigation', () => {
      assert.equal(
        only(aFullNode('x', withValue('spec.selfHeal.heightDriftMitigation', {}))).field,
        'spec.selfHeal.heightDriftMitigation.threshold',
      );
    });

    it('requires an image: podTemplate.image, versions, a "node" container or an override for every pod', () => {
      assert.deepEqual(only(aFullNode('x', without('spec.podTemplate.image'))), {
        type: 'FieldValueRequired',
        field: 'spec.podTemplate.image',
        message: 'Required value',
      });
      assert.deepEqual(
        causes(
          aFullNode(
            'x',
            without('spec.podTemplate.image'),
            withValue('spec.podTemplate.containers', [{ name: 'node', image: 'gaia:v1' }]),
          ),
        ),
        [],
      );
      const overridden = Object.fromEntries([0, 1, 2].map((i) => [`x-${i}`, { image: 'gaia:v1' }]));
      assert.deepEqual(
        causes(aFullNode('x', without('spec.podTemplate.image'), withValue('spec.instanceOverrides', overridden))),
        [],
      );
    });
  });

  describe('types, enums and bounds', () => {
    it('rejects a negative replica count', () => {
      assert.deepEqual(only(aFullNode('x', withReplicas(-1))), {
        type: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: -1: must be greater than or equal to 0',
      });
    });

    it('rejects a fractional replica count as a type error', () => {
      assert.deepEqual(only(aFullNode('x', withReplicas(1.5))), {
        type: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "number": must be of type integer',
      });
    });

    it('rejects a replica count given as a string', () => {
      assert.deepEqual(only(aFullNode('x', withReplicas('3'))), {
        type: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "string": must be of type integer',
      });
    });

    it('rejects an unknown type with the supported values', () => {
      assert.deepEqual(only(aFullNode('x', withValue('spec.type', 'Validator'))), {
        type: 'FieldValueNotSupported',
        field: 'spec.type',
        message: 'Unsupported value: "Validator": supported values: "FullNode", "Sentry"',
      });
    });

    const enums: [string, string][] = [
      ['spec.chain.logLevel', 'verbose'],
      ['spec.chain.logFormat', 'xml'],
      ['spec.chain.app.pruning.strategy', 'some'],
      ['spec.podTemplate.probes.strategy', 'Always'],
      ['spec.volumeRetentionPolicy', 'Keep'],
      ['spec.service.rpcTemplate.type', 'Ingress'],
      ['spec.service.p2pTemplate.externalTrafficPolicy', 'Global'],
      ['spec.podTemplate.imagePullPolicy', 'Sometimes'],
      ['spec.volumeClaimTemplate.volumeMode', 'Raw'],
    ];
    for (const [path, value] of enums) {
      it(`rejects ${path}: ${value} as unsupported`, () => {
        const cause = only(aFullNode('x', withValue(path, value)));
        assert.equal(cause.type, 'FieldValueNotSupported');
        assert.equal(cause.field, path);
      });
    }

    it('rejects a database backend the version check cannot open', () => {
      const cause = only(aFullNode('x', withValue('spec.chain.databaseBackend', 'cleveldb')));
      assert.equal(cause.field, 'spec.chain.databaseBackend');
      assert.equal(
        cause.message,
        'Unsupported value: "cleveldb": supported values: "goleveldb", "memdb", "rocksdb", "pebbledb"',
      );
    });

    const minimums: [string, number][] = [
      ['spec.ordinals.start', -1],
      ['spec.chain.config.maxInboundPeers', -1],
      ['spec.chain.config.maxOutboundPeers', -1],
      ['spec.chain.privvalSleepSeconds', -1],
      ['spec.chain.app.haltHeight', -1],
      ['spec.service.maxP2PExternalAddresses', -1],
    ];
    for (const [path, value] of minimums) {
      it(`rejects ${path} below 0`, () => {
        assert.deepEqual(only(aFullNode('x', withValue(path, value))), {
          type: 'FieldValueInvalid',
          field: path,
          message: `Invalid value: ${value}: must be greater than or equal to 0`,
        });
      });
    }

    it('rejects an int32 field beyond 2^31-1', () => {
      assert.equal(
        only(aFullNode('x', withReplicas(2 ** 31))).message,
        'Invalid value: 2147483648: must be less than or equal to 2147483647',
      );
    });

    it('rejects empty peers and seeds strings', () => {
      assert.deepEqual(
        causes(aFullNode('x', withValue('spec.chain.config', { peers: '', seeds: '' }))).map((c) => c.field),
        ['spec.chain.config.peers', 'spec.chain.config.seeds'],
      );
    });

    it('accepts null for optional fields, as the API server prunes nulls', () => {
      assert.deepEqual(
        causes(aFullNode('x', withValue('spec.chain.logLevel', null), withValue('spec.selfHeal', null))),
        [],
      );
    });
  });

  describe('field paths', () => {
    it('brackets list indices', () => {
      const obj = aFullNode('x', withValue('spec.chain.versions', [{ height: 0, image: 'a' }, { height: 10 }]));
      assert.equal(only(obj).field, 'spec.chain.versions[1].image');
    });

    it('brackets map keys of instanceOverrides', () => {
      const obj = aFullNode('x', withValue('spec.instanceOverrides', { 'x-0': { disable: 'Both' } }));
      assert.equal(only(obj).field, 'spec.instanceOverrides[x-0].disable');
    });

    it('brackets map keys inside embedded Kubernetes types', () => {
      const obj = aFullNode('x', withValue('spec.podTemplate.resources', { requests: { cpu: 'lots' } }));
      const cause = only(obj);
      assert.equal(cause.field, 'spec.podTemplate.resources.requests[cpu]');
      assert.match(cause.message, /^Invalid value: "lots": quantities must match the regular expression/);
    });

    it('refuses a quantity that is a fractional number, as the CRD schema (integer or string) does', () => {
      const obj = aFullNode('x', withValue('spec.volumeClaimTemplate.resources.requests.storage', 1.5));
      assert.deepEqual(only(obj), {
        type: 'FieldValueTypeInvalid',
        field: 'spec.volumeClaimTemplate.resources.requests[storage]',
        message: 'Invalid value: "number": must be of type integer',
      });
      assert.deepEqual(
        causes(aFullNode('x', withValue('spec.volumeClaimTemplate.resources.requests.storage', 107374182400))),
        [],
      );
    });

    it('refuses quantities Go would parse as zero but the CRD pattern refuses ("P", ".")', () => {
      const pattern =
        "quantities must match the regular expression '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'";
      assert.deepEqual(
        only(
          aFullNode(
            'x',
            withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: '20%', maxSize: 'P' }),
          ),
        ),
        {
          type: 'FieldValueInvalid',
          field: 'spec.selfHeal.pvcAutoScale.maxSize',
          message: `Invalid value: "P": ${pattern}`,
        },
      );
      assert.equal(
        only(aFullNode('x', withValue('spec.podTemplate.resources', { requests: { cpu: '.' } }))).field,
        'spec.podTemplate.resources.requests[cpu]',
      );
      assert.deepEqual(
        causes(aFullNode('x', withValue('spec.podTemplate.resources', { requests: { cpu: '.5', memory: '+1e3' } }))),
        [],
      );
    });

    it('reports wrong types inside containers with their path', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.podTemplate.containers', [{ name: 'node', ports: [{ containerPort: 'http' }] }]),
      );
      assert.deepEqual(only(obj), {
        type: 'FieldValueTypeInvalid',
        field: 'spec.podTemplate.containers[0].ports[0].containerPort',
        message: 'Invalid value: "string": must be of type integer',
      });
    });

    it('requires the name of a container', () => {
      const obj = aFullNode('x', withValue('spec.podTemplate.containers', [{ image: 'busybox' }]));
      assert.deepEqual(only(obj), {
        type: 'FieldValueRequired',
        field: 'spec.podTemplate.containers[0].name',
        message: 'Required value',
      });
    });

    it('checks the inlined pod spec of additional pods', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.additionalVersionedPods', [{
          name: 'exporter',
          containers: [{ name: 'e', image: 'e' }],
          nodeSelector: { zone: 1 },
        }]),
      );
      assert.deepEqual(only(obj), {
        type: 'FieldValueTypeInvalid',
        field: 'spec.additionalVersionedPods[0].nodeSelector[zone]',
        message: 'Invalid value: "integer": must be of type string',
      });
    });

    it('requires containers in an additional pod, as a pod spec does', () => {
      assert.equal(
        only(aFullNode('x', withValue('spec.additionalVersionedPods', [{ name: 'exporter' }]))).field,
        'spec.additionalVersionedPods[0].containers',
      );
    });
  });

  describe('rules the Go operator only met at runtime', () => {
    it('rejects config overrides that are not TOML, with the parse error', () => {
      const cause = only(aFullNode('x', withValue('spec.chain.config.overrides', '[p2p]\nseeds = \n')));
      assert.equal(cause.field, 'spec.chain.config.overrides');
      assert.equal(cause.type, 'FieldValueInvalid');
      assert.match(cause.message, /must be valid TOML: .* at line 2, column \d+$/);
    });

    it('rejects app overrides that are not TOML', () => {
      assert.equal(
        only(aFullNode('x', withValue('spec.chain.app.overrides', 'a = 1\na = 2'))).field,
        'spec.chain.app.overrides',
      );
    });

    it('accepts TOML overrides', () => {
      assert.deepEqual(
        causes(aFullNode('x', withValue('spec.chain.config.overrides', '[tx_index]\nindexer = "null"\n'))),
        [],
      );
    });

    for (const value of [1, 0, '25%', '100%', '0%']) {
      it(`accepts maxUnavailable ${JSON.stringify(value)}`, () => {
        assert.deepEqual(causes(aFullNode('x', withValue('spec.strategy.maxUnavailable', value))), []);
      });
    }

    for (const value of ['2', '25', '10.5%', 'half', '%', '-5']) {
      it(`rejects maxUnavailable ${JSON.stringify(value)}, which the Go operator failed on`, () => {
        const cause = only(aFullNode('x', withValue('spec.strategy.maxUnavailable', value)));
        assert.equal(cause.field, 'spec.strategy.maxUnavailable');
        assert.equal(
          cause.message,
          `Invalid value: ${JSON.stringify(value)}: must be an integer or a percentage such as "25%"`,
        );
      });
    }

    for (const value of [-1, -2147483648, '-5%', '-0%']) {
      it(`rejects a negative maxUnavailable ${JSON.stringify(value)}, as the API server does a Deployment's`, () => {
        assert.deepEqual(only(aFullNode('x', withValue('spec.strategy.maxUnavailable', value))), {
          type: 'FieldValueInvalid',
          field: 'spec.strategy.maxUnavailable',
          message: `Invalid value: ${JSON.stringify(value)}: must be greater than or equal to 0`,
        });
      });
    }

    it('rejects a fractional maxUnavailable number', () => {
      assert.equal(only(aFullNode('x', withValue('spec.strategy.maxUnavailable', 1.5))).type, 'FieldValueTypeInvalid');
    });

    for (const value of ['20%', '100Gi', '1', '500G']) {
      it(`accepts increaseQuantity ${JSON.stringify(value)}`, () => {
        assert.deepEqual(
          causes(
            aFullNode(
              'x',
              withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: value }),
            ),
          ),
          [],
        );
      });
    }

    for (const value of ['10.5%', 'lots', '20 %', '1TB']) {
      it(`rejects increaseQuantity ${JSON.stringify(value)}`, () => {
        assert.equal(
          only(
            aFullNode(
              'x',
              withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: value }),
            ),
          ).field,
          'spec.selfHeal.pvcAutoScale.increaseQuantity',
        );
      });
    }

    it('rejects a maxSize that is not a quantity', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: '10%', maxSize: '2 TB' }),
      );
      assert.equal(only(obj).field, 'spec.selfHeal.pvcAutoScale.maxSize');
    });

    it('rejects usedSpacePercentage and threshold below 1', () => {
      assert.equal(
        only(
          aFullNode('x', withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 0, increaseQuantity: '10%' })),
        ).message,
        'Invalid value: 0: must be greater than or equal to 1',
      );
      assert.equal(
        only(aFullNode('x', withValue('spec.selfHeal.heightDriftMitigation', { threshold: 0 }))).field,
        'spec.selfHeal.heightDriftMitigation.threshold',
      );
    });

    it('rejects a dataSource kind the PVC builder does not handle', () => {
      const obj = aFullNode('x', withValue('spec.volumeClaimTemplate.dataSource', { kind: 'Secret', name: 'x' }));
      assert.deepEqual(only(obj), {
        type: 'FieldValueNotSupported',
        field: 'spec.volumeClaimTemplate.dataSource.kind',
        message: 'Unsupported value: "Secret": supported values: "PersistentVolumeClaim", "VolumeSnapshot"',
      });
    });

    it('rejects a VolumeSnapshot dataSource outside snapshot.storage.k8s.io', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.volumeClaimTemplate.dataSource', { kind: 'VolumeSnapshot', name: 'x' }),
      );
      assert.deepEqual(only(obj), {
        type: 'FieldValueNotSupported',
        field: 'spec.volumeClaimTemplate.dataSource.apiGroup',
        message: 'Unsupported value: "": supported values: "snapshot.storage.k8s.io"',
      });
    });

    it('rejects a PersistentVolumeClaim dataSource with an API group', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.volumeClaimTemplate.dataSource', { apiGroup: 'v1', kind: 'PersistentVolumeClaim', name: 'x' }),
      );
      assert.equal(only(obj).field, 'spec.volumeClaimTemplate.dataSource.apiGroup');
    });

    it('checks the dataSource of instance override templates too', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.instanceOverrides', {
          'x-1': {
            volumeClaimTemplate: {
              storageClassName: 's',
              resources: { requests: { storage: '1Gi' } },
              dataSource: { kind: 'Pod', name: 'p' },
            },
          },
        }),
      );
      assert.equal(only(obj).field, 'spec.instanceOverrides[x-1].volumeClaimTemplate.dataSource.kind');
    });

    it('accepts both supported data sources', () => {
      assert.deepEqual(
        causes(
          aFullNode(
            'x',
            withValue('spec.volumeClaimTemplate.dataSource', {
              apiGroup: 'snapshot.storage.k8s.io',
              kind: 'VolumeSnapshot',
              name: 's',
            }),
          ),
        ),
        [],
      );
      assert.deepEqual(
        causes(
          aFullNode(
            'x',
            withValue('spec.volumeClaimTemplate.dataSource', { kind: 'PersistentVolumeClaim', name: 'p' }),
          ),
        ),
        [],
      );
    });
  });

  describe("podTemplate.tolerations (as the API server checks a Pod's)", () => {
    const withTolerations = (...tolerations: unknown[]) =>
      aFullNode('x', withValue('spec.podTemplate.tolerations', tolerations));
    const field = (i: number, name: string) => `spec.podTemplate.tolerations[${i}].${name}`;

    const accepted: [string, Record<string, unknown>][] = [
      ['Equal with a value', { key: 'dedicated', operator: 'Equal', value: 'cosmos', effect: 'NoSchedule' }],
      ['an empty operator, meaning Equal', { key: 'dedicated', value: 'cosmos' }],
      ['Equal with an empty value', { key: 'example.com/gpu', operator: 'Equal' }],
      ['Exists without a value', { key: 'dedicated', operator: 'Exists', effect: 'PreferNoSchedule' }],
      ['Exists without a key (every taint)', { operator: 'Exists' }],
      ['tolerationSeconds with NoExecute', {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      }],
      ['null fields, as empty ones', { key: 'a', operator: null, value: null, effect: null }],
    ];
    for (const [what, toleration] of accepted) {
      it(`accepts ${what}`, () => {
        assert.deepEqual(causes(withTolerations(toleration)), []);
      });
    }

    it('refuses an operator other than Equal and Exists, Lt and Gt included (their feature gate is off)', () => {
      for (const operator of ['Lt', 'Gt', 'equal', 'In']) {
        assert.deepEqual(only(withTolerations({ key: 'a', operator, value: '1' })), {
          type: 'FieldValueNotSupported',
          field: field(0, 'operator'),
          message: `Unsupported value: ${JSON.stringify(operator)}: supported values: "Equal", "Exists"`,
        });
      }
    });

    it('refuses a value with Exists, naming the operator as the API server does', () => {
      assert.deepEqual(only(withTolerations({ key: 'a', operator: 'Exists', value: 'b' })), {
        type: 'FieldValueInvalid',
        field: field(0, 'operator'),
        message: 'Invalid value: "b": value must be empty when `operator` is \'Exists\'',
      });
    });

    it('refuses an empty key unless the operator is Exists', () => {
      assert.deepEqual(only(withTolerations({ operator: 'Equal', value: 'b' })), {
        type: 'FieldValueInvalid',
        field: field(0, 'operator'),
        message:
          'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      });
    });

    it('refuses tolerationSeconds without the NoExecute effect', () => {
      assert.deepEqual(
        only(withTolerations({ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 })),
        {
          type: 'FieldValueInvalid',
          field: field(0, 'effect'),
          message: 'Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
        },
      );
    });

    it('refuses an unknown effect with the supported values', () => {
      assert.deepEqual(only(withTolerations({ key: 'a', operator: 'Exists', effect: 'NoScheduleNoAdmit' })), {
        type: 'FieldValueNotSupported',
        field: field(0, 'effect'),
        message:
          'Unsupported value: "NoScheduleNoAdmit": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      });
    });

    it('refuses a key that is not a label name', () => {
      const cause = only(withTolerations({ key: 'dedicated node', operator: 'Exists' }));
      assert.equal(cause.field, field(0, 'key'));
      assert.match(
        cause.message,
        /^Invalid value: "dedicated node": name part must consist of alphanumeric characters/,
      );
    });

    it('refuses an Equal value that is not a label value, under operator', () => {
      const cause = only(withTolerations({ key: 'a', value: 'not a label value' }));
      assert.equal(cause.field, field(0, 'operator'));
      assert.match(cause.message, /^Invalid value: "not a label value": a valid label must be an empty string/);
    });

    it('indexes each toleration and reports every problem', () => {
      assert.deepEqual(
        causes(withTolerations({ operator: 'Exists' }, { key: 'a', operator: 'Lt', effect: 'Never' })).map((c) =>
          c.field
        ),
        [field(1, 'operator'), field(1, 'effect')],
      );
    });

    it('applies the same rules to additionalVersionedPods', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.additionalVersionedPods', [{
          name: 'exp',
          containers: [{ name: 'c', image: 'i' }],
          tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }],
        }]),
      );
      assert.equal(only(obj).field, 'spec.additionalVersionedPods[0].tolerations[0].operator');
    });
  });

  describe('chain.chainID, .binary and .homeDir (command-line words and a path)', () => {
    const CHAIN_ID = "must be a chain ID of at most 50 characters: letters, digits, '.', '_' and '-' only";
    const CHARACTERS = "letters, digits, '.', '_', '-', '+' and '/' only (no whitespace or shell metacharacters)";
    const BINARY = `must be a program name or path: ${CHARACTERS}, not starting with '-'`;
    const HOME_DIR = `must be a directory below /home/operator: ${CHARACTERS}, without ".." segments`;

    // The examples' and the Go operator's samples' values, and the edges of each rule.
    const accepted: [string, string[]][] = [
      ['chainID', [
        'cosmoshub-4',
        'osmosis-1',
        'juno-1',
        'evmos_9001-2',
        'dydx-mainnet-1',
        'theta-testnet-001',
        'a'.repeat(50),
        'A.b_C-9',
      ]],
      ['binary', ['gaiad', 'osmosisd', 'junod', 'evmosd', 'dydxprotocold', '/usr/local/bin/gaiad', 'bin/chain-v2.1+x']],
      ['homeDir', ['cosmos', '.osmosisd', '.gaia', 'data/chain', '/home/operator/.gaia', './x', 'a/./b/']],
    ];
    for (const [field, values] of accepted) {
      for (const value of values) {
        it(`accepts ${field} ${JSON.stringify(value)}`, () => {
          assert.deepEqual(causes(aFullNode('x', withValue(`spec.chain.${field}`, value))), []);
        });
      }
    }

    it('accepts an empty homeDir, which means the default', () => {
      assert.deepEqual(causes(aFullNode('x', withValue('spec.chain.homeDir', ''))), []);
    });

    const refused: [string, string, string[]][] = [
      ['chainID', CHAIN_ID, [
        'osmosis-1 $(touch /tmp/x)',
        'a'.repeat(51),
        'osmosis-1;reboot',
        'osmosis-1\n',
        'osmosis/1',
        "osmosis'1",
        'osmosis"1',
        'osmosis`1`',
        'osmosis 1',
      ]],
      ['binary', BINARY, [
        'gaiad --home /x',
        'gaiad;reboot',
        '$(reboot)',
        '`reboot`',
        "gai'ad",
        'gai"ad',
        'gaiad\n',
        'gai\tad',
        '-gaiad',
        'gaiad&',
        'gaiad|x',
        'gaiad>x',
        '~/gaiad',
        'gaia*',
      ]],
      ['homeDir', HOME_DIR, [
        '..',
        '../etc',
        'a/../../root',
        'a/..',
        '.',
        '/',
        './',
        'my home',
        'home$(reboot)',
        'home`reboot`',
        'home;x',
        "home'",
        'home\n',
        '~/x',
      ]],
    ];
    for (const [field, detail, values] of refused) {
      for (const value of values) {
        it(`refuses ${field} ${JSON.stringify(value)}, naming the field and what is allowed`, () => {
          const shown = JSON.stringify(value.length > 64 ? value.slice(0, 61) + '...' : value);
          assert.deepEqual(only(aFullNode('x', withValue(`spec.chain.${field}`, value))), {
            type: 'FieldValueInvalid',
            field: `spec.chain.${field}`,
            message: `Invalid value: ${shown}: ${detail}`,
          });
        });
      }
    }

    it('reports each bad field on a line of its own', () => {
      const found = causes(
        aFullNode(
          'x',
          withValue('spec.chain.chainID', 'osmosis-1 $(touch /tmp/x)'),
          withValue('spec.chain.binary', 'osmosisd\nreboot'),
          withValue('spec.chain.homeDir', '../../etc'),
        ),
      );
      assert.deepEqual(found.map((c) => c.field), ['spec.chain.chainID', 'spec.chain.binary', 'spec.chain.homeDir']);
      for (const cause of found) assert.ok(!cause.message.includes('\n'), cause.message);
      assert.equal(
        found[1]!.message,
        `Invalid value: "osmosisd\\nreboot": ${BINARY}`,
      );
    });
  });

  describe('chain.versions', () => {
    const version = (height: number) => ({ height, image: `gaia:v${height}` });

    it('accepts ascending heights from 0', () => {
      assert.deepEqual(
        validateCosmosFullNode(
          aFullNode('x', withValue('spec.chain.versions', [version(0), version(100), version(200)])),
        ),
        { causes: [], warnings: [] },
      );
    });

    it('rejects a height below the previous one', () => {
      const cause = only(aFullNode('x', withValue('spec.chain.versions', [version(0), version(200), version(100)])));
      assert.equal(cause.field, 'spec.chain.versions[2].height');
      assert.equal(
        cause.message,
        "Invalid value: 100: must be greater than the previous version's height (200): versions must be in ascending height order",
      );
    });

    it('rejects a repeated height as a duplicate', () => {
      assert.deepEqual(
        only(aFullNode('x', withValue('spec.chain.versions', [version(0), version(100), version(100)]))),
        {
          type: 'FieldValueDuplicate',
          field: 'spec.chain.versions[2].height',
          message: 'Duplicate value: 100',
        },
      );
    });

    it('warns when the first version is not at height 0', () => {
      const found = warnings(aFullNode('x', withValue('spec.chain.versions', [version(50)])));
      assert.equal(found.length, 1);
      assert.match(found[0]!, /^spec\.chain\.versions\[0\]\.height: is 50, not 0/);
    });

    it('warns that haltHeight is ignored when versions are set', () => {
      const found = warnings(
        aFullNode('x', withValue('spec.chain.versions', [version(0)]), withValue('spec.chain.app.haltHeight', 10)),
      );
      assert.match(found[0]!, /^spec\.chain\.app\.haltHeight: is ignored/);
    });
  });

  describe('additionalVersionedPods', () => {
    const pod = (name: string) => ({ name, containers: [{ name: 'c', image: 'busybox' }] });

    it('rejects two additional pods with the same name, which made the Go diff panic', () => {
      assert.deepEqual(only(aFullNode('x', withValue('spec.additionalVersionedPods', [pod('a'), pod('a')]))), {
        type: 'FieldValueDuplicate',
        field: 'spec.additionalVersionedPods[1].name',
        message: 'Duplicate value: "a"',
      });
    });

    it('rejects an additional pod named like the CosmosFullNode, whose pods would collide with the main pods', () => {
      assert.equal(
        only(aFullNode('cosmoshub', withValue('spec.additionalVersionedPods', [pod('cosmoshub')]))).field,
        'spec.additionalVersionedPods[0].name',
      );
    });
  });

  describe('instanceOverrides keys', () => {
    it('accepts keys naming existing pods, counted from ordinals.start', () => {
      const obj = aFullNode(
        'hub',
        withValue('spec.ordinals.start', 5),
        withValue('spec.instanceOverrides', { 'hub-5': { disable: 'Pod' }, 'hub-7': { image: 'x:y' } }),
      );
      assert.deepEqual(validateCosmosFullNode(obj), { causes: [], warnings: [] });
    });

    it('warns about a key that names no pod, without denying', () => {
      const result = validateCosmosFullNode(
        aFullNode('hub', withValue('spec.instanceOverrides', { 'hub-3': { disable: 'Pod' } })),
      );
      assert.deepEqual(result.causes, []);
      assert.deepEqual(result.warnings, [
        'spec.instanceOverrides[hub-3]: names no pod of this CosmosFullNode (pods are hub-0 to hub-2); the override has no effect',
      ]);
    });

    it('accepts keys naming additional pods', () => {
      const obj = aFullNode(
        'hub',
        withValue('spec.additionalVersionedPods', [{ name: 'exp', containers: [{ name: 'c', image: 'i' }] }]),
        withValue('spec.instanceOverrides', { 'exp-1': { disable: 'Pod' } }),
      );
      assert.deepEqual(validateCosmosFullNode(obj).warnings, []);
    });
  });

  describe('other warnings', () => {
    it('warns that an empty volumeSnapshotSelector does nothing', () => {
      assert.match(
        warnings(aFullNode('x', withValue('spec.volumeClaimTemplate.autoDataSource', { matchInstance: true })))[0]!,
        /volumeSnapshotSelector: is empty/,
      );
    });

    it('warns that maxUnavailable 0 is treated as 1', () => {
      assert.deepEqual(warnings(aFullNode('x', withValue('spec.strategy.maxUnavailable', 0))), [
        'spec.strategy.maxUnavailable: 0 is treated as 1: at least one pod is always allowed to be unavailable during an update',
      ]);
    });

    it('warns that maxUnavailable "0%" is treated as 1', () => {
      assert.deepEqual(warnings(aFullNode('x', withValue('spec.strategy.maxUnavailable', '0%'))), [
        'spec.strategy.maxUnavailable: "0%" is treated as 1: at least one pod is always allowed to be unavailable during an update',
      ]);
    });

    it('does not warn of a negative maxUnavailable, which it refuses', () => {
      assert.deepEqual(warnings(aFullNode('x', withValue('spec.strategy.maxUnavailable', -1))), []);
    });

    it('warns when maxSize is not above the requested storage', () => {
      const obj = aFullNode(
        'x',
        withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: '10%', maxSize: '100Gi' }),
      );
      assert.match(
        warnings(obj)[0]!,
        /^spec\.selfHeal\.pvcAutoScale\.maxSize: 100Gi is not above the requested storage 100Gi/,
      );
    });

    it('warns when increaseQuantity grows nothing', () => {
      assert.match(
        warnings(
          aFullNode('x', withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: '0%' })),
        )[0]!,
        /does not grow/,
      );
    });
  });

  describe('updates', () => {
    it('rejects a change of storageClassName', () => {
      const old = aFullNode('x');
      const next = aFullNode('x', withValue('spec.volumeClaimTemplate.storageClassName', 'standard'));
      assert.deepEqual(only(next, old), {
        type: 'FieldValueInvalid',
        field: 'spec.volumeClaimTemplate.storageClassName',
        message: 'Invalid value: "standard": field is immutable',
      });
    });

    it('rejects a smaller storage request', () => {
      const old = aFullNode('x');
      const next = aFullNode('x', withValue('spec.volumeClaimTemplate.resources.requests.storage', '50Gi'));
      assert.deepEqual(only(next, old), {
        type: 'FieldValueForbidden',
        field: 'spec.volumeClaimTemplate.resources.requests[storage]',
        message: 'Forbidden: field can not be less than previous value (100Gi): PVCs never shrink',
      });
    });

    it('accepts a larger storage request, whatever the unit', () => {
      assert.deepEqual(
        causes(
          aFullNode('x', withValue('spec.volumeClaimTemplate.resources.requests.storage', '200G')),
          aFullNode('x'),
        ),
        [],
      );
    });

    it('rejects a change of accessModes, comparing defaulted values', () => {
      const next = aFullNode('x', withValue('spec.volumeClaimTemplate.accessModes', ['ReadWriteMany']));
      assert.equal(only(next, aFullNode('x')).field, 'spec.volumeClaimTemplate.accessModes');
      assert.deepEqual(
        causes(aFullNode('x', withValue('spec.volumeClaimTemplate.accessModes', ['ReadWriteOnce'])), aFullNode('x')),
        [],
      );
    });

    it('rejects a change of volumeMode', () => {
      assert.equal(
        only(aFullNode('x', withValue('spec.volumeClaimTemplate.volumeMode', 'Block')), aFullNode('x')).field,
        'spec.volumeClaimTemplate.volumeMode',
      );
    });

    it('applies the same rules to instance override templates', () => {
      const template = (storage: string) => ({
        'x-0': { volumeClaimTemplate: { storageClassName: 's', resources: { requests: { storage } } } },
      });
      const cause = only(
        aFullNode('x', withValue('spec.instanceOverrides', template('1Gi'))),
        aFullNode('x', withValue('spec.instanceOverrides', template('2Gi'))),
      );
      assert.equal(cause.field, 'spec.instanceOverrides[x-0].volumeClaimTemplate.resources.requests[storage]');
    });

    it('allows other changes, such as replicas and images', () => {
      assert.deepEqual(
        causes(aFullNode('x', withReplicas(5), withValue('spec.podTemplate.image', 'gaia:v19')), aFullNode('x')),
        [],
      );
    });

    it('tolerates a malformed stored object', () => {
      assert.deepEqual(causes(aFullNode('x'), { spec: 'garbage' }), []);
    });
  });
});
