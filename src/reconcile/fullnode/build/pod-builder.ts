// The pods a CosmosFullNode wants (docs/compatibility.md §2.4, §2.8, §2.9). Pure: the same node and
// observations always give deep-equal pods.
//
// A main pod is built in the Go operator's order: base pod → ordinal (name, init containers,
// volumes, mounts) → podTemplate strategic merge → version images → instance overrides →
// normalised metadata → config checksum. Additional pods (additionalVersionedPods) use their own
// pod spec as given, plus labels, versions and overrides.
import type { V1Container, V1Pod, V1PodSpec, V1Probe, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { ChainVersion, CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import {
  additionalPodName,
  appName,
  BELONGS_TO_LABEL,
  CONFIG_CHECKSUM_ANNOTATION,
  defaultLabels,
  imageVersion,
  INSTANCE_LABEL,
  instanceName,
  mergePreserving,
  NAME_LABEL,
  NODE_ID_ANNOTATION,
  nodeKeySecretName,
  normalizeMetadata,
  ordinalsOf,
  podServiceAccountName,
  pvcName,
  VERSION_LABEL,
} from '../../../api/naming.ts';
import {
  buildInitContainers,
  CHAIN_INIT_CONTAINER,
  chainEnv,
  chainHomeDir,
  databaseBackendFlag,
  operatorSecurityContext,
  SIDECAR_RESOURCES,
  VERSION_CHECK_INIT_CONTAINER,
  WORK_DIR,
} from './init-containers.ts';
import { controllerReferences } from './owner-reference.ts';
import { cloneJson } from '../../../api/json-clone.ts';
import { buildContainerPorts, HEALTHCHECK_PORT, rpcPortOf } from './ports.ts';
import { GO_OPERATOR_SIDECAR, type SidecarImage } from './sidecar.ts';
import { POD_SPEC_PATCH_META, strategicMerge } from './strategic-merge.ts';
// One version rule for images, halt heights and status (§2.9).
import { selectVersion } from './version-select.ts';
import { NODE_KEY_FILE } from './node-key.ts';
import { APP_OVERLAY_FILE, CONFIG_OVERLAY_FILE } from './config-builder.ts';

export const NODE_CONTAINER = 'node';
export const HEALTHCHECK_CONTAINER = 'healthcheck';
export const VERSION_CHECK_SIDECAR = 'version-check-interval';

export const VOL_CHAIN_HOME = 'vol-chain-home';
export const VOL_TMP = 'vol-tmp';
export const VOL_CONFIG = 'vol-config';
export const VOL_SYSTEM_TMP = 'vol-system-tmp';
/** The ServiceAccount token, CA and namespace, mounted only into the version-check containers. */
export const VOL_SERVICE_ACCOUNT = 'vol-service-account';
/** Where client libraries (client-go's InClusterConfig) look for the token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const DEFAULT_PRIVVAL_SLEEP_SECONDS = 10;
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

/** What the pods depend on besides the spec. */
export interface PodObservations {
  /** `status.height`: the last committed block + 1, by pod name; picks each pod's version. */
  readonly heights: Readonly<Record<string, number>>;
  /** Revision of each instance's ConfigMap, by ConfigMap name; a missing entry gives "". */
  readonly configChecksums: Readonly<Record<string, string>>;
  /** Pods held back while a ScheduledVolumeSnapshot snapshots their PVC. */
  readonly snapshotCandidates: ReadonlySet<string>;
  /**
   * Node ID of each instance's key, by pod name: annotation `cosmos.strange.love/node-id` of its
   * main pod, so a new key (its Secret deleted, or edited) restarts the pod that must load it, as
   * upstream's ConfigMap checksum did when the key was in the ConfigMap (§2.5). None when absent.
   */
  readonly nodeIds?: Readonly<Record<string, string>>;
}

export interface PodBuildOptions {
  /** The operator image of the sidecars; defaults to the Go operator's (see sidecar.ts). */
  readonly sidecar?: SidecarImage;
  /**
   * Where `node_key.json` comes from. "secret" (the default; node keys live in Secrets, §2.5)
   * projects the instance's Secret beside the ConfigMap's overlays into the same directory;
   * "configMap" mounts it from the ConfigMap, as the Go operator did.
   */
  readonly nodeKeySource?: 'secret' | 'configMap';
}

/** A desired pod and its diff ordinal: the ordinal for a main pod, `i*100+idx+1000` for an additional one (§2.8). */
export interface DesiredPod {
  readonly ordinal: number;
  readonly pod: V1Pod;
}

/**
 * Every pod the node wants: the main pod of each ordinal that is neither disabled nor a snapshot
 * candidate, then the additional pods of every ordinal.
 */
export function buildPods(
  node: CosmosFullNode,
  observed: PodObservations,
  options: PodBuildOptions = {},
): DesiredPod[] {
  const pods: DesiredPod[] = [];
  const ordinals = ordinalsOf(node);
  for (const ordinal of ordinals) {
    const pod = buildPod(node, ordinal, observed.heights, options);
    if (pod === undefined || observed.snapshotCandidates.has(pod.metadata!.name!)) continue;
    pods.push({ ordinal, pod: withChecksum(pod, observed.configChecksums, observed.nodeIds?.[pod.metadata!.name!]) });
  }
  const additional = node.spec.additionalVersionedPods ?? [];
  for (const ordinal of ordinals) {
    additional.forEach((entry, index) => {
      const pod = buildAdditionalPod(node, ordinal, entry, observed.heights);
      if (pod !== undefined) {
        pods.push({ ordinal: ordinal * 100 + index + 1000, pod: withChecksum(pod, observed.configChecksums) });
      }
    });
  }
  return pods;
}

/** The observations the status already holds (heights and snapshot candidates), with the checksums and node IDs. */
export function observationsFromStatus(
  node: CosmosFullNode,
  configChecksums: Readonly<Record<string, string>>,
  nodeIds: Readonly<Record<string, string>> = {},
): PodObservations {
  const candidates = new Set<string>();
  for (const entry of Object.values(node.status?.scheduledSnapshotStatus ?? {})) candidates.add(entry.podCandidate);
  return { heights: node.status?.height ?? {}, configChecksums, snapshotCandidates: candidates, nodeIds };
}

/** The main pod of `ordinal` without its config checksum; undefined when an instance override disables it. */
export function buildPod(
  node: CosmosFullNode,
  ordinal: number,
  heights: Readonly<Record<string, number>>,
  options: PodBuildOptions = {},
): V1Pod | undefined {
  const name = instanceName(node, ordinal);
  const override = node.spec.instanceOverrides?.[name];
  if (isSet(override?.disable)) return undefined;

  const sidecar = options.sidecar ?? GO_OPERATOR_SIDECAR;
  const tpl = node.spec.podTemplate;
  let pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: node.metadata.namespace,
      labels: mergePreserving(defaultLabels(node, { [INSTANCE_LABEL]: name }), tpl.metadata?.labels),
      annotations: { ...(tpl.metadata?.annotations ?? {}) },
      ownerReferences: controllerReferences(node),
    },
    spec: {
      serviceAccountName: podServiceAccountName(node),
      // Not into every container: only the version checks talk to the API server, and they mount
      // VOL_SERVICE_ACCOUNT themselves (the Go operator let Kubernetes mount it everywhere).
      automountServiceAccountToken: false,
      securityContext: {
        runAsUser: 1025,
        runAsGroup: 1025,
        runAsNonRoot: true,
        fsGroup: 1025,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      hostname: name,
      // The raw CR name, as in Go; no headless service of that name exists.
      subdomain: node.metadata.name,
      initContainers: withServiceAccount(
        withMounts(buildInitContainers(node, name, sidecar), initMounts(node)),
        VERSION_CHECK_INIT_CONTAINER,
      ),
      containers: buildContainers(node, sidecar),
      volumes: buildVolumes(node, ordinal, options.nodeKeySource ?? 'secret'),
    },
  };

  pod = { ...pod, spec: strategicMerge(pod.spec!, podTemplatePatch(node), POD_SPEC_PATCH_META) };

  const version = selectVersion(node.spec.chain.versions, heights[name] ?? 0);
  if (version !== undefined) setVersionedImages(pod, version);

  if (override !== undefined) {
    if (isSet(override.image) && override.image !== '') setChainImage(pod, override.image);
    if (override.nodeSelector !== undefined && override.nodeSelector !== null) {
      replaceNodeSelector(pod, override.nodeSelector);
    }
  }

  return cloneJson({ ...pod, metadata: normalizeMetadata(pod.metadata!) });
}

type AdditionalPodEntry = NonNullable<CosmosFullNode['spec']['additionalVersionedPods']>[number];

/**
 * The additional pod `<entry.name>-<ordinal>` beside instance `ordinal`; undefined when an instance
 * override keyed by its own name disables it. Its pod spec is the entry's, verbatim.
 */
export function buildAdditionalPod(
  node: CosmosFullNode,
  ordinal: number,
  entry: AdditionalPodEntry,
  heights: Readonly<Record<string, number>>,
): V1Pod | undefined {
  const name = additionalPodName(entry.name, ordinal);
  const override = node.spec.instanceOverrides?.[name];
  if (isSet(override?.disable)) return undefined;

  const belongsTo = instanceName(node, ordinal);
  const { name: _name, metadata: entryMetadata, preferSameNode, ...podSpec } = entry;
  const spec = cloneJson(podSpec) as V1PodSpec;
  if (preferSameNode === true) {
    spec.affinity = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { [INSTANCE_LABEL]: belongsTo } },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    };
  }

  // The name label differs from the main pods' so the RPC service does not select these pods.
  const labels = mergePreserving(
    { ...defaultLabels(node), [NAME_LABEL]: `${appName(node)}-${entry.name}` },
    entryMetadata?.labels,
  );
  // BUG kept (§2.8): the instance label is the pod's own name, so grouping additional pods by
  // their main pod's instance never matches; the rollout deletes them outside the budget.
  labels[INSTANCE_LABEL] = name;
  labels[BELONGS_TO_LABEL] = belongsTo;

  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: node.metadata.namespace,
      labels,
      annotations: { ...(entryMetadata?.annotations ?? {}) },
      ownerReferences: controllerReferences(node),
    },
    spec,
  };

  // Additional pods follow the version of the instance they belong to.
  const version = selectVersion(node.spec.chain.versions, heights[belongsTo] ?? 0);
  if (version !== undefined) setVersionedImages(pod, version);

  if (override !== undefined) {
    const first = pod.spec!.containers[0];
    if (isSet(override.image) && override.image !== '' && first !== undefined) first.image = override.image;
    if (override.nodeSelector !== undefined && override.nodeSelector !== null) {
      replaceNodeSelector(pod, override.nodeSelector);
    }
  }

  return cloneJson({ ...pod, metadata: normalizeMetadata(pod.metadata!) });
}

