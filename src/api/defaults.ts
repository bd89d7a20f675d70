// Defaults of the three kinds, in one place: the defaulting webhook persists them and the
// reconcilers apply them to what they read (objects the Go operator left behind carry none).
//
// Two kinds of default (docs/compatibility.md §1.1):
//   - PERSISTED: written into the object by `default*()`. Only those whose presence does not change
//     what the Go operator builds: for them "unset" and "set to the default" give the same children.
//   - BUILDER: `FULL_NODE_BUILDER_DEFAULTS`, used by the builders when the field is unset but never
//     written into the object, because the Go operator's output differs between unset and set:
//     logLevel/logFormat add `--log_level`/`--log_format` flags and kebab-case TOML keys (§2.4,
//     §2.5); maxInboundPeers/maxOutboundPeers and corsAllowedOrigins add TOML keys only when set;
//     databaseBackend adds `-b` to versioncheck (§2.4).
// All functions are pure (they return a copy), total (any JSON in, no throw) and idempotent.
import { cloneJson } from './json-clone.ts';
import { parseGoDuration } from '../syntax/go-duration.ts';

export const FULL_NODE_DEFAULTS = {
  ordinalsStart: 0,
  type: 'FullNode',
  homeDir: 'cosmos',
  sentryPrivvalSleepSeconds: 10,
  terminationGracePeriodSeconds: 30,
  probeStrategy: 'InSync',
  maxUnavailable: '25%',
  accessModes: ['ReadWriteOnce'],
  volumeMode: 'Filesystem',
  volumeRetentionPolicy: 'Delete',
  maxP2PExternalAddresses: 1,
  clusterDomain: 'cluster.local',
  pruningNumber: 0,
} as const;

/** Values the builders assume when these fields are unset; see the header for why they are not persisted. */
export const FULL_NODE_BUILDER_DEFAULTS = {
  rpcListenAddress: 'tcp://0.0.0.0:26657',
  p2pListenAddress: 'tcp://0.0.0.0:26656',
  rpcPort: 26657,
  p2pPort: 26656,
  maxInboundPeers: 20,
  maxOutboundPeers: 20,
  corsAllowedOrigins: [] as readonly string[],
  logLevel: 'info',
  logFormat: 'plain',
  databaseBackend: 'goleveldb',
} as const;

export const SNAPSHOT_DEFAULTS = {
  minAvailable: 2,
  limit: 3,
  deletePod: false,
  suspend: false,
} as const;

export const STATEFUL_JOB_DEFAULTS = {
  interval: '24h',
  activeDeadlineSeconds: 86400,
  backoffLimit: 5,
  ttlSecondsAfterFinished: 900,
  restartPolicy: 'Never',
} as const;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The object at `key`, created when unset; undefined when something else is there (left for validation). */
function child(parent: JsonObject, key: string): JsonObject | undefined {
  const value = parent[key];
  if (isUnset(value)) {
    const created: JsonObject = {};
    parent[key] = created;
    return created;
  }
  return isObject(value) ? value : undefined;
}

function setIfUnset(target: JsonObject | undefined, key: string, value: unknown): void {
  if (target !== undefined && isUnset(target[key])) target[key] = cloneJson(value);
}

function cloneSpec<T>(obj: T): { copy: T; spec: JsonObject | undefined } {
  if (!isObject(obj)) return { copy: obj, spec: undefined };
  const copy = cloneJson(obj) as T & JsonObject;
  const spec = isObject(copy['spec']) ? copy['spec'] : undefined;
  return { copy, spec };
}

export function defaultCosmosFullNode<T>(obj: T): T {
  const { copy, spec } = cloneSpec(obj);
  if (spec === undefined) return copy;
  setIfUnset(child(spec, 'ordinals'), 'start', FULL_NODE_DEFAULTS.ordinalsStart);
  setIfUnset(spec, 'type', FULL_NODE_DEFAULTS.type);
  const chain = isObject(spec['chain']) ? spec['chain'] : undefined;
  setIfUnset(chain, 'homeDir', FULL_NODE_DEFAULTS.homeDir);
  if (spec['type'] === 'Sentry') setIfUnset(chain, 'privvalSleepSeconds', FULL_NODE_DEFAULTS.sentryPrivvalSleepSeconds);
  const pruning = chain !== undefined && isObject(chain['app']) && isObject(chain['app']['pruning'])
    ? chain['app']['pruning']
    : undefined;
  for (const key of ['interval', 'keepEvery', 'keepRecent', 'minRetainBlocks']) {
    setIfUnset(pruning, key, FULL_NODE_DEFAULTS.pruningNumber);
  }

  const podTemplate = isObject(spec['podTemplate']) ? spec['podTemplate'] : undefined;
  setIfUnset(podTemplate, 'terminationGracePeriodSeconds', FULL_NODE_DEFAULTS.terminationGracePeriodSeconds);
  if (podTemplate !== undefined) setIfUnset(child(podTemplate, 'probes'), 'strategy', FULL_NODE_DEFAULTS.probeStrategy);

  setIfUnset(child(spec, 'strategy'), 'maxUnavailable', FULL_NODE_DEFAULTS.maxUnavailable);
  defaultPvcTemplate(spec['volumeClaimTemplate']);
  const overrides = spec['instanceOverrides'];
  if (isObject(overrides)) {
    for (const override of Object.values(overrides)) {
      if (isObject(override)) defaultPvcTemplate(override['volumeClaimTemplate']);
    }
  }
  setIfUnset(spec, 'volumeRetentionPolicy', FULL_NODE_DEFAULTS.volumeRetentionPolicy);
  const service = child(spec, 'service');
  setIfUnset(service, 'maxP2PExternalAddresses', FULL_NODE_DEFAULTS.maxP2PExternalAddresses);
  setIfUnset(service, 'clusterDomain', FULL_NODE_DEFAULTS.clusterDomain);
  return copy;
}

