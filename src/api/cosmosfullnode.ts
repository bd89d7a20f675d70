// CosmosFullNode, cosmos.strange.love/v1 (docs/compatibility.md §1.1, §1.2): schema, types and
// field docs. JSON names, enums, bounds and required fields match the Go operator's api/v1 types;
// the descriptions are what `kubectl explain cosmosfullnode.spec…` prints.
import type {
  V1Affinity,
  V1Container,
  V1LocalObjectReference,
  V1PodSpec,
  V1ResourceRequirements,
  V1ServicePort,
  V1Toleration,
  V1TypedLocalObjectReference,
  V1Volume,
  V1VolumeResourceRequirements,
} from '@kubernetes/client-node';
import {
  ascendingVersions,
  chainId,
  chainImage,
  homeDirectory,
  increaseQuantity,
  integerOrPercent,
  programName,
  storageRequested,
  supportedDataSource,
  validPvcSpec,
  validToml,
} from './field-checks.ts';
import { validLabelMap } from './core-checks.ts';
import { k8s, quantity, withInlined } from './k8s-types.ts';
import { type Jsonified, metadataField, type MetadataWriting, type ObjectMeta } from './metadata.ts';
import {
  bool,
  dateTime,
  enumOf,
  type Field,
  type FieldProblem,
  type Infer,
  int32,
  int64,
  intOrString,
  list,
  object,
  optional,
  record,
  str,
  stringMap,
  uint32,
  uint64,
  withCheck,
} from './schema-kit.ts';

export const GROUP = 'cosmos.strange.love';
export const FULL_NODE_VERSION = 'v1';
export const FULL_NODE_KIND = 'CosmosFullNode';

