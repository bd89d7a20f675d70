// Writes a CosmosFullNode's status (docs/compatibility.md §2.12) when, and only when, it changed in
// a way that matters (status.ts statusChanged): a CosmosFullNode whose pods' state and heights
// stand still causes no API writes, and heights that move are written at most once a minute. The
// write is a JSON merge patch of the status subresource holding only what differs from the status
// this pass started from, so fields others write meanwhile (status.height from versioncheck,
// scheduledSnapshotStatus from the snapshot controller) are not overwritten with stale copies, and
// no resourceVersion conflict can arise.
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import { mergePatch } from '../../../kube/apply.ts';
import type { ResourceType } from '../../../kube/resource.ts';
import type { RestClient } from '../../../kube/rest.ts';
import { canonicalJson } from '../../diff.ts';
import { apiFailure } from './owned-children.ts';
import { type CosmosFullNodeStatus, statusChanged } from '../build/status.ts';

export const FULL_NODES: ResourceType = {
  group: 'cosmos.strange.love',
  version: 'v1',
  plural: 'cosmosfullnodes',
  kind: 'CosmosFullNode',
  namespaced: true,
};

/**
 * How often heights alone are worth a status write. Upstream wrote status every 5 s; with heights
 * never written on their own, `kubectl get cosmosfullnodes` would show the height of the last
 * change of state, which on a healthy node may be days old.
 */
export const HEIGHT_REFRESH_MS = 60_000;

/** When each CosmosFullNode's status was last written by this process (so its heights). */
export type HeightRefresh = { due(key: string): boolean; wrote(key: string): void; forget(key: string): void };

/**
 * A CosmosFullNode first seen now is due `everyMs` from now, not at once: after a restart the
 * stored heights are a minute old at worst, and a thousand nodes do not all write in the first pass.
 */
export function heightRefresh(everyMs = HEIGHT_REFRESH_MS, now: () => number = Date.now): HeightRefresh {
  const lastWrite = new Map<string, number>();
  return {
    due(key) {
      const last = lastWrite.get(key);
      if (last === undefined) lastWrite.set(key, now());
      return last !== undefined && now() - last >= everyMs;
    },
    wrote: (key) => void lastWrite.set(key, now()),
    forget: (key) => void lastWrite.delete(key),
  };
}

export type StatusControlDeps = { rest: RestClient; heightRefresh?: HeightRefresh };

/** Patches status from `prev` to `next` if statusChanged says so; returns whether it wrote. */
export async function writeStatus(
  deps: StatusControlDeps,
  node: CosmosFullNode,
  prev: CosmosFullNodeStatus | undefined,
  next: CosmosFullNodeStatus,
): Promise<boolean> {
  const key = `${node.metadata.namespace ?? ''}/${node.metadata.name ?? ''}`;
  const heightsDue = deps.heightRefresh?.due(key) ?? false;
  if (!statusChanged(prev, next, node.spec.chain.versions, { heightsDue })) return false;
  const patch = prev === undefined ? next : mergePatchBetween(prev, next);
  try {
    await mergePatch(deps.rest, FULL_NODES, node.metadata.namespace, node.metadata.name ?? '', { status: patch }, {
      subresource: 'status',
    });
  } catch (err) {
    throw apiFailure(err, 'update status of', 'CosmosFullNode', key);
  }
  // Every write carries the heights that changed, whatever prompted it.
  deps.heightRefresh?.wrote(key);
  return true;
}

/**
 * The RFC 7386 merge patch turning `prev` into `next`: changed members set, vanished ones null,
 * arrays replaced whole. Objects are recursed into only down to the maps of the status (sync,
 * height, scheduledSnapshotStatus, selfHealing.pvcAutoScaler); a changed entry is sent whole
 * (with null for its members that went), so its required fields (sync[pod].timestamp) are in the
 * patch even when the cache is behind the server (our own last write not seen yet) and the
 * server lacks the entry, and merging it leaves exactly the new entry.
 */
export function mergePatchBetween(prev: unknown, next: unknown, path: readonly string[] = []): unknown {
  if (!isPlainObject(prev) || !isPlainObject(next)) return next;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const before = prev[key];
    if (before !== undefined && canonicalJson(before) === canonicalJson(value)) continue;
    const here = [...path, key];
    if (isPlainObject(before) && isPlainObject(value)) {
      patch[key] = recursesInto(here) ? mergePatchBetween(before, value, here) : replacing(before, value);
    } else patch[key] = value;
  }
  for (const key of Object.keys(prev)) if (prev[key] !== undefined && next[key] === undefined) patch[key] = null;
  return patch;
}

/** `next` whole, plus null for every member of `prev` it lacks: merging it gives exactly `next`. */
function replacing(prev: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const before = prev[key];
    out[key] = isPlainObject(before) && isPlainObject(value) ? replacing(before, value) : value;
  }
  for (const key of Object.keys(prev)) if (prev[key] !== undefined && next[key] === undefined) out[key] = null;
  return out;
}

/** status.<map> and status.selfHealing.<map> are merged key by key; anything deeper is a whole entry. */
function recursesInto(path: readonly string[]): boolean {
  return path.length === 1 || (path.length === 2 && path[0] === 'selfHealing');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