function defaultPvcTemplate(template: unknown): void {
  if (!isObject(template)) return;
  if (
    isUnset(template['accessModes']) || (Array.isArray(template['accessModes']) && template['accessModes'].length === 0)
  ) {
    template['accessModes'] = [...FULL_NODE_DEFAULTS.accessModes];
  }
  setIfUnset(template, 'volumeMode', FULL_NODE_DEFAULTS.volumeMode);
}

export function defaultScheduledVolumeSnapshot<T>(obj: T): T {
  const { copy, spec } = cloneSpec(obj);
  if (spec === undefined) return copy;
  // Only unset values: 0 stays 0 so that validation rejects it as the Go CRD did (minimum 1).
  setIfUnset(spec, 'minAvailable', SNAPSHOT_DEFAULTS.minAvailable);
  setIfUnset(spec, 'limit', SNAPSHOT_DEFAULTS.limit);
  setIfUnset(spec, 'deletePod', SNAPSHOT_DEFAULTS.deletePod);
  setIfUnset(spec, 'suspend', SNAPSHOT_DEFAULTS.suspend);
  return copy;
}

export function defaultStatefulJob<T>(obj: T): T {
  const { copy, spec } = cloneSpec(obj);
  if (spec === undefined) return copy;
  setIfUnset(spec, 'interval', STATEFUL_JOB_DEFAULTS.interval);
  const jobTemplate = child(spec, 'jobTemplate');
  setIfUnset(jobTemplate, 'activeDeadlineSeconds', STATEFUL_JOB_DEFAULTS.activeDeadlineSeconds);
  setIfUnset(jobTemplate, 'backoffLimit', STATEFUL_JOB_DEFAULTS.backoffLimit);
  setIfUnset(jobTemplate, 'ttlSecondsAfterFinished', STATEFUL_JOB_DEFAULTS.ttlSecondsAfterFinished);
  const podTemplate = isObject(spec['podTemplate']) ? spec['podTemplate'] : undefined;
  const podSpec = podTemplate !== undefined && isObject(podTemplate['spec']) ? podTemplate['spec'] : undefined;
  if (podSpec !== undefined && (isUnset(podSpec['restartPolicy']) || podSpec['restartPolicy'] === '')) {
    podSpec['restartPolicy'] = STATEFUL_JOB_DEFAULTS.restartPolicy;
  }
  return copy;
}

// Runtime readings of values the Go operator treats as unset when they are zero or below (§1.3, §1.4).
// The webhook does not rewrite such values (a mutating webhook should not change what the user set).

export function snapshotMinAvailable(spec: { minAvailable?: number | null }): number {
  const value = spec.minAvailable;
  return typeof value === 'number' && value > 0 ? value : SNAPSHOT_DEFAULTS.minAvailable;
}

export function snapshotLimit(spec: { limit?: number | null }): number {
  const value = spec.limit;
  return typeof value === 'number' && value > 0 ? value : SNAPSHOT_DEFAULTS.limit;
}

/** `spec.interval` in milliseconds; unset, unparsable, zero or negative mean 24h. */
export function statefulJobIntervalMs(spec: { interval?: string | null }): number {
  const parsed = typeof spec.interval === 'string' ? parseGoDuration(spec.interval) : undefined;
  if (parsed === undefined || !parsed.ok || parsed.nanoseconds <= 0n) return 24 * 3600 * 1000;
  return Number(parsed.nanoseconds / 1_000_000n);
}

/** RPC port from `rpcListenAddress`: the text after the last ":", else 26657 (§1.1). */
export function rpcPort(rpcListenAddress: string | undefined | null): number {
  return portOf(rpcListenAddress, FULL_NODE_BUILDER_DEFAULTS.rpcPort);
}

/** P2P port from `p2pListenAddress`: the text after the last ":", else 26656 (§1.1). */
export function p2pPort(p2pListenAddress: string | undefined | null): number {
  return portOf(p2pListenAddress, FULL_NODE_BUILDER_DEFAULTS.p2pPort);
}

function portOf(address: string | undefined | null, fallback: number): number {
  if (address === undefined || address === null || address === '') return fallback;
  const text = address.slice(address.lastIndexOf(':') + 1);
  // strconv.ParseInt(…, 10, 32): optional sign, decimal digits, int32 range
  if (!/^[+-]?[0-9]+$/.test(text)) return fallback;
  const port = Number(text);
  return port >= -2147483648 && port <= 2147483647 ? port : fallback;
}