/** The claim mounted as the chain home (Go PVCName(pod)); "" when the pod has none. */
export function chainHomeClaimName(pod: V1Pod): string {
  return pod.spec?.volumes?.find((volume) => volume.name === VOL_CHAIN_HOME)?.persistentVolumeClaim?.claimName ?? '';
}

// --- containers ------------------------------------------------------------------------------

function buildContainers(node: CosmosFullNode, sidecar: SidecarImage): V1Container[] {
  const tpl = node.spec.podTemplate;
  const home = chainHomeDir(node);
  const [nodeProbe, healthProbe] = readinessProbes(node);
  const { command, args } = startCommand(node);
  const containers: V1Container[] = [
    {
      name: NODE_CONTAINER,
      image: tpl.image,
      command,
      args,
      env: chainEnv(node),
      ports: buildContainerPorts(node),
      resources: cloneJson(tpl.resources ?? {}),
      readinessProbe: nodeProbe,
      imagePullPolicy: tpl.imagePullPolicy,
      workingDir: WORK_DIR,
      volumeMounts: chainMounts(node),
    },
    {
      name: HEALTHCHECK_CONTAINER,
      image: sidecar.image,
      command: [...sidecar.command, 'healthcheck', '--rpc-host', `http://localhost:${rpcPortOf(node)}`],
      ports: [{ containerPort: HEALTHCHECK_PORT, protocol: 'TCP' }],
      resources: SIDECAR_RESOURCES,
      readinessProbe: healthProbe,
      imagePullPolicy: tpl.imagePullPolicy,
      securityContext: operatorSecurityContext(),
      // Reads disk usage of the chain home for the PVC autoscaler (§4).
      volumeMounts: [{ name: VOL_CHAIN_HOME, mountPath: home, readOnly: true }],
    },
  ];
  if ((node.spec.chain.versions ?? []).length > 0) {
    // Catches the height at which a running node halts for an upgrade (§2.9, §5).
    containers.push({
      name: VERSION_CHECK_SIDECAR,
      image: sidecar.image,
      command: [...sidecar.command, 'versioncheck', '-d', ...databaseBackendFlag(node)],
      resources: SIDECAR_RESOURCES,
      env: chainEnv(node),
      imagePullPolicy: tpl.imagePullPolicy,
      workingDir: WORK_DIR,
      // The Go operator set an empty one here.
      securityContext: operatorSecurityContext(),
      volumeMounts: [...chainMounts(node), serviceAccountMount()],
    });
  }
  return containers;
}

