// Bad manifests through `kubectl apply` against the real API server with the operator's webhooks
// registered: one row per rule of docs/validation.md, each asserting kubectl's exit code and its
// exact stderr, since that is what a user sees. The API server runs the mutating webhook, then the
// CRD schema, then the validating webhook: rows the CRD schema refuses first say "(CRD schema)"
// and carry the API server's own message.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newNamespace, type TestCluster, testCluster } from '../cluster/connect.ts';
import { startOperatorWithWebhooks, type WebhookOperator } from '../support/webhooks.ts';
import {
  aFullNode,
  aSnapshotSchedule,
  aStatefulJob,
  type Change,
  without,
  withValue,
} from '../fixtures/api/objects.ts';

type Json = Record<string, unknown>;

type Row = {
  /** what the test is named by: the rule that refuses the manifest */
  rule: string;
  /** the manifest, given its name */
  manifest: (name: string) => Json;
  /** for UPDATE rows: a good object applied first, under the same name */
  before?: (name: string) => Json;
  /** the causes kubectl prints, `field: message`, in the API server's order */
  causes: readonly string[];
};

const fullNode = (...changes: Change[]) => (name: string) => aFullNode(name, ...changes);
const schedule = (...changes: Change[]) => (name: string) => named(aSnapshotSchedule(...changes), name);
const statefulJob = (...changes: Change[]) => (name: string) => named(aStatefulJob(...changes), name);

function named(obj: Json, name: string): Json {
  (obj['metadata'] as Json)['name'] = name;
  return obj;
}

const QUANTITY_PATTERN = String
  .raw`^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`;