export const FULL_NODE_TYPES = ['FullNode', 'Sentry'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const;
export const LOG_FORMATS = ['plain', 'json'] as const;
export const PRUNING_STRATEGIES = ['default', 'nothing', 'everything', 'custom'] as const;
export const PROBE_STRATEGIES = ['None', 'Reachable', 'InSync'] as const;
export const RETENTION_POLICIES = ['Retain', 'Delete'] as const;
export const DISABLE_STRATEGIES = ['Pod', 'All'] as const;
export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
export const EXTERNAL_TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
/** The backends the versioncheck sidecar can open; anything else made it panic (§5). */
export const DATABASE_BACKENDS = ['goleveldb', 'memdb', 'rocksdb', 'pebbledb'] as const;
export const PULL_POLICIES = ['Always', 'Never', 'IfNotPresent'] as const;
export const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;
export const VOLUME_MODES = ['Filesystem', 'Block'] as const;
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export const FULL_NODE_PHASES = [
  'Progressing',
  'Complete',
  'WaitingForP2PServices',
  'Error',
  'TransientError',
] as const;

export type Container = Jsonified<V1Container>;
export type Volume = Jsonified<V1Volume>;
export type PodSpec = Jsonified<V1PodSpec>;

const containers = (which: string) =>
  list(
    `${which} A strategic merge patch by container name is applied to the containers the operator builds: an entry named like one of them ("node", "healthcheck", "chain-init", …) changes it, other entries are added. An escape hatch for chains that break conventions; use with care.`,
    k8s<Container>('io.k8s.api.core.v1.Container', ''),
    { listType: 'map', mapKeys: ['name'] },
  );

// ---------------------------------------------------------------------------------------------
// spec.chain

const cometConfig = object('CometBFT settings written to config.toml. Optional, but most chains need peers or seeds.', {
  rpcListenAddress: optional(
    str(
      'RPC listen address (`[rpc] laddr`). The port is the text after the last ":". Defaults to "tcp://0.0.0.0:26657".',
    ),
  ),
  p2pListenAddress: optional(
    str(
      'P2P listen address (`[p2p] laddr`). The port is the text after the last ":". Defaults to "tcp://0.0.0.0:26656".',
    ),
  ),
  peers: optional(
    str(
      'Comma-separated persistent peers in <ID>@<host>:<port> form, appended to the in-cluster peers in `persistent_peers`.',
      { minLength: 1 },
    ),
  ),
  seeds: optional(str('Comma-separated seed nodes in <ID>@<host>:<port> form (`seeds`).', { minLength: 1 })),
  privatePeerIDs: optional(
    str('Comma-separated node IDs never gossiped to other peers; appended to `private_peer_ids`.'),
  ),
  unconditionalPeerIDs: optional(
    str(
      'Comma-separated node IDs always (re)connected regardless of peer limits; appended to `unconditional_peer_ids`.',
    ),
  ),
  maxInboundPeers: optional(
    int32('Maximum inbound p2p peers (`max_num_inbound_peers`). Defaults to 20.', { minimum: 0 }),
  ),
  maxOutboundPeers: optional(
    int32('Maximum outbound p2p peers (`max_num_outbound_peers`). Defaults to 20.', { minimum: 0 }),
  ),
  corsAllowedOrigins: optional(
    list(
      'Origins allowed to make cross-domain RPC requests (`rpc.cors_allowed_origins`). Empty disables CORS; ["*"] allows any origin.',
      str(''),
    ),
  ),
  overrides: optional(
    str(
      'Raw TOML merged last into config.toml, so it wins over every other setting. Keys are snake_case. Overriding persistent_peers, private_peer_ids or unconditional_peer_ids clobbers what the operator computes; use the dedicated fields instead.',
      { check: validToml },
    ),
  ),
});

const pruning = object(
  'How much application state to keep on disk (app.toml `pruning*`). Without it the chain uses its "default" strategy.',
  {
    strategy: enumOf(
      'One of default (keep the last 362880 states, prune every 10 blocks), nothing (archive node), everything (keep only the current state) or custom (use interval, keepEvery and keepRecent).',
      PRUNING_STRATEGIES,
    ),
    interval: optional(
      uint32('Block interval between pruning runs (`pruning-interval`); custom strategy only. Defaults to 0.'),
    ),
    keepEvery: optional(
      uint32(
        'Keep every Nth state in addition to the recent ones (`pruning-keep-every`); custom strategy only. Defaults to 0.',
      ),
    ),
    keepRecent: optional(
      uint32('Number of recent states to keep (`pruning-keep-recent`); custom strategy only. Defaults to 0.'),
    ),
    minRetainBlocks: optional(
      uint32(
        'Minimum block height offset below which CometBFT blocks are pruned (`min-retain-blocks`); 0 keeps all blocks. Defaults to 0.',
      ),
    ),
  },
);

const appConfig = object(
  'Cosmos SDK application settings written to app.toml. Optional, but most chains need minGasPrice.',
  {
    minGasPrice: str(
      'Minimum gas prices a node accepts for a transaction, e.g. "0.25uatom;0.0001stake" (`minimum-gas-prices`).',
      { minLength: 1 },
    ),
    apiEnableUnsafeCORS: optional(
      bool('Enables CORS for the REST API (`api.enabled-unsafe-cors`). Unsafe; defaults to false.'),
    ),
    grpcWebEnableUnsafeCORS: optional(
      bool('Enables CORS for gRPC-Web (`grpc-web.enable-unsafe-cors`). Unsafe; defaults to false.'),
    ),
    pruning: optional(pruning),
    haltHeight: optional(
      uint64(
        'Block height at which the node halts gracefully (`halt-height`). Ignored when chain.versions is set: the versions then decide the halt height.',
      ),
    ),
    overrides: optional(
      str('Raw TOML merged last into app.toml, so it wins over every other setting. Keys are kebab-case.', {
        check: validToml,
      }),
    ),
  },
);

const chainVersion = object('An image to run from a block height on.', {
  height: uint64('Block height from which this version applies.'),
  image: str('Image of the chain binary for this version, in repository:tag form.', {
    minLength: 1,
    check: chainImage,
  }),
  initContainers: optional(stringMap('Images for init containers at this version, by container name.')),
  containers: optional(stringMap('Images for containers at this version, by container name.')),
  setHaltHeight: optional(
    bool('Halts the previous version at this height (app.toml `halt-height`) so the upgrade happens exactly there.'),
  ),
});

const chainSpec = object('Chain-specific configuration.', {
  chainID: str(
    "Chain ID, as in the genesis file (`--chain-id`): letters, digits, '.', '_' and '-', at most 50 characters.",
    { minLength: 1, check: chainId },
  ),
  network: str('Network environment, such as mainnet or testnet; becomes the `cosmos.strange.love/network` label.', {
    minLength: 1,
  }),
  binary: str(
    'Name of the chain binary, such as gaiad or osmosisd, or its path in the image; no whitespace or shell metacharacters.',
    { minLength: 1, check: programName },
  ),
  homeDir: optional(
    str(
      'Home directory of the chain under /home/operator (`--home`), for chains that ignore --home and use their own default, such as ".osmosisd". Defaults to "cosmos". No whitespace, shell metacharacters or ".." segments.',
      { check: homeDirectory },
    ),
  ),
  config: optional(cometConfig),
  app: optional(appConfig),
  logLevel: optional(enumOf('Log level (`--log_level`, `log_level`). Defaults to info.', LOG_LEVELS)),
  logFormat: optional(enumOf('Log format (`--log_format`, `log_format`). Defaults to plain.', LOG_FORMATS)),
  addrbookURL: optional(
    str(
      'URL of an address book to download; .json, .json.gz, .tar, .tar.gz, .tar.gzip and .zip are handled. Ignored when addrbookScript is set.',
    ),
  ),
  addrbookScript: optional(
    str(
      'Shell script that writes the address book to $ADDRBOOK_FILE; runs in the infra-toolkit image with $HOME, $CONFIG_DIR and $ADDRBOOK_FILE set. Wins over addrbookURL.',
    ),
  ),
  genesisURL: optional(
    str(
      'URL of the genesis file to download; .json, .json.gz, .tar, .tar.gz, .tar.gzip and .zip are handled. Without it the genesis from `init` is used. Ignored when genesisScript is set.',
    ),
  ),
  genesisScript: optional(
    str(
      'Shell script that writes the genesis file to $GENESIS_FILE; runs in the infra-toolkit image with $HOME, $CONFIG_DIR and $GENESIS_FILE set. Wins over genesisURL.',
    ),
  ),
  snapshotURL: optional(
    str(
      'URL of a data snapshot archive (.tar, .tar.gz, .tar.gzip, .tar.lz4, .tar.zst) restored into an empty data directory. Ignored when snapshotScript is set.',
    ),
  ),
  snapshotScript: optional(
    str(
      'Shell script that restores a data snapshot; runs with $HOME, $CHAIN_HOME and $DATA_DIR set, only while the data directory is empty. Wins over snapshotURL.',
    ),
  ),
  skipInvariants: optional(bool('Skips the x/crisis invariant checks on start (`--x-crisis-skip-assert-invariants`).')),
  privvalSleepSeconds: optional(
    int32(
      'Seconds a Sentry sleeps before starting the chain, giving the remote signer time to connect. 0 disables the sleep. Defaults to 10 for a Sentry; ignored otherwise.',
      { minimum: 0 },
    ),
  ),
  databaseBackend: optional(
    enumOf(
      'Database backend of the chain, which the version check needs to read the block height. One of goleveldb, memdb, rocksdb, pebbledb. Defaults to goleveldb.',
      DATABASE_BACKENDS,
    ),
  ),
  versions: optional(
    list(
      "Images by block height. The operator runs the last version whose height is at or below the node's height, and upgrades pods as they reach the next one. Heights must ascend; the first should be 0.",
      chainVersion,
      {
        check: ascendingVersions,
      },
    ),
  ),
  additionalInitArgs: optional(list('Extra arguments appended to the chain `init` command.', str(''))),
  additionalStartArgs: optional(list('Extra arguments appended to the chain `start` command.', str(''))),
});

// ---------------------------------------------------------------------------------------------
// spec.podTemplate, additionalVersionedPods

const probes = object('Readiness probes the operator adds to the pods.', {
  strategy: optional(
    enumOf(
      'None adds no probes (may suit Sentries with a remote signer); Reachable checks that the RPC answers; InSync also requires the node to be caught up. Defaults to InSync.',
      PROBE_STRATEGIES,
    ),
  ),
});

const podTemplate = object('Template of the pods, one per replica.', {
  metadata: optional(metadataField('every pod')),
  image: optional(
    str(
      'Image of the chain binary in repository:tag form; the tag becomes the app.kubernetes.io/version label. chain.versions, when set, decides the image instead.',
      { minLength: 1, check: chainImage },
    ),
  ),
  imagePullPolicy: optional(enumOf('Pull policy of the chain image: Always, Never or IfNotPresent.', PULL_POLICIES)),
  imagePullSecrets: optional(
    list(
      'Secrets in the namespace used to pull the images.',
      k8s<Jsonified<V1LocalObjectReference>>('io.k8s.api.core.v1.LocalObjectReference', ''),
    ),
  ),
  nodeSelector: optional(stringMap('Node labels a node must have to run the pods.', { check: validLabelMap })),
  affinity: optional(k8s<Jsonified<V1Affinity>>('io.k8s.api.core.v1.Affinity', 'Scheduling constraints of the pods.')),
  tolerations: optional(
    list('Taints the pods tolerate.', k8s<Jsonified<V1Toleration>>('io.k8s.api.core.v1.Toleration', '')),
  ),
  priorityClassName: optional(str('Priority class of the pods.')),
  priority: optional(
    int32('Priority value of the pods; the priority admission controller usually sets it from priorityClassName.'),
  ),
  resources: optional(
    k8s<Jsonified<V1ResourceRequirements>>(
      'io.k8s.api.core.v1.ResourceRequirements',
      'Compute resources of the chain container ("node").',
    ),
  ),
  terminationGracePeriodSeconds: optional(
    int64('Seconds the chain process gets to stop after SIGTERM before it is killed. Defaults to 30.', { minimum: 0 }),
  ),
  probes: optional(probes),
  volumes: optional(
    list(
      'Extra pod volumes. A strategic merge patch by name is applied to the volumes the operator builds. An escape hatch; use with care.',
      k8s<Volume>('io.k8s.api.core.v1.Volume', ''),
      { listType: 'map', mapKeys: ['name'] },
    ),
  ),
  initContainers: optional(containers('Init containers.')),
  containers: optional(containers('Containers.')),
});

const additionalPod = withInlined<PodSpec>('io.k8s.api.core.v1.PodSpec')(
  'A pod run beside every replica, named <name>-<ordinal>, versioned with it by chain.versions. Its pod spec fields are used as given.',
  {
    name: str('Name prefix of the additional pods.', { minLength: 1 }),
    metadata: optional(metadataField('the additional pods')),
    preferSameNode: optional(
      bool('Prefers scheduling each additional pod on the node of its replica (replaces affinity).'),
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// spec.volumeClaimTemplate, instanceOverrides, service, selfHeal

const autoDataSource = object('Finds a data source for new PVCs automatically. No effect when dataSource is set.', {
  volumeSnapshotSelector: optional(
    stringMap(
      'Labels selecting VolumeSnapshots in the namespace; the newest ready one becomes the data source. When none is found the PVC is still created, empty.',
    ),
  ),
  matchInstance: bool(
    'Also requires the snapshot to come from the same instance (app.kubernetes.io/instance), for node-local snapshots such as TopoLVM.',
  ),
});

function pvcTemplate(description: string) {
  return withCheck(pvcTemplateFields(description), validPvcSpec);
}

function pvcTemplateFields(description: string) {
  return object(
    description,
    {
      metadata: optional(metadataField('the PVCs')),
      storageClassName: str(
        'Storage class of the PVCs. A StorageClass with volumeBindingMode WaitForFirstConsumer is recommended. Immutable: changing it requires deleting the PVCs.',
      ),
      resources: k8s<Jsonified<V1VolumeResourceRequirements>>(
        'io.k8s.api.core.v1.VolumeResourceRequirements',
        'Requested storage (requests.storage). It may grow, if the storage class allows expansion, but never shrink.',
      ),
      accessModes: optional(
        list('Access modes of the PVCs. Defaults to [ReadWriteOnce]. Immutable.', enumOf('', ACCESS_MODES)),
      ),
      volumeMode: optional(enumOf('Filesystem or Block. Defaults to Filesystem. Immutable.', VOLUME_MODES)),
      dataSource: optional(
        k8s<Jsonified<V1TypedLocalObjectReference>>(
          'io.k8s.api.core.v1.TypedLocalObjectReference',
          'Populates new PVCs from a VolumeSnapshot (apiGroup snapshot.storage.k8s.io) or a PersistentVolumeClaim (no apiGroup) in the namespace. Used only when a PVC is created.',
        ),
      ),
      autoDataSource: optional(autoDataSource),
    },
    { check: storageRequested },
  );
}

// The dataSource check needs the narrowed type; attach it on the field.
const volumeClaimTemplate = withDataSourceCheck(
  pvcTemplate('Template of the PVCs, one per replica, mounted as the chain home.'),
);

function withDataSourceCheck<F extends Field<{ dataSource?: Jsonified<V1TypedLocalObjectReference> | null }>>(
  field: F,
): F {
  return withCheck(field, (value) => {
    const ref = value.dataSource;
    if (ref === undefined || ref === null) return undefined;
    const found = supportedDataSource({ apiGroup: ref.apiGroup ?? null, kind: ref.kind });
    if (found === undefined) return undefined;
    const problems: readonly FieldProblem[] = Array.isArray(found) ? found : [found as FieldProblem];
    return problems.map((problem) => ({ ...problem, path: ['dataSource', ...(problem.path ?? [])] }));
  });
}

const instanceOverride = object('Overrides for one instance (a pod and its PVC).', {
  disable: optional(
    enumOf(
      'Pod stops managing the pod (the PVC stays); All also drops the PVC (deleted unless volumeRetentionPolicy is Retain).',
      DISABLE_STRATEGIES,
    ),
  ),
  volumeClaimTemplate: optional(
    withDataSourceCheck(pvcTemplate("Replaces the whole volumeClaimTemplate for this instance's PVC.")),
  ),
  image: optional(str("Image of this instance's chain container; wins over chain.versions.", { check: chainImage })),
  externalAddress: optional(str('External p2p address of this instance (`p2p.external_address`).')),
  nodeSelector: optional(stringMap("Replaces this instance's pod node selector.", { check: validLabelMap })),
});

const serviceOverrides = (which: string, writing: MetadataWriting) =>
  object(`Overrides for ${which}.`, {
    metadata: optional(metadataField('the services', writing)),
    type: optional(enumOf('Service type: ClusterIP, NodePort, LoadBalancer or ExternalName.', SERVICE_TYPES)),
    clusterIP: optional(str('Cluster IP of the service; "None" makes it headless.')),
    ports: optional(
      list(
        'Extra ports on the service (the p2p services ignore them).',
        k8s<Jsonified<V1ServicePort>>('io.k8s.api.core.v1.ServicePort', ''),
      ),
    ),
    externalTrafficPolicy: optional(enumOf('Cluster or Local.', EXTERNAL_TRAFFIC_POLICIES)),
  });

const serviceSpec = object(
  'Services the operator creates: one RPC service for api, grpc, rpc and so on, and one p2p service per replica.',
  {
    maxP2PExternalAddresses: optional(
      int32(
        'How many p2p services are exposed outside the cluster (LoadBalancer by default) and advertised as `p2p.external_address`. Defaults to 1.',
        { minimum: 0 },
      ),
    ),
    p2pTemplate: optional(serviceOverrides('the external p2p services', 'as given')),
    rpcTemplate: optional(serviceOverrides('the RPC service', 'normalized')),
    clusterDomain: optional(str('Cluster DNS domain of the in-cluster peer addresses. Defaults to "cluster.local".')),
  },
);

const selfHeal = object('Automatic recovery, run by a separate controller that only writes status and deletes pods.', {
  pvcAutoScale: optional(
    object('Grows PVCs as they fill up. The storage class must allow volume expansion.', {
      usedSpacePercentage: int32('Used disk space, in percent, at or above which a PVC grows.', { minimum: 1 }),
      increaseQuantity: str(
        'How much a PVC grows: a whole-number percentage of its capacity ("20%") or a quantity ("100Gi").',
        { check: increaseQuantity },
      ),
      maxSize: optional(
        quantity('Size beyond which a PVC is not grown (for example "2Ti"); 0 or unset means no limit.'),
      ),
    }),
  ),
  heightDriftMitigation: optional(
    object('Restarts pods that report themselves in sync while lagging behind the others.', {
      threshold: uint32(
        'Blocks behind the highest pod at which an in-sync pod is deleted and recreated, within the rollout budget.',
        { minimum: 1 },
      ),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// spec, status, object

export const fullNodeSpec = object('Desired state of a CosmosFullNode.', {
  ordinals: optional(
    object('Numbering of the replicas.', {
      start: optional(
        int32('First ordinal: replicas are numbered [start, start+replicas). Defaults to 0.', { minimum: 0 }),
      ),
    }),
  ),
  replicas: int32('Number of replicas (pod and PVC pairs).', { minimum: 0 }),
  type: optional(
    enumOf(
      'FullNode (RPC node) or Sentry (validator sentry with a privval port for a remote signer, deployed separately). Defaults to FullNode.',
      FULL_NODE_TYPES,
    ),
  ),
  chain: chainSpec,
  podTemplate,
  additionalVersionedPods: optional(list('Extra pods per replica, upgraded together with it.', additionalPod)),
  strategy: optional(
    object('How pods are replaced on changes.', {
      maxUnavailable: optional(
        intOrString(
          'Pods that may be unavailable during an update: a number (5) or a percentage of replicas ("10%"), rounded down, at least 1. Defaults to "25%".',
          {
            check: integerOrPercent,
          },
        ),
      ),
    }),
  ),
  volumeClaimTemplate,
  volumeRetentionPolicy: optional(
    enumOf(
      'Delete removes the PVCs of replicas that are scaled away; Retain keeps them. Defaults to Delete.',
      RETENTION_POLICIES,
    ),
  ),
  service: optional(serviceSpec),
  instanceOverrides: optional(
    record(
      'Overrides per instance, keyed by pod name (such as "cosmoshub-0"). For debugging and repairs.',
      instanceOverride,
    ),
  ),
  selfHeal: optional(selfHeal),
  serviceAccountName: optional(
    str(
      'Service account of the pods. When set, the operator creates no service account, role or role binding of its own.',
    ),
  ),
});

export const fullNodeStatus = object('Observed state of a CosmosFullNode, written by the operator.', {
  observedGeneration: int64('The generation the operator last acted on.'),
  phase: enumOf(
    'Progressing, Complete, WaitingForP2PServices (LoadBalancer addresses pending), Error (needs a human) or TransientError (retrying).',
    FULL_NODE_PHASES,
  ),
  status: optional(str('Message for the user, such as the last error.')),
  scheduledSnapshotStatus: optional(
    record(
      'Pods taken out for a ScheduledVolumeSnapshot, keyed by the snapshot object.',
      object('A pod held back while its PVC is snapshotted.', {
        podCandidate: str('Name of the pod deleted for the snapshot.'),
      }),
      { crd: { 'x-kubernetes-map-type': 'granular' } },
    ),
  ),
  selfHealing: optional(
    object('Status of the self-healing controller.', {
      pvcAutoScaler: optional(
        record(
          'Requested PVC sizes, by PVC name.',
          object('A PVC resize request.', {
            requestedSize: quantity('Size requested for the PVC.'),
            requestedAt: dateTime('When the size was requested.'),
          }),
        ),
      ),
    }),
  ),
  peers: optional(
    list('Peer addresses of the replicas, <nodeID>@<host>:<port>, sorted; set when the phase is Complete.', str('')),
  ),
  sync: optional(
    record(
      'Sync state by pod, from the CometBFT /status endpoint.',
      object('Sync state of one pod.', {
        timestamp: dateTime('When the state was collected.'),
        height: optional(uint64('Latest block height.')),
        inSync: optional(bool('Whether the node reports itself caught up.')),
        error: optional(str('Why the state could not be collected.')),
      }),
    ),
  ),
  height: optional(record('Height by pod: last committed block plus one.', uint64(''))),
  replicas: optional(int32('Pods that exist for this CosmosFullNode (scale subresource).', { minimum: 0 })),
  readyReplicas: optional(int32('Pods that are in sync with the chain.', { minimum: 0 })),
  latestHeight: optional(uint64('Highest height among the pods.')),
  selector: optional(
    str('Label selector of the pods, in string form (scale subresource, for a HorizontalPodAutoscaler).'),
  ),
  conditions: optional(
    list(
      'Ready (every replica in sync, phase Complete) and Progressing (children being created, deleted or rolled), as metav1.Condition.',
      object('A condition, as metav1.Condition.', {
        type: str('Ready or Progressing.'),
        status: enumOf('True, False or Unknown.', CONDITION_STATUSES),
        reason: str('Why, in CamelCase.'),
        message: str('Why, for a person.'),
        lastTransitionTime: dateTime('When the status last changed.'),
        observedGeneration: optional(int64('The generation the condition was computed from.')),
      }),
      { listType: 'map', mapKeys: ['type'] },
    ),
  ),
});

export type FullNodeSpec = Infer<typeof fullNodeSpec>;
export type FullNodeStatus = Infer<typeof fullNodeStatus>;
export type ChainVersion = Infer<typeof chainVersion>;
export type InstanceOverride = Infer<typeof instanceOverride>;
export type FullNodePersistentVolumeClaimSpec = Infer<ReturnType<typeof pvcTemplate>>;

export interface CosmosFullNode {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: FullNodeSpec;
  status?: FullNodeStatus;
}

/** Status fields the printer columns show (§1.2 plus replicas, readyReplicas, latestHeight, selector). */
export const FULL_NODE_PRINTER_COLUMNS = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Reconcile phase.' },
  { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired replicas.' },
  {
    name: 'Ready',
    type: 'integer',
    jsonPath: '.status.readyReplicas',
    description: 'Replicas in sync with the chain.',
  },
  {
    name: 'Height',
    type: 'integer',
    jsonPath: '.status.latestHeight',
    description: 'Highest block height among the pods.',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
] as const;