/**
 * `<binary> start --home <home> …`; a Sentry first sleeps so the remote signer can connect. The
 * Sentry's `sh -c` takes the seconds and the command line as positional parameters, never as
 * script text, so every argument reaches the binary as one word, as a FullNode's does; `exec`
 * makes the binary the container's main process, which receives SIGTERM on shutdown (the Go
 * operator's script left sh, which ignores it as PID 1, in front of the node).
 */
function startCommand(node: CosmosFullNode): { command: string[]; args: string[] } {
  const chain = node.spec.chain;
  const args = ['start', '--home', chainHomeDir(node)];
  if (chain.skipInvariants === true) args.push('--x-crisis-skip-assert-invariants');
  if (isSet(chain.logLevel)) args.push('--log_level', chain.logLevel);
  if (isSet(chain.logFormat)) args.push('--log_format', chain.logFormat);
  args.push(...(chain.additionalStartArgs ?? []));

  const sleep = chain.privvalSleepSeconds ?? DEFAULT_PRIVVAL_SLEEP_SECONDS;
  if (node.spec.type === 'Sentry' && sleep > 0) {
    return { command: ['sh'], args: ['-c', SENTRY_START_SCRIPT, NODE_CONTAINER, String(sleep), chain.binary, ...args] };
  }
  return { command: [chain.binary], args };
}

