// Cache event handlers that turn a change into work-queue keys (controller-runtime's
// pkg/handler): the object itself, the owner named in its ownerReferences, or any mapping.
// A request is a key, never an event: the reconcile reads the current state from the cache.

import { objectKey } from './object-key.ts';
import type { EventHandlers } from './reflector.ts';
import type { KubeObject } from './resource.ts';

export type Enqueue = (key: string) => void;

/** Every change to an object enqueues the object's own key (EnqueueRequestForObject). */
export function enqueueSelf<T extends KubeObject>(enqueue: Enqueue): EventHandlers<T> {
  return enqueueMapped<T>(enqueue, (o) => [objectKey(o.metadata?.namespace, o.metadata?.name ?? '')]);
}

/**
 * Every change to a child enqueues its owner of the given kind (EnqueueRequestForOwner), e.g.
 * a Pod's CosmosFullNode. `group` matches the owner's apiVersion group; with `controllerOnly`,
 * only the owner reference marked controller counts.
 */
export function enqueueOwner<T extends KubeObject>(
  enqueue: Enqueue,
  owner: { group: string; kind: string; controllerOnly?: boolean },
): EventHandlers<T> {
  return enqueueMapped<T>(enqueue, (o) =>
    (o.metadata?.ownerReferences ?? [])
      .filter((ref) =>
        ref.kind === owner.kind && groupOf(ref.apiVersion) === owner.group &&
        (!owner.controllerOnly || ref.controller === true)
      )
      // Owners are in the child's namespace (cross-namespace owner references are not allowed).
      .map((ref) => objectKey(o.metadata?.namespace, ref.name)));
}

/** Every change enqueues the keys `map` returns; on an update, those of the old and new state. */
export function enqueueMapped<T extends KubeObject>(enqueue: Enqueue, map: (obj: T) => string[]): EventHandlers<T> {
  const each = (obj: T) => {
    for (const key of map(obj)) enqueue(key);
  };
  return {
    onAdd: each,
    // The old state matters when a label or owner changed: the object left one key for another.
    onUpdate: (obj, old) => {
      const keys = new Set([...map(obj), ...map(old)]);
      for (const key of keys) enqueue(key);
    },
    onDelete: each,
  };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
