// The work-queue key of an object: `namespace/name`, or `name` for a cluster-scoped object
// (client-go's MetaNamespaceKeyFunc).

export type ObjectRef = { namespace?: string | undefined; name: string };

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

export function parseObjectKey(key: string): ObjectRef {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