// $0 is the container's name, $1 the seconds to sleep, the rest the command line.
const SENTRY_START_SCRIPT = 'sleep "$1"\nshift\nexec "$@"';

/** [node, healthcheck] readiness probes per podTemplate.probes.strategy (default InSync). */
function readinessProbes(node: CosmosFullNode): [V1Probe | undefined, V1Probe | undefined] {
  const strategy = node.spec.podTemplate.probes?.strategy;
  if (strategy === 'None') return [undefined, undefined];
  const probe = (path: string, port: number, failureThreshold: number): V1Probe => ({
    httpGet: { path, port, scheme: 'HTTP' },
    initialDelaySeconds: 1,
    timeoutSeconds: 10,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold,
  });
  const rpc = probe('/health', rpcPortOf(node), 5);
  if (strategy === 'Reachable') return [rpc, undefined];
  return [rpc, probe('/', HEALTHCHECK_PORT, 3)];
}

// --- volumes and mounts ----------------------------------------------------------------------

function buildVolumes(node: CosmosFullNode, ordinal: number, nodeKeySource: 'secret' | 'configMap'): V1Volume[] {
  const configMap = instanceName(node, ordinal);
  const item = (key: string) => ({ key, path: key });
  const config: V1Volume = nodeKeySource === 'configMap'
    ? {
      name: VOL_CONFIG,
      configMap: { name: configMap, items: [item(CONFIG_OVERLAY_FILE), item(APP_OVERLAY_FILE), item(NODE_KEY_FILE)] },
    }
    : {
      name: VOL_CONFIG,
      projected: {
        sources: [
          { configMap: { name: configMap, items: [item(CONFIG_OVERLAY_FILE), item(APP_OVERLAY_FILE)] } },
          { secret: { name: nodeKeySecretName(node, ordinal), items: [item(NODE_KEY_FILE)] } },
        ],
      },
    };
  return [
    { name: VOL_CHAIN_HOME, persistentVolumeClaim: { claimName: pvcName(node, ordinal) } },
    { name: VOL_TMP, emptyDir: {} },
    config,
    // State sync needs a writable /tmp ("unable to create temp dir for state sync chunks").
    { name: VOL_SYSTEM_TMP, emptyDir: {} },
    serviceAccountVolume(),
  ];
}

