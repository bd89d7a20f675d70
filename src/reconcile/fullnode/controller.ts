// The CosmosFullNode controller as leader-only work: the caches it reads (the CRs and every kind
// of child), the CometBFT status cache, and the workers running reconcile.ts. Reads come from the
// caches, writes go to the API server.
//
// Triggers (controller-runtime's For + Owns): every CosmosFullNode event enqueues its key; every
// event of a child enqueues the CosmosFullNode named by its controller ownerReference; the status
// cache enqueues on a material change of a pod's CometBFT state. Child caches hold only objects
// labelled app.kubernetes.io/created-by=cosmos-operator (what the operator, Go or ours, made), and
// every child kind but Secrets only the fields the controls read (cache-transforms.ts), to keep
// memory lean. VolumeSnapshots are cached when
// their API is served (the CRD is optional: without it autoDataSource finds nothing).
import type { Registry } from 'prom-client';
import { FULL_NODE_KIND, GROUP } from '../../api/cosmosfullnode.ts';
import { COSMOS_FULL_NODE } from '../../api/kinds.ts';
import { createStatusCache, type StatusCache } from '../../cosmos/status-cache.ts';
import { describeApiError, statusCodeOf } from '../../kube/api-errors.ts';
import type { KubeClient } from '../../kube/client.ts';
import { createController, type LeaderWork } from '../../kube/controller.ts';
import { enqueueOwner, enqueueSelf } from '../../kube/triggers.ts';
import { createEventRecorder, type EventRecorder } from '../../kube/events.ts';
import { type Cache, createCache } from '../../kube/reflector.ts';
import { type KubeObject, resources, type ResourceType } from '../../kube/resource.ts';
import type { StoreReader } from '../../kube/store.ts';
import type { Logger } from '../../log/log.ts';
import { metadataOnly, slimConfigMap, slimPod, slimPvc, slimService } from './cache-transforms.ts';
import { haltHeightFor } from './build/halt-height.ts';
import { CREATED_BY, CREATED_BY_LABEL } from '../../api/naming.ts';
import type { ConfigMapObject, SecretObject } from './control/node-key-collector.ts';
import { controllerIndexKey, controllingFullNode, ownedBy } from './control/owned-children.ts';
import type { PodObject } from './control/pod-control.ts';
import { type PvcObject, VOLUME_SNAPSHOTS, type VolumeSnapshotObject } from './control/pvc-control.ts';
import { createFullNodeReconciler, type FullNodeObject } from './reconcile.ts';
import { heightRefresh } from './control/status-control.ts';
import type { ServiceObject } from './control/service-control.ts';
import type { SidecarImage } from './build/sidecar.ts';
import { selectVersionIndex } from './build/version-select.ts';

export const CONTROLLER_NAME = 'cosmosfullnode';

export type FullNodeControllerOptions = {
  kube: KubeClient;
  log: Logger;
  registry?: Registry;
  /** Image and command of the healthcheck/version-check containers; default the Go operator's. */
  sidecar?: SidecarImage;
  /** Watch one namespace only; all namespaces when unset. */
  namespace?: string;
  /** Concurrent reconciles; default 4 (one key is never reconciled twice at once). */
  workers?: number;
  /** CometBFT polling; upstream: every 5 s, 5 s timeout. */
  comet?: { intervalMs?: number; timeoutMs?: number; heightNotifyIntervalMs?: number };
  /** How often moving heights alone are written to status; default a minute (status-control.ts). */
  statusHeightRefreshMs?: number;
  /** Defaults to a recorder writing core/v1 Events from component CosmosFullNode, as upstream's recorder. */
  events?: EventRecorder;
};

const FULL_NODES: ResourceType = {
  group: COSMOS_FULL_NODE.group,
  version: COSMOS_FULL_NODE.version,
  plural: COSMOS_FULL_NODE.plural,
  kind: COSMOS_FULL_NODE.kind,
  namespaced: true,
};

export function createFullNodeController(opts: FullNodeControllerOptions): LeaderWork {
  return { name: CONTROLLER_NAME, run: (signal) => runFullNodeController(opts, signal) };
}

