// Fingerprints of what a hand edit can change in a child's content while its revision label stays
// (reconcile/diff.ts, `drifted`): a Service's spec and a ConfigMap's data. The caches keep the
// fingerprint in place of the content (cache-transforms.ts: a ConfigMap's overlays are kilobytes,
// and 1,000 CosmosFullNodes have 4,000 of them), and the controls compare it with the
// fingerprint of the object they want. Pure.
//
// A Service's fingerprint covers the fields the service builder sets, with the API server's
// defaults applied (protocol TCP, targetPort = port, externalTrafficPolicy Cluster on external
// types), and leaves out what the API server allocates (cluster IPs, node ports) or defaults
// without the builder asking (session affinity, IP families): the fingerprint of what the builder
// wants must equal that of what the API server stored, or every pass would "restore" it again.
import type { V1ServiceSpec } from '@kubernetes/client-node';
import { revisionOf } from '../../diff.ts';

/** Where a cached object keeps its content's fingerprint. Never sent to the API server. */
export type Fingerprinted = { contentFingerprint?: string };

export function serviceFingerprint(spec: V1ServiceSpec | undefined): string {
  const type = spec?.type ?? 'ClusterIP';
  const external = type === 'LoadBalancer' || type === 'NodePort';
  return revisionOf({
    type,
    selector: spec?.selector ?? {},
    ports: (spec?.ports ?? []).map((port) => ({
      name: port.name ?? '',
      port: port.port,
      protocol: port.protocol ?? 'TCP',
      targetPort: port.targetPort ?? port.port,
      appProtocol: port.appProtocol ?? null,
    })),
    externalTrafficPolicy: external ? spec?.externalTrafficPolicy ?? 'Cluster' : null,
    publishNotReadyAddresses: spec?.publishNotReadyAddresses ?? false,
  });
}

export function configMapFingerprint(
  cm: { data?: Record<string, string>; binaryData?: Record<string, string> },
): string {
  return revisionOf({ data: cm.data ?? {}, binaryData: cm.binaryData ?? {} });
}

/** The fingerprint a cache transform kept, else the one computed from the object at hand. */
export function fingerprintOf<T>(obj: T & Fingerprinted, compute: (obj: T) => string): string {
  return obj.contentFingerprint ?? compute(obj);
}