/** What Kubernetes' own kube-api-access-<random> volume holds: a bound token, the cluster CA, the namespace. */
function serviceAccountVolume(): V1Volume {
  return {
    name: VOL_SERVICE_ACCOUNT,
    projected: {
      sources: [
        // 3607 s, as the API server's own: the kubelet refreshes the token well before it expires.
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
}

function serviceAccountMount(): V1VolumeMount {
  return { name: VOL_SERVICE_ACCOUNT, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true };
}

/** The container named `name` also mounts the ServiceAccount volume. */
function withServiceAccount(containers: V1Container[], name: string): V1Container[] {
  return containers.map((c) =>
    c.name === name ? { ...c, volumeMounts: [...(c.volumeMounts ?? []), serviceAccountMount()] } : c
  );
}

/** The chain home and /tmp: what the node and the version-check containers mount. */
function chainMounts(node: CosmosFullNode): V1VolumeMount[] {
  return [
    { name: VOL_CHAIN_HOME, mountPath: chainHomeDir(node) },
    { name: VOL_SYSTEM_TMP, mountPath: '/tmp' },
  ];
}

/** Init containers also get the scratch directory and the ConfigMap (overlays and node key). */
function initMounts(node: CosmosFullNode): V1VolumeMount[] {
  return [...chainMounts(node), { name: VOL_TMP, mountPath: `${WORK_DIR}/.tmp` }, {
    name: VOL_CONFIG,
    mountPath: `${WORK_DIR}/.config`,
  }];
}

function withMounts(containers: V1Container[], mounts: V1VolumeMount[]): V1Container[] {
  return containers.map((container) => ({ ...container, volumeMounts: cloneJson(mounts) }));
}

// --- template patch, versions, checksum ------------------------------------------------------

/**
 * The podTemplate fields applied by strategic merge (Go podPatch). Lists absent from the template
 * leave the pod's as they are; terminationGracePeriodSeconds defaults to 30.
 */
function podTemplatePatch(node: CosmosFullNode): Record<string, unknown> {
  const tpl = node.spec.podTemplate;
  const patch: Record<string, unknown> = {
    terminationGracePeriodSeconds: tpl.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  };
  if (isSet(tpl.affinity)) patch['affinity'] = tpl.affinity;
  if (isSet(tpl.nodeSelector) && Object.keys(tpl.nodeSelector).length > 0) patch['nodeSelector'] = tpl.nodeSelector;
  if (isSet(tpl.priority)) patch['priority'] = tpl.priority;
  if (isSet(tpl.priorityClassName) && tpl.priorityClassName !== '') patch['priorityClassName'] = tpl.priorityClassName;
  for (const list of ['containers', 'initContainers', 'volumes', 'imagePullSecrets', 'tolerations'] as const) {
    const items = tpl[list];
    if (items !== undefined && items !== null && items.length > 0) patch[list] = items;
  }
  return patch;
}

/** The version's image on `node` and `chain-init`, then its per-container images by name. */
function setVersionedImages(pod: V1Pod, version: ChainVersion): void {
  setChainImage(pod, version.image);
  setImagesByName(pod.spec!.initContainers ?? [], version.initContainers);
  setImagesByName(pod.spec!.containers, version.containers);
}

/** The chain image goes on `node` and `chain-init`; the version label follows it. */
function setChainImage(pod: V1Pod, image: string): void {
  const node = pod.spec!.containers.find((c) => c.name === NODE_CONTAINER);
  if (node !== undefined) node.image = image;
  const init = pod.spec!.initContainers?.find((c) => c.name === CHAIN_INIT_CONTAINER);
  if (init !== undefined) init.image = image;
  pod.metadata!.labels![VERSION_LABEL] = imageVersion(image);
}

function setImagesByName(containers: V1Container[], images: Readonly<Record<string, string>> | null | undefined): void {
  for (const [name, image] of Object.entries(images ?? {})) {
    const container = containers.find((c) => c.name === name);
    if (container !== undefined) container.image = image;
  }
}

/** An override's node selector replaces the pod's; an empty one leaves the pod without (Go omits empty maps). */
function replaceNodeSelector(pod: V1Pod, selector: Readonly<Record<string, string>>): void {
  if (Object.keys(selector).length > 0) pod.spec!.nodeSelector = { ...selector };
  else delete pod.spec!.nodeSelector;
}

function withChecksum(pod: V1Pod, checksums: Readonly<Record<string, string>>, nodeId?: string): V1Pod {
  const name = pod.metadata!.name!;
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: {
        ...pod.metadata!.annotations,
        [CONFIG_CHECKSUM_ANNOTATION]: checksums[name] ?? '',
        ...(nodeId !== undefined ? { [NODE_ID_ANNOTATION]: nodeId } : {}),
      },
    },
  };
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
