// The PVCs a CosmosFullNode wants (docs/compatibility.md §2.10): one per instance not disabled with
// `All`, mounted as the chain home. Pure: observed sizes come in as arguments.
//
// The storage request never shrinks: it is the template size, raised to the self-healing
// autoscaler's request plus 2% filesystem overhead, raised to what the bound volume already has.
// A data source only matters when the PVC is created, so it is returned beside the PVC, outside
// what the revision hash covers, and the control sets it on create only.
import type {
  V1PersistentVolumeClaim,
  V1TypedLocalObjectReference,
  V1VolumeResourceRequirements,
} from '@kubernetes/client-node';
import type { CosmosFullNode, FullNodePersistentVolumeClaimSpec } from '../../../api/cosmosfullnode.ts';
import { formatQuantity, parseQuantity, type Quantity } from '../../../syntax/quantity.ts';
import {
  defaultLabels,
  INSTANCE_LABEL,
  instanceName,
  mergePreserving,
  normalizeMetadata,
  ordinalsOf,
  pvcName,
} from '../../../api/naming.ts';
import { controllerReferences } from './owner-reference.ts';
import { cloneJson } from '../../../api/json-clone.ts';

type QuantityText = string | number;

/** What the PVCs depend on besides the spec, keyed by PVC name. */
export interface PvcObservations {
  /** `status.capacity.storage` of existing PVCs that are Bound and not being deleted. */
  readonly boundCapacity: Readonly<Record<string, QuantityText>>;
  /** `status.selfHealing.pvcAutoScaler[pvc].requestedSize` (see autoScaleRequestsOf). */
  readonly autoScaleRequested: Readonly<Record<string, QuantityText>>;
  /** Data sources found for PVCs about to be created, with the size to restore into. */
  readonly dataSources: Readonly<Record<string, PvcDataSource>>;
}

export interface PvcDataSource {
  readonly ref: V1TypedLocalObjectReference;
  /** The snapshot's restoreSize or the source PVC's capacity; without it the template size is used. */
  readonly size?: QuantityText;
}

/** A desired PVC, its diff ordinal (the instance ordinal) and the data source to set on create only. */
export interface DesiredPvc {
  readonly ordinal: number;
  readonly pvc: V1PersistentVolumeClaim;
  readonly dataSource?: V1TypedLocalObjectReference;
}

/** Filesystem overhead added to an autoscaler request (Go snapshotGrowthFactor, 102/100). */
const PADDING_NUMERATOR = 102n;
const PADDING_DENOMINATOR = 100n;

export function buildPvcs(node: CosmosFullNode, observed: PvcObservations): DesiredPvc[] {
  const out: DesiredPvc[] = [];
  for (const ordinal of ordinalsOf(node)) {
    const instance = instanceName(node, ordinal);
    const override = node.spec.instanceOverrides?.[instance];
    if (override?.disable === 'All') continue;

    const name = pvcName(node, ordinal);
    const template: FullNodePersistentVolumeClaimSpec = override?.volumeClaimTemplate ?? node.spec.volumeClaimTemplate;
    const source = observed.dataSources[name];
    const pvc: V1PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: normalizeMetadata({
        name,
        namespace: node.metadata.namespace,
        labels: mergePreserving(defaultLabels(node, { [INSTANCE_LABEL]: instance }), template.metadata?.labels),
        annotations: mergePreserving({}, template.metadata?.annotations),
        ownerReferences: controllerReferences(node),
      }),
      spec: {
        accessModes:
          template.accessModes !== undefined && template.accessModes !== null && template.accessModes.length > 0
            ? [...template.accessModes]
            : ['ReadWriteOnce'],
        resources: pvcResources(template, name, source, observed),
        storageClassName: template.storageClassName,
        volumeMode: template.volumeMode ?? 'Filesystem',
      },
    };
    out.push(
      source === undefined
        ? { ordinal, pvc: cloneJson(pvc) }
        : { ordinal, pvc: cloneJson(pvc), dataSource: cloneJson(source.ref) },
    );
  }
  return out;
}

/** The autoscaler's requested sizes from the node's status, by PVC name. */
export function autoScaleRequestsOf(node: CosmosFullNode): Record<string, QuantityText> {
  const requests: Record<string, QuantityText> = {};
  for (const [name, entry] of Object.entries(node.status?.selfHealing?.pvcAutoScaler ?? {})) {
    requests[name] = entry.requestedSize;
  }
  return requests;
}

// Upstream BUG (§2.8): Go sized every PVC from the top-level volumeClaimTemplate, even when an
// instance override replaced the template, so an override's size was ignored (on create and on
// resize). Here the resources come from the template in effect for the instance.
function pvcResources(
  template: FullNodePersistentVolumeClaimSpec,
  name: string,
  source: PvcDataSource | undefined,
  observed: PvcObservations,
): V1VolumeResourceRequirements {
  const resources = cloneJson(template.resources) as V1VolumeResourceRequirements;
  const requests = { ...(resources.requests ?? {}) };
  resources.requests = requests;

  if (source !== undefined) {
    if (source.size !== undefined && parsed(source.size) !== undefined) requests['storage'] = String(source.size);
    return resources;
  }

  let storage: { text: string; quantity: Quantity } | undefined = requests['storage'] !== undefined
    ? withQuantity(requests['storage'])
    : undefined;
  const requested = observed.autoScaleRequested[name];
  const requestedQuantity = requested === undefined ? undefined : parsed(requested);
  if (requestedQuantity !== undefined) {
    const padded = padded2Percent(requestedQuantity);
    if (storage === undefined || padded.nanos > storage.quantity.nanos) {
      storage = { text: formatQuantity(padded), quantity: padded };
    }
  }
  const bound = observed.boundCapacity[name];
  const boundQuantity = bound === undefined ? undefined : parsed(bound);
  if (boundQuantity !== undefined && (storage === undefined || boundQuantity.nanos > storage.quantity.nanos)) {
    storage = { text: String(bound), quantity: boundQuantity };
  }
  if (storage !== undefined) requests['storage'] = storage.text;
  return resources;
}

/** requested × 1.02, exactly, rounded up to the nano-unit, in DecimalSI (as Go's inf.Dec product). */
export function padded2Percent(requested: Quantity): Quantity {
  const product = requested.nanos * PADDING_NUMERATOR;
  const nanos = product / PADDING_DENOMINATOR + (product % PADDING_DENOMINATOR > 0n ? 1n : 0n);
  return { nanos, format: 'DecimalSI' };
}

function withQuantity(text: string): { text: string; quantity: Quantity } | undefined {
  const quantity = parsed(text);
  return quantity === undefined ? undefined : { text, quantity };
}

function parsed(value: QuantityText): Quantity | undefined {
  const result = parseQuantity(String(value));
  return result.ok ? result.quantity : undefined;
}
