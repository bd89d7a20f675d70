// What every fullnode control shares: which cached objects a CosmosFullNode owns, how API failures
// become classified ReconcileErrors naming the object, and create-or-replace for children whose
// create may race a stale cache. I/O only through the ObjectClient handed in.
//
// "Owned" is the Go operator's field index `.metadata.controller` (docs/compatibility.md §2.1): the
// controller ownerReference is a CosmosFullNode of group cosmos.strange.love with this name.
// Objects the Go operator made carry the same reference (same CR, same uid), so they are adopted as
// they are.
import { FULL_NODE_KIND, GROUP } from '../../../api/cosmosfullnode.ts';
import { apiStatusOf, classifyApiError, statusCodeOf } from '../../../kube/api-errors.ts';
import type { ObjectClient } from '../../../kube/objects.ts';
import type { KubeObject } from '../../../kube/resource.ts';
import type { StoreReader } from '../../../kube/store.ts';
import { isReconcileError, permanent, ReconcileError, transient } from '../../../kube/reconcile-result.ts';

/** The name of the CosmosFullNode that controls `obj`, if any. */
export function controllingFullNode(obj: KubeObject): string | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (ref === undefined || ref.kind !== FULL_NODE_KIND || !ref.apiVersion.startsWith(`${GROUP}/`)) {
    return undefined;
  }
  return ref.name;
}

/** The index key of a child caches (StoreOptions.index): `namespace/name` of its CosmosFullNode. */
export function controllerIndexKey(obj: KubeObject): string | undefined {
  const owner = controllingFullNode(obj);
  return owner === undefined ? undefined : `${obj.metadata?.namespace ?? ''}/${owner}`;
}

/** Cached objects in the node's namespace controlled by the node; the store is indexed by controllerIndexKey. */
export function ownedBy<T extends KubeObject>(
  store: StoreReader<T>,
  node: { metadata: { namespace?: string; name?: string } },
): T[] {
  return store.byIndex(`${node.metadata.namespace ?? ''}/${node.metadata.name ?? ''}`);
}

export function keyOfObject(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** A failed API call as a ReconcileError: "create Pod (ns/name): 422 Invalid: …". */
export function apiFailure(err: unknown, verb: string, kind: string, obj: KubeObject | string): ReconcileError {
  const object = typeof obj === 'string' ? obj : keyOfObject(obj);
  const context = { object, message: `${verb} ${kind}` };
  return classifyApiError(err, 'write') === 'permanent' ? permanent(err, context) : transient(err, context);
}

export function isAlreadyExists(err: unknown): boolean {
  return statusCodeOf(err) === 409 && apiStatusOf(err)?.reason === 'AlreadyExists';
}

/**
 * Creates `obj`; when it already exists (the cache had not seen it yet), reads the current one and
 * replaces it with `obj` at that resourceVersion. A 409 Conflict on the replace is left to the
 * caller: transient, the next pass sees the newer object.
 */
export async function createOrReplace<T extends KubeObject>(
  client: ObjectClient<T>,
  obj: T,
): Promise<'created' | 'replaced'> {
  try {
    await client.create(obj);
    return 'created';
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await client.get(obj.metadata?.namespace, obj.metadata?.name ?? '');
  if (existing === undefined) {
    await client.create(obj);
    return 'created';
  }
  await client.replace(withIdentityOf(obj, existing));
  return 'replaced';
}

/** `obj` with the identity of `existing` (resourceVersion, uid), as the diff does for updates. */
export function withIdentityOf<T extends KubeObject>(obj: T, existing: KubeObject): T {
  const metadata = {
    ...obj.metadata,
    resourceVersion: existing.metadata?.resourceVersion,
    uid: existing.metadata?.uid,
  };
  if (metadata.ownerReferences === undefined && existing.metadata?.ownerReferences !== undefined) {
    metadata.ownerReferences = existing.metadata.ownerReferences;
  }
  return { ...obj, metadata };
}

/** What applyChildDiff writes: a revision diff, perhaps with some objects held back. */
export type ChildWrites<T extends KubeObject> = {
  creates: readonly T[];
  updates: readonly T[];
  deletes?: readonly T[];
};

/**
 * Writes a diff of one kind of child: creates (create-or-replace, in case the cache had not seen
 * the object yet), full replaces (a PUT, so fields the operator no longer sets are dropped) and
 * deletes with a uid precondition (never a newer object of the same name). Every write is tried;
 * the failures, each naming its object, are collected into `errors`.
 */
export async function applyChildDiff<T extends KubeObject>(
  client: ObjectClient<T>,
  kind: string,
  writes: ChildWrites<T>,
  errors: unknown[],
): Promise<void> {
  const attempt = (verb: string, write: (obj: T) => Promise<unknown>) => async (obj: T) => {
    try {
      await write(obj);
    } catch (err) {
      throw apiFailure(err, verb, kind, obj);
    }
  };
  await eachCollecting(writes.creates, attempt('create', (obj) => createOrReplace(client, obj)), errors);
  await eachCollecting(writes.updates, attempt('update', (obj) => client.replace(obj)), errors);
  await eachCollecting(
    writes.deletes ?? [],
    attempt(
      'delete',
      (obj) =>
        client.delete(obj.metadata?.namespace, obj.metadata?.name ?? '', { preconditions: { uid: obj.metadata?.uid } }),
    ),
    errors,
  );
}

/** Runs every step, collecting failures instead of stopping at the first (Go's control loops). */
export async function eachCollecting<T>(
  items: readonly T[],
  step: (item: T) => Promise<void>,
  errors: unknown[],
): Promise<void> {
  for (const item of items) {
    try {
      await step(item);
    } catch (err) {
      errors.push(err);
    }
  }
}

/**
 * One error for several (Go's aggregate): permanent if any part is, since retrying cannot fix that
 * part (§2.12); the message lists every part. Errors that are not ReconcileErrors count as transient.
 */
export function combineErrors(errors: readonly unknown[]): ReconcileError | undefined {
  if (errors.length === 0) return undefined;
  const all = errors.map((err) => (isReconcileError(err) ? err : transient(err, 'reconcile')));
  if (all.length === 1) return all[0];
  const kind = all.some((err) => err.kind === 'permanent') ? 'permanent' : 'transient';
  const first = all.find((err) => err.kind === kind)!;
  return new ReconcileError(kind, all.map((err) => err.message).join('; '), {
    object: first.object,
    reason: first.reason,
  }, new AggregateError(all));
}

/** Throws the combined error of `errors`, if any. */
export function throwCollected(errors: readonly unknown[]): void {
  const err = combineErrors(errors);
  if (err !== undefined) throw err;
}

/** The parts combineErrors joined (the error itself when it is not a combination). */
export function errorParts(err: ReconcileError): ReconcileError[] {
  return err.cause instanceof AggregateError ? err.cause.errors.filter(isReconcileError) : [err];
}