const ROWS: readonly Row[] = [
  // ---- CosmosFullNode: semantic rules only the webhook knows
  {
    rule: 'refuses spec.chain.config.overrides that is not valid TOML',
    manifest: fullNode(withValue('spec.chain.config.overrides', '[p2p\nbroken')),
    causes: [
      'spec.chain.config.overrides: Invalid value: "[p2p\\nbroken": must be valid TOML: illegal character in key at line 1, column 5',
    ],
  },
  {
    rule: 'refuses spec.chain.app.overrides that is not valid TOML',
    manifest: fullNode(withValue('spec.chain.app.overrides', 'max-open-connections = = 2')),
    causes: [
      'spec.chain.app.overrides: Invalid value: "max-open-connections = = 2": must be valid TOML: invalid value at line 1, column 24',
    ],
  },
  {
    rule: 'refuses spec.chain.chainID with a command substitution: not a CometBFT chain ID',
    manifest: fullNode(withValue('spec.chain.chainID', 'osmosis-1 $(touch /tmp/x)')),
    causes: [
      `spec.chain.chainID: Invalid value: "osmosis-1 $(touch /tmp/x)": must be a chain ID of at most 50 characters: letters, digits, '.', '_' and '-' only`,
    ],
  },
  {
    rule: 'refuses spec.chain.binary with a space: one program name or path',
    manifest: fullNode(withValue('spec.chain.binary', 'gaiad --x')),
    causes: [
      `spec.chain.binary: Invalid value: "gaiad --x": must be a program name or path: letters, digits, '.', '_', '-', '+' and '/' only (no whitespace or shell metacharacters), not starting with '-'`,
    ],
  },
  {
    rule: 'refuses spec.chain.homeDir with a ".." segment: it must stay under /home/operator',
    manifest: fullNode(withValue('spec.chain.homeDir', '../etc')),
    causes: [
      `spec.chain.homeDir: Invalid value: "../etc": must be a directory below /home/operator: letters, digits, '.', '_', '-', '+' and '/' only (no whitespace or shell metacharacters), without ".." segments`,
    ],
  },
  {
    rule: 'refuses spec.strategy.maxUnavailable "three": neither an integer nor a percentage',
    manifest: fullNode(withValue('spec.strategy.maxUnavailable', 'three')),
    causes: ['spec.strategy.maxUnavailable: Invalid value: "three": must be an integer or a percentage such as "25%"'],
  },
  {
    rule: 'refuses spec.strategy.maxUnavailable "10": a string without a percent sign',
    manifest: fullNode(withValue('spec.strategy.maxUnavailable', '10')),
    causes: ['spec.strategy.maxUnavailable: Invalid value: "10": must be an integer or a percentage such as "25%"'],
  },
  {
    rule: 'refuses spec.strategy.maxUnavailable "12.5%": not a whole-number percentage',
    manifest: fullNode(withValue('spec.strategy.maxUnavailable', '12.5%')),
    causes: ['spec.strategy.maxUnavailable: Invalid value: "12.5%": must be an integer or a percentage such as "25%"'],
  },
  {
    rule: "refuses a negative spec.strategy.maxUnavailable, as the API server does a Deployment's",
    manifest: fullNode(withValue('spec.strategy.maxUnavailable', -1)),
    causes: ['spec.strategy.maxUnavailable: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    rule: "refuses a toleration with operator Exists and a value, as the API server does a Pod's",
    manifest: fullNode(
      withValue('spec.podTemplate.tolerations', [{ key: 'dedicated', operator: 'Exists', value: 'x' }]),
    ),
    causes: [
      'spec.podTemplate.tolerations[0].operator: Invalid value: "x": value must be empty when `operator` is \'Exists\'',
    ],
  },
  {
    rule: 'refuses a toleration operator other than Equal and Exists',
    manifest: fullNode(withValue('spec.podTemplate.tolerations', [{ key: 'dedicated', operator: 'Lt', value: '5' }])),
    causes: ['spec.podTemplate.tolerations[0].operator: Unsupported value: "Lt": supported values: "Equal", "Exists"'],
  },
  {
    rule: 'refuses spec.strategy.maxUnavailable that is a boolean (CRD schema)',
    manifest: fullNode(withValue('spec.strategy.maxUnavailable', true)),
    // The API server reports the int-or-string anyOf three ways, one with no field (`<nil>`).
    causes: [
      'spec.strategy.maxUnavailable: Invalid value: "boolean": spec.strategy.maxUnavailable in body must be of type integer,string: "boolean"',
      '<nil>: Invalid value: "": "spec.strategy.maxUnavailable" must validate at least one schema (anyOf)',
      'spec.strategy.maxUnavailable: Invalid value: "boolean": spec.strategy.maxUnavailable in body must be of type integer: "boolean"',
    ],
  },
  {
    rule: 'refuses spec.selfHeal.pvcAutoScale.increaseQuantity "10.5%": not a whole-number percentage',
    manifest: fullNode(withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: '10.5%' })),
    causes: [
      'spec.selfHeal.pvcAutoScale.increaseQuantity: Invalid value: "10.5%": must be a whole-number percentage such as "20%" or a quantity such as "100Gi"',
    ],
  },
  {
    rule: 'refuses spec.selfHeal.pvcAutoScale.increaseQuantity "lots": neither a percentage nor a quantity',
    manifest: fullNode(withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: 'lots' })),
    causes: [
      'spec.selfHeal.pvcAutoScale.increaseQuantity: Invalid value: "lots": must be a percentage such as "20%" or a quantity such as "100Gi": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ],
  },
  {
    rule: 'refuses spec.selfHeal.pvcAutoScale.maxSize "2 TB": not a quantity (CRD schema)',
    manifest: fullNode(
      withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80, increaseQuantity: '20%', maxSize: '2 TB' }),
    ),
    causes: [
      `spec.selfHeal.pvcAutoScale.maxSize: Invalid value: "2 TB": spec.selfHeal.pvcAutoScale.maxSize in body should match '${QUANTITY_PATTERN}'`,
    ],
  },
  {
    rule: 'refuses spec.chain.databaseBackend "leveldb": not a backend the version check can open (CRD schema)',
    manifest: fullNode(withValue('spec.chain.databaseBackend', 'leveldb')),
    causes: [
      'spec.chain.databaseBackend: Unsupported value: "leveldb": supported values: "goleveldb", "memdb", "rocksdb", "pebbledb"',
    ],
  },
  {
    rule: 'refuses spec.volumeClaimTemplate.dataSource of kind Secret',
    manifest: fullNode(withValue('spec.volumeClaimTemplate.dataSource', { kind: 'Secret', name: 'keys' })),
    causes: [
      'spec.volumeClaimTemplate.dataSource.kind: Unsupported value: "Secret": supported values: "PersistentVolumeClaim", "VolumeSnapshot"',
    ],
  },
  {
    rule: 'refuses a VolumeSnapshot spec.volumeClaimTemplate.dataSource without the snapshot API group',
    manifest: fullNode(withValue('spec.volumeClaimTemplate.dataSource', { kind: 'VolumeSnapshot', name: 'snap' })),
    causes: [
      'spec.volumeClaimTemplate.dataSource.apiGroup: Unsupported value: "": supported values: "snapshot.storage.k8s.io"',
    ],
  },
  {
    rule: 'refuses an instance override whose volumeClaimTemplate.dataSource is of kind ConfigMap',
    manifest: (name) =>
      aFullNode(
        name,
        withValue('spec.instanceOverrides', {
          [`${name}-0`]: {
            volumeClaimTemplate: {
              storageClassName: 'premium-rwo',
              resources: { requests: { storage: '100Gi' } },
              dataSource: { kind: 'ConfigMap', name: 'x' },
            },
          },
        }),
      ),
    causes: [
      'spec.instanceOverrides[NAME-0].volumeClaimTemplate.dataSource.kind: Unsupported value: "ConfigMap": supported values: "PersistentVolumeClaim", "VolumeSnapshot"',
    ],
  },
  {
    rule: 'refuses spec.chain.versions whose heights are not ascending',
    manifest: fullNode(
      withValue('spec.chain.versions', [
        { height: 0, image: 'gaia:v17' },
        { height: 200, image: 'gaia:v18' },
        { height: 100, image: 'gaia:v19' },
      ]),
    ),
    causes: [
      "spec.chain.versions[2].height: Invalid value: 100: must be greater than the previous version's height (200): versions must be in ascending height order",
    ],
  },
  {
    rule: 'refuses spec.chain.versions with a repeated height',
    manifest: fullNode(
      withValue('spec.chain.versions', [
        { height: 0, image: 'gaia:v17' },
        { height: 100, image: 'gaia:v18' },
        { height: 100, image: 'gaia:v19' },
      ]),
    ),
    causes: ['spec.chain.versions[2].height: Duplicate value: 100'],
  },
  {
    rule: 'refuses a spec.podTemplate without an image when nothing else gives one',
    manifest: fullNode(without('spec.podTemplate.image')),
    causes: ['spec.podTemplate.image: Required value'],
  },
  {
    rule: 'refuses a spec.volumeClaimTemplate without resources.requests[storage]',
    manifest: fullNode(withValue('spec.volumeClaimTemplate.resources', { requests: { cpu: '1' } })),
    causes: ['spec.volumeClaimTemplate.resources.requests[storage]: Required value'],
  },
  {
    rule: 'refuses spec.additionalVersionedPods with a repeated name',
    manifest: fullNode(
      withValue('spec.additionalVersionedPods', [
        { name: 'exporter', containers: [{ name: 'e', image: 'exporter:v1' }] },
        { name: 'exporter', containers: [{ name: 'e', image: 'exporter:v2' }] },
      ]),
    ),
    causes: ['spec.additionalVersionedPods[1].name: Duplicate value: "exporter"'],
  },
  {
    rule: 'refuses spec.additionalVersionedPods named like the CosmosFullNode',
    manifest: (name) =>
      aFullNode(
        name,
        withValue('spec.additionalVersionedPods', [{ name, containers: [{ name: 'e', image: 'exporter:v1' }] }]),
      ),
    causes: [
      'spec.additionalVersionedPods[0].name: Invalid value: "NAME": must differ from the CosmosFullNode\'s name: the pods "NAME-<ordinal>" would collide with the main pods',
    ],
  },
  {
    rule: 'refuses several bad fields at once, one line each',
    manifest: fullNode(
      withValue('spec.chain.config.overrides', '[p2p\nbroken'),
      withValue('spec.strategy.maxUnavailable', 'three'),
    ),
    causes: [
      'spec.chain.config.overrides: Invalid value: "[p2p\\nbroken": must be valid TOML: illegal character in key at line 1, column 5',
      'spec.strategy.maxUnavailable: Invalid value: "three": must be an integer or a percentage such as "25%"',
    ],
  },

  // ---- CosmosFullNode: enums (CRD schema)
  {
    rule: 'refuses spec.type "Validator" (CRD schema)',
    manifest: fullNode(withValue('spec.type', 'Validator')),
    causes: ['spec.type: Unsupported value: "Validator": supported values: "FullNode", "Sentry"'],
  },
  {
    rule: 'refuses spec.chain.logLevel "verbose" (CRD schema)',
    manifest: fullNode(withValue('spec.chain.logLevel', 'verbose')),
    causes: [
      'spec.chain.logLevel: Unsupported value: "verbose": supported values: "trace", "debug", "info", "warn", "error", "fatal", "panic"',
    ],
  },
  {
    rule: 'refuses spec.chain.logFormat "xml" (CRD schema)',
    manifest: fullNode(withValue('spec.chain.logFormat', 'xml')),
    causes: ['spec.chain.logFormat: Unsupported value: "xml": supported values: "plain", "json"'],
  },
  {
    rule: 'refuses spec.chain.app.pruning.strategy "sometimes" (CRD schema)',
    manifest: fullNode(withValue('spec.chain.app.pruning', { strategy: 'sometimes' })),
    causes: [
      'spec.chain.app.pruning.strategy: Unsupported value: "sometimes": supported values: "default", "nothing", "everything", "custom"',
    ],
  },
  {
    rule: 'refuses spec.podTemplate.probes.strategy "Always" (CRD schema)',
    manifest: fullNode(withValue('spec.podTemplate.probes', { strategy: 'Always' })),
    causes: [
      'spec.podTemplate.probes.strategy: Unsupported value: "Always": supported values: "None", "Reachable", "InSync"',
    ],
  },
  {
    rule: 'refuses spec.podTemplate.imagePullPolicy "Sometimes" (CRD schema)',
    manifest: fullNode(withValue('spec.podTemplate.imagePullPolicy', 'Sometimes')),
    causes: [
      'spec.podTemplate.imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "IfNotPresent"',
    ],
  },
  {
    rule: 'refuses spec.volumeRetentionPolicy "Keep" (CRD schema)',
    manifest: fullNode(withValue('spec.volumeRetentionPolicy', 'Keep')),
    causes: ['spec.volumeRetentionPolicy: Unsupported value: "Keep": supported values: "Retain", "Delete"'],
  },
  {
    rule: 'refuses spec.volumeClaimTemplate.accessModes entry "ReadWriteSometimes" (CRD schema)',
    manifest: fullNode(withValue('spec.volumeClaimTemplate.accessModes', ['ReadWriteSometimes'])),
    causes: [
      'spec.volumeClaimTemplate.accessModes[0]: Unsupported value: "ReadWriteSometimes": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"',
    ],
  },
  {
    rule: 'refuses spec.instanceOverrides[…].disable "Yes" (CRD schema)',
    manifest: (name) => aFullNode(name, withValue('spec.instanceOverrides', { [`${name}-0`]: { disable: 'Yes' } })),
    // The API server prints map keys of a CRD schema with dots, not brackets.
    causes: ['spec.instanceOverrides.NAME-0.disable: Unsupported value: "Yes": supported values: "Pod", "All"'],
  },
  {
    rule: 'refuses spec.service.p2pTemplate.type "Internal" (CRD schema)',
    manifest: fullNode(withValue('spec.service.p2pTemplate', { type: 'Internal' })),
    causes: [
      'spec.service.p2pTemplate.type: Unsupported value: "Internal": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
    ],
  },
  {
    rule: 'refuses spec.service.rpcTemplate.externalTrafficPolicy "Nearest" (CRD schema)',
    manifest: fullNode(withValue('spec.service.rpcTemplate', { externalTrafficPolicy: 'Nearest' })),
    causes: [
      'spec.service.rpcTemplate.externalTrafficPolicy: Unsupported value: "Nearest": supported values: "Cluster", "Local"',
    ],
  },

  // ---- CosmosFullNode: bounds and types (CRD schema)
  {
    rule: 'refuses spec.replicas -1 (CRD schema)',
    manifest: fullNode(withValue('spec.replicas', -1)),
    // The second line is the scale subresource's check of specReplicasPath.
    causes: [
      'spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0',
      '.spec.replicas: Invalid value: -1: should be a non-negative integer',
    ],
  },
  {
    rule: 'refuses spec.replicas "three": not an integer (CRD schema)',
    manifest: fullNode(withValue('spec.replicas', 'three')),
    causes: [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      '.spec.replicas: Invalid value: 0: .spec.replicas accessor error: three is of the type string, expected int64',
    ],
  },
  {
    rule: 'refuses spec.ordinals.start -1 (CRD schema)',
    manifest: fullNode(withValue('spec.ordinals', { start: -1 })),
    causes: [
      'spec.ordinals.start: Invalid value: -1: spec.ordinals.start in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.chain.config.maxInboundPeers -1 (CRD schema)',
    manifest: fullNode(withValue('spec.chain.config.maxInboundPeers', -1)),
    causes: [
      'spec.chain.config.maxInboundPeers: Invalid value: -1: spec.chain.config.maxInboundPeers in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.chain.config.maxOutboundPeers -5 (CRD schema)',
    manifest: fullNode(withValue('spec.chain.config.maxOutboundPeers', -5)),
    causes: [
      'spec.chain.config.maxOutboundPeers: Invalid value: -5: spec.chain.config.maxOutboundPeers in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.chain.privvalSleepSeconds -1 (CRD schema)',
    manifest: fullNode(withValue('spec.type', 'Sentry'), withValue('spec.chain.privvalSleepSeconds', -1)),
    causes: [
      'spec.chain.privvalSleepSeconds: Invalid value: -1: spec.chain.privvalSleepSeconds in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.chain.app.pruning.keepRecent above uint32 (CRD schema)',
    manifest: fullNode(withValue('spec.chain.app.pruning', { strategy: 'custom', keepRecent: 4294967296 })),
    causes: [
      'spec.chain.app.pruning.keepRecent: Invalid value: 4294967296: spec.chain.app.pruning.keepRecent in body should be less than or equal to 4294967295',
    ],
  },
  {
    rule: 'refuses spec.podTemplate.terminationGracePeriodSeconds -1 (CRD schema)',
    manifest: fullNode(withValue('spec.podTemplate.terminationGracePeriodSeconds', -1)),
    causes: [
      'spec.podTemplate.terminationGracePeriodSeconds: Invalid value: -1: spec.podTemplate.terminationGracePeriodSeconds in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.service.maxP2PExternalAddresses -1 (CRD schema)',
    manifest: fullNode(withValue('spec.service', { maxP2PExternalAddresses: -1 })),
    causes: [
      'spec.service.maxP2PExternalAddresses: Invalid value: -1: spec.service.maxP2PExternalAddresses in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.selfHeal.pvcAutoScale.usedSpacePercentage 0 (CRD schema)',
    manifest: fullNode(withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 0, increaseQuantity: '20%' })),
    causes: [
      'spec.selfHeal.pvcAutoScale.usedSpacePercentage: Invalid value: 0: spec.selfHeal.pvcAutoScale.usedSpacePercentage in body should be greater than or equal to 1',
    ],
  },
  {
    rule: 'refuses spec.selfHeal.heightDriftMitigation.threshold 0 (CRD schema)',
    manifest: fullNode(withValue('spec.selfHeal.heightDriftMitigation', { threshold: 0 })),
    causes: [
      'spec.selfHeal.heightDriftMitigation.threshold: Invalid value: 0: spec.selfHeal.heightDriftMitigation.threshold in body should be greater than or equal to 1',
    ],
  },

  // ---- CosmosFullNode: required fields (CRD schema)
  {
    rule: 'refuses a CosmosFullNode without spec.chain (CRD schema)',
    manifest: fullNode(without('spec.chain')),
    causes: ['spec.chain: Required value'],
  },
  {
    rule: 'refuses an empty spec.chain.chainID (CRD schema)',
    manifest: fullNode(withValue('spec.chain.chainID', '')),
    causes: ['spec.chain.chainID: Invalid value: "": spec.chain.chainID in body should be at least 1 chars long'],
  },
  {
    rule: 'refuses a CosmosFullNode without spec.volumeClaimTemplate.storageClassName (CRD schema)',
    manifest: fullNode(without('spec.volumeClaimTemplate.storageClassName')),
    causes: ['spec.volumeClaimTemplate.storageClassName: Required value'],
  },
  {
    rule: 'refuses spec.chain.app without minGasPrice (CRD schema)',
    manifest: fullNode(withValue('spec.chain.app', { haltHeight: 100 })),
    causes: ['spec.chain.app.minGasPrice: Required value'],
  },
  {
    rule: 'refuses spec.selfHeal.pvcAutoScale without increaseQuantity (CRD schema)',
    manifest: fullNode(withValue('spec.selfHeal.pvcAutoScale', { usedSpacePercentage: 80 })),
    causes: ['spec.selfHeal.pvcAutoScale.increaseQuantity: Required value'],
  },

  // ---- CosmosFullNode: updates
  {
    rule: 'refuses an update that changes spec.volumeClaimTemplate.storageClassName',
    before: fullNode(),
    manifest: fullNode(withValue('spec.volumeClaimTemplate.storageClassName', 'standard')),
    causes: ['spec.volumeClaimTemplate.storageClassName: Invalid value: "standard": field is immutable'],
  },
  {
    rule: 'refuses an update that shrinks spec.volumeClaimTemplate.resources.requests[storage]',
    before: fullNode(),
    manifest: fullNode(withValue('spec.volumeClaimTemplate.resources.requests.storage', '50Gi')),
    causes: [
      'spec.volumeClaimTemplate.resources.requests[storage]: Forbidden: field can not be less than previous value (100Gi): PVCs never shrink',
    ],
  },
  {
    rule: 'refuses an update that changes spec.volumeClaimTemplate.accessModes (compared after defaulting)',
    before: fullNode(),
    manifest: fullNode(withValue('spec.volumeClaimTemplate.accessModes', ['ReadWriteMany'])),
    causes: ['spec.volumeClaimTemplate.accessModes: Invalid value: "array": field is immutable'],
  },
  {
    rule: 'refuses an update that changes spec.volumeClaimTemplate.volumeMode',
    before: fullNode(),
    manifest: fullNode(withValue('spec.volumeClaimTemplate.volumeMode', 'Block')),
    causes: ['spec.volumeClaimTemplate.volumeMode: Invalid value: "Block": field is immutable'],
  },
  {
    rule: "refuses an update that shrinks an instance override's volumeClaimTemplate storage",
    before: (name) =>
      aFullNode(
        name,
        withValue('spec.instanceOverrides', {
          [`${name}-0`]: {
            volumeClaimTemplate: { storageClassName: 'premium-rwo', resources: { requests: { storage: '200Gi' } } },
          },
        }),
      ),
    manifest: (name) =>
      aFullNode(
        name,
        withValue('spec.instanceOverrides', {
          [`${name}-0`]: {
            volumeClaimTemplate: { storageClassName: 'premium-rwo', resources: { requests: { storage: '150Gi' } } },
          },
        }),
      ),
    causes: [
      'spec.instanceOverrides[NAME-0].volumeClaimTemplate.resources.requests[storage]: Forbidden: field can not be less than previous value (200Gi): PVCs never shrink',
    ],
  },

  // ---- ScheduledVolumeSnapshot
  {
    rule: 'refuses a spec.schedule with six fields (seconds)',
    manifest: schedule(withValue('spec.schedule', '0 0 * * * *')),
    causes: [
      'spec.schedule: Invalid value: "0 0 * * * *": must be a valid cron schedule: expected exactly 5 fields, found 6: [0 0 * * * *]',
    ],
  },
  {
    rule: 'refuses a spec.schedule with an unknown descriptor',
    manifest: schedule(withValue('spec.schedule', '@fortnightly')),
    causes: [
      'spec.schedule: Invalid value: "@fortnightly": must be a valid cron schedule: unrecognized descriptor: @fortnightly',
    ],
  },
  {
    rule: 'refuses a spec.schedule with an unknown time zone',
    manifest: schedule(withValue('spec.schedule', 'CRON_TZ=Mars/Olympus_Mons 0 * * * *')),
    causes: [
      'spec.schedule: Invalid value: "CRON_TZ=Mars/Olympus_Mons 0 * * * *": must be a valid cron schedule: provided bad location Mars/Olympus_Mons: unknown time zone Mars/Olympus_Mons',
    ],
  },
  {
    rule: 'refuses a spec.schedule with an hour out of range',
    manifest: schedule(withValue('spec.schedule', '0 25 * * *')),
    causes: [
      'spec.schedule: Invalid value: "0 25 * * *": must be a valid cron schedule: end of range (25) above maximum (23): 25',
    ],
  },
  {
    rule: 'refuses spec.minAvailable 0 (CRD schema)',
    manifest: schedule(withValue('spec.minAvailable', 0)),
    causes: ['spec.minAvailable: Invalid value: 0: spec.minAvailable in body should be greater than or equal to 1'],
  },
  {
    rule: 'refuses spec.limit 0 (CRD schema)',
    manifest: schedule(withValue('spec.limit', 0)),
    causes: ['spec.limit: Invalid value: 0: spec.limit in body should be greater than or equal to 1'],
  },
  {
    rule: 'refuses spec.fullNodeRef.ordinal -1 (CRD schema)',
    manifest: schedule(withValue('spec.fullNodeRef.ordinal', -1)),
    causes: [
      'spec.fullNodeRef.ordinal: Invalid value: -1: spec.fullNodeRef.ordinal in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses spec.deletePod "yes": not a boolean (CRD schema)',
    manifest: schedule(withValue('spec.deletePod', 'yes')),
    causes: ['spec.deletePod: Invalid value: "string": spec.deletePod in body must be of type boolean: "string"'],
  },
  {
    rule: 'refuses a ScheduledVolumeSnapshot without spec.fullNodeRef (CRD schema)',
    manifest: schedule(without('spec.fullNodeRef')),
    causes: ['spec.fullNodeRef: Required value'],
  },
  {
    rule: 'refuses an empty spec.fullNodeRef.name (CRD schema)',
    manifest: schedule(withValue('spec.fullNodeRef.name', '')),
    causes: ['spec.fullNodeRef.name: Invalid value: "": spec.fullNodeRef.name in body should be at least 1 chars long'],
  },
  {
    rule: 'refuses an update that changes spec.fullNodeRef.name',
    before: schedule(),
    manifest: schedule(withValue('spec.fullNodeRef.name', 'osmosis')),
    causes: ['spec.fullNodeRef.name: Invalid value: "osmosis": field is immutable'],
  },

  // ---- StatefulJob
  {
    rule: 'refuses spec.interval "1d": not a Go duration (CRD schema)',
    manifest: statefulJob(withValue('spec.interval', '1d')),
    causes: [
      `spec.interval: Invalid value: "1d": spec.interval in body should match '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$'`,
    ],
  },
  {
    rule: 'refuses spec.interval "3000000h": matches the CRD pattern but overflows a Go duration',
    manifest: statefulJob(withValue('spec.interval', '3000000h')),
    causes: [
      'spec.interval: Invalid value: "3000000h": must be a duration such as "24h" or "1h30m": time: invalid duration "3000000h"',
    ],
  },
  {
    rule: 'refuses spec.podTemplate.spec.restartPolicy "Always": Jobs run Never or OnFailure',
    manifest: statefulJob(withValue('spec.podTemplate.spec.restartPolicy', 'Always')),
    causes: [
      'spec.podTemplate.spec.restartPolicy: Unsupported value: "Always": supported values: "Never", "OnFailure"',
    ],
  },
  {
    rule: 'refuses a pod volume named "snapshot": the operator adds it',
    manifest: statefulJob(withValue('spec.podTemplate.spec.volumes', [{ name: 'snapshot', emptyDir: {} }])),
    causes: [
      'spec.podTemplate.spec.volumes[0].name: Invalid value: "snapshot": is reserved: the operator adds the volume "snapshot" for the restored PVC',
    ],
  },
  {
    rule: 'refuses spec.jobTemplate.activeDeadlineSeconds 0 (CRD schema)',
    manifest: statefulJob(withValue('spec.jobTemplate', { activeDeadlineSeconds: 0 })),
    causes: [
      'spec.jobTemplate.activeDeadlineSeconds: Invalid value: 0: spec.jobTemplate.activeDeadlineSeconds in body should be greater than or equal to 1',
    ],
  },
  {
    rule: 'refuses spec.jobTemplate.backoffLimit -1 (CRD schema)',
    manifest: statefulJob(withValue('spec.jobTemplate', { backoffLimit: -1 })),
    causes: [
      'spec.jobTemplate.backoffLimit: Invalid value: -1: spec.jobTemplate.backoffLimit in body should be greater than or equal to 0',
    ],
  },
  {
    rule: 'refuses a StatefulJob without spec.podTemplate.spec (CRD schema)',
    manifest: statefulJob(withValue('spec.podTemplate', { metadata: { labels: { a: 'b' } } })),
    causes: ['spec.podTemplate.spec: Required value'],
  },
  {
    rule: 'refuses a StatefulJob without spec.selector (CRD schema)',
    manifest: statefulJob(without('spec.selector')),
    causes: ['spec.selector: Required value'],
  },
  {
    rule: 'refuses spec.volumeClaimTemplate.accessModes entry "Shared" (CRD schema)',
    manifest: statefulJob(withValue('spec.volumeClaimTemplate.accessModes', ['Shared'])),
    causes: [
      'spec.volumeClaimTemplate.accessModes[0]: Unsupported value: "Shared": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"',
    ],
  },
];

/** kubectl's rendering of a 422 Invalid: one cause inline, several as `* field: message` lines. */
function invalidStderr(kind: string, name: string, causes: readonly string[]): string {
  const lines = causes.map((c) => c.replaceAll('NAME', name));
  if (lines.length === 1) return `The ${kind} "${name}" is invalid: ${lines[0]}\n`;
  return `The ${kind} "${name}" is invalid: \n${lines.map((l) => `* ${l}`).join('\n')}\n`;
}

describe('bad manifests through kubectl apply', () => {
  let cluster: TestCluster;
  let ns: string;
  let operator: WebhookOperator;

  const apply = (obj: Json, extra: string[] = []) =>
    cluster.kubectl(['apply', ...extra, '-f', '-'], { input: JSON.stringify(obj) });
  const inNamespace = (obj: Json): Json => {
    (obj['metadata'] as Json)['namespace'] = ns;
    return obj;
  };

  before(async () => {
    cluster = await testCluster();
    ns = await newNamespace('admission-table');
    operator = await startOperatorWithWebhooks(cluster, ns);
  });
  after(async () => operator?.stop());

  ROWS.forEach((row, index) => {
    it(row.rule, async () => {
      const name = `row-${index}`;
      if (row.before !== undefined) {
        const created = await apply(inNamespace(row.before(name)));
        assert.equal(created.code, 0, created.stderr);
      }
      const manifest = inNamespace(row.manifest(name));
      const res = await apply(manifest);
      assert.equal(res.stderr, invalidStderr(manifest['kind'] as string, name, row.causes));
      assert.equal(res.code, 1);
    });
  });

  it('admits an instanceOverrides key that names no pod, with a warning', async () => {
    const manifest = inNamespace(
      aFullNode('warned', withValue('spec.instanceOverrides', { 'warned-7': { image: 'gaia:debug' } })),
    );
    const res = await apply(manifest);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stderr,
      'Warning: spec.instanceOverrides[warned-7]: names no pod of this CosmosFullNode (pods are warned-0 to warned-2); the override has no effect\n',
    );
    assert.equal(res.stdout, 'cosmosfullnode.cosmos.strange.love/warned created\n');
  });

  it('admits a ScheduledVolumeSnapshot whose schedule never fires, with a warning', async () => {
    const manifest = inNamespace(named(aSnapshotSchedule(withValue('spec.schedule', '0 0 30 2 *')), 'never'));
    const res = await apply(manifest);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, 'Warning: spec.schedule: "0 0 30 2 *" never fires (no such date within five years)\n');
  });

  it('refuses a bad manifest under --dry-run=server the same way', async () => {
    const manifest = inNamespace(aFullNode('dry-bad', withValue('spec.strategy.maxUnavailable', 'three')));
    const res = await apply(manifest, ['--dry-run=server']);
    assert.equal(res.code, 1);
    assert.equal(
      res.stderr,
      'The CosmosFullNode "dry-bad" is invalid: spec.strategy.maxUnavailable: Invalid value: "three": must be an integer or a percentage such as "25%"\n',
    );
  });

  it('passes a good manifest under --dry-run=server without storing it', async () => {
    const res = await apply(inNamespace(aFullNode('dry-good')), ['--dry-run=server']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'cosmosfullnode.cosmos.strange.love/dry-good created (server dry run)\n');
    const got = await cluster.kubectl(['get', 'cosmosfullnode', 'dry-good', '-n', ns]);
    assert.equal(got.code, 1);
    assert.match(got.stderr, /NotFound/);
  });
});