async function runFullNodeController(opts: FullNodeControllerOptions, signal: AbortSignal): Promise<void> {
  const { kube } = opts;
  const rest = kube.rest;
  const log = opts.log.child({ controller: CONTROLLER_NAME });
  const selection = { ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}) };
  const cache = <T extends KubeObject>(
    type: ResourceType,
    extra: { labelSelector?: string; transform?: (obj: T) => T; index?: (obj: T) => string | undefined } = {},
  ) => createCache<T>(rest, { type, log, ...selection, ...extra });
  // Children are indexed by their CosmosFullNode (ownedBy reads the index).
  const owned = { ...selection, labelSelector: `${CREATED_BY_LABEL}=${CREATED_BY}`, index: controllerIndexKey };

  const fullNodes = cache<FullNodeObject>(FULL_NODES);
  const pods = cache<PodObject>(resources.pods, { ...owned, transform: slimPod });
  const pvcs = cache<PvcObject>(resources.persistentVolumeClaims, { ...owned, transform: slimPvc });
  const configMaps = cache<ConfigMapObject>(resources.configMaps, { ...owned, transform: slimConfigMap });
  const services = cache<ServiceObject>(resources.services, { ...owned, transform: slimService });
  const secrets = cache<SecretObject>(resources.secrets, owned);
  const serviceAccounts = cache<KubeObject>(resources.serviceAccounts, { ...owned, transform: metadataOnly });
  const roles = cache<KubeObject>(resources.roles, { ...owned, transform: metadataOnly });
  const roleBindings = cache<KubeObject>(resources.roleBindings, { ...owned, transform: metadataOnly });
  const snapshotsServed = await isServed(kube, VOLUME_SNAPSHOTS, log);
  const volumeSnapshots = snapshotsServed ? cache<VolumeSnapshotObject>(VOLUME_SNAPSHOTS) : undefined;
  const children: Cache<KubeObject>[] = [
    pods,
    pvcs,
    configMaps,
    services,
    secrets,
    serviceAccounts,
    roles,
    roleBindings,
  ] as unknown as Cache<KubeObject>[];
  const all: Cache<KubeObject>[] = [
    fullNodes as unknown as Cache<KubeObject>,
    ...children,
    ...(volumeSnapshots ? [volumeSnapshots as unknown as Cache<KubeObject>] : []),
  ];

  const events = opts.events ?? createEventRecorder({ rest, log, component: 'CosmosFullNode' });
  let enqueue: (key: string) => void = () => {};
  const statusCache = fullNodeStatusCache({
    fullNodes,
    pods,
    onChange: (namespace, name) => enqueue(`${namespace}/${name}`),
    log,
    ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
    ...(opts.comet ?? {}),
  });
  const controller = createController({
    name: CONTROLLER_NAME,
    reconcile: createFullNodeReconciler({
      fullNodes,
      pods,
      pvcs,
      configMaps,
      services,
      secrets,
      serviceAccounts,
      roles,
      roleBindings,
      volumeSnapshots,
      podClient: kube.objects<PodObject>(resources.pods),
      pvcClient: kube.objects<PvcObject>(resources.persistentVolumeClaims),
      configMapClient: kube.objects<ConfigMapObject>(resources.configMaps),
      serviceClient: kube.objects<ServiceObject>(resources.services),
      secretClient: kube.objects<SecretObject>(resources.secrets),
      serviceAccountClient: kube.objects(resources.serviceAccounts),
      roleClient: kube.objects(resources.roles),
      roleBindingClient: kube.objects(resources.roleBindings),
      volumeSnapshotClient: snapshotsServed ? kube.objects<VolumeSnapshotObject>(VOLUME_SNAPSHOTS) : undefined,
      rest,
      heightRefresh: heightRefresh(opts.statusHeightRefreshMs),
      statusCache,
      events,
      ...(opts.sidecar !== undefined ? { sidecar: opts.sidecar } : {}),
    }),
    workers: opts.workers ?? 4,
    log: opts.log,
    ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
  });
  enqueue = (key) => controller.enqueue(key);

  fullNodes.subscribe(enqueueSelf(enqueue));
  const toOwner = enqueueOwner<KubeObject>(enqueue, { group: GROUP, kind: FULL_NODE_KIND, controllerOnly: true });
  for (const child of children) child.subscribe(toOwner);
  // A pod that just got an IP is asked for its /status now rather than at the next 5 s tick, so
  // a rollout or a new node moves on as soon as it answers.
  pods.subscribe({
    onUpdate: (pod, old) => {
      const owner = controllingFullNode(pod);
      if (owner !== undefined && pod.status?.podIP && pod.status.podIP !== old.status?.podIP) {
        statusCache.refresh(pod.metadata?.namespace ?? '', owner);
      }
    },
  });

  for (const c of all) c.start();
  const stopCaches = () => Promise.all(all.map((c) => c.stop()));
  try {
    await Promise.race([Promise.all(all.map((c) => c.synced())), aborted(signal)]);
  } catch (err) {
    await stopCaches();
    throw err;
  }
  if (signal.aborted) {
    await stopCaches();
    return;
  }
  log.info('caches synced; starting workers', { fullNodes: fullNodes.size(), volumeSnapshots: snapshotsServed });

  const statusLoop = statusCache.run(signal);
  const workers = controller.run();
  await aborted(signal);
  log.info('stopping');
  await controller.stop();
  await workers;
  await statusLoop;
  await stopCaches();
  await events.flush();
  log.info('stopped');
}

/** Whether the API server serves `type` (discovery needs no RBAC of its own). */
async function isServed(kube: KubeClient, type: ResourceType, log: Logger): Promise<boolean> {
  try {
    const list = await kube.rest.request<{ resources?: { name?: string }[] }>({
      method: 'GET',
      path: `/apis/${type.group}/${type.version}`,
    });
    return (list.resources ?? []).some((r) => r.name === type.plural);
  } catch (err) {
    if (statusCodeOf(err) !== 404) {
      log.warn('cannot tell whether VolumeSnapshots are served; going without', { error: describeApiError(err) });
    } else log.info('VolumeSnapshots are not served; autoDataSource will find nothing');
    return false;
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * The CometBFT status cache over the pod cache. A height change reaches the reconciler at once
 * when it moves a pod across a chain.versions height (new image or halt height,
 * docs/compatibility.md §2.9), else at most every heightNotifyIntervalMs.
 */
function fullNodeStatusCache(opts: {
  fullNodes: StoreReader<FullNodeObject>;
  pods: StoreReader<PodObject>;
  onChange(namespace: string, name: string): void;
  log: Logger;
  registry?: Registry;
  intervalMs?: number;
  timeoutMs?: number;
  heightNotifyIntervalMs?: number;
}): StatusCache {
  const { fullNodes, pods, ...rest } = opts;
  return createStatusCache({
    ...rest,
    listPods: (namespace, name) => ownedBy(pods, { metadata: { namespace, name } }),
    heightMatters(namespace, name, _pod, previous, next) {
      if (previous === undefined) return true;
      const versions = fullNodes.get(namespace, name)?.spec.chain.versions ?? [];
      if (versions.length === 0) return false;
      // status.height holds height + 1 (§2.9).
      return selectVersionIndex(versions, previous + 1) !== selectVersionIndex(versions, next + 1) ||
        haltHeightFor(versions, previous + 1) !== haltHeightFor(versions, next + 1);
    },
  });
}
