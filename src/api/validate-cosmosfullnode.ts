// Validation of a CosmosFullNode: the schema (types, enums, bounds, TOML, quantities, maxUnavailable,
// dataSource, version order) plus cross-field and update rules. Pure; any JSON value in, never throws.
// Every rule is listed in docs/validation.md.
import { fullNodeSpec } from './cosmosfullnode.ts';
import { defaultCosmosFullNode } from './defaults.ts';
import {
  childPath,
  duplicate,
  type FieldCause,
  forbidden,
  invalid,
  required,
  type ValidationResult,
} from './field-errors.ts';
import { CREATED_BY, CREATED_BY_LABEL, fullNodePodNames, toName } from './naming.ts';
import { compareQuantities, formatQuantity, parseQuantity, type Quantity } from '../syntax/quantity.ts';
import { at, checkSpec, isObject, type JsonObject, result } from './validate-spec.ts';
import { childRules } from './validate-fullnode-children.ts';

export function validateCosmosFullNode(obj: unknown, old?: unknown): ValidationResult {
  const checked = checkSpec(obj, fullNodeSpec);
  const causes: FieldCause[] = [...checked.causes];
  const warnings: string[] = [];
  const spec = checked.raw;
  if (spec !== undefined) {
    const name = at(obj, 'metadata', 'name');
    crossFieldRules(spec, typeof name === 'string' && name !== '' ? name : undefined, causes, warnings);
    childRules(spec, causes);
    if (old !== undefined && old !== null) updateRules(defaultCosmosFullNode(obj), defaultCosmosFullNode(old), causes);
  }
  const createdBy = at(obj, 'metadata', 'labels', CREATED_BY_LABEL);
  if (typeof createdBy === 'string' && createdBy !== CREATED_BY) {
    // The Go operator copied it onto the children (docs/compatibility.md §2.2); we keep our own
    // (labels.ts, defaultLabels).
    warnings.push(
      `metadata.labels[${CREATED_BY_LABEL}]: ${JSON.stringify(createdBy)} is not copied to the children, which keep ${
        JSON.stringify(CREATED_BY)
      } so the operator can find them`,
    );
  }
  return result(causes, warnings);
}

function crossFieldRules(spec: JsonObject, name: string | undefined, causes: FieldCause[], warnings: string[]): void {
  const replicas = typeof spec['replicas'] === 'number' && Number.isInteger(spec['replicas'])
    ? spec['replicas']
    : undefined;
  const startRaw = at(spec, 'ordinals', 'start');
  const start = startRaw === undefined || startRaw === null
    ? 0
    : typeof startRaw === 'number' && Number.isInteger(startRaw)
    ? startRaw
    : undefined;
  const versions = Array.isArray(at(spec, 'chain', 'versions')) ? (at(spec, 'chain', 'versions') as unknown[]) : [];

  // §2.9 / §5: a node below the first version's height has no image to run.
  const firstHeight = at(versions, 0, 'height');
  if (typeof firstHeight === 'number' && firstHeight !== 0) {
    warnings.push(
      `spec.chain.versions[0].height: is ${firstHeight}, not 0: a node whose data is below that height (a new node without a snapshot) finds no version to run and its version check fails`,
    );
  }
  if (
    versions.length > 0 && at(spec, 'chain', 'app', 'haltHeight') !== undefined &&
    at(spec, 'chain', 'app', 'haltHeight') !== null
  ) {
    warnings.push(
      'spec.chain.app.haltHeight: is ignored because spec.chain.versions is set; the versions decide the halt height',
    );
  }

  // The chain container needs an image from somewhere (§2.4): podTemplate.image, versions, a "node"
  // container entry, or an instance override for every pod.
  const podImage = at(spec, 'podTemplate', 'image');
  const containers = at(spec, 'podTemplate', 'containers');
  const nodeContainerImage = Array.isArray(containers) &&
    containers.some((c) => isObject(c) && c['name'] === 'node' && typeof c['image'] === 'string' && c['image'] !== '');
  if (
    isObject(spec['podTemplate']) && (podImage === undefined || podImage === null) && versions.length === 0 &&
    !nodeContainerImage && replicas !== undefined && replicas > 0 && start !== undefined
  ) {
    const overrides = at(spec, 'instanceOverrides');
    const everyPodOverridden = name !== undefined &&
      isObject(overrides) &&
      [...Array(Math.min(replicas, 10_000)).keys()].every((i) => {
        const override = overrides[toName(`${toName(name)}-${start + i}`)];
        return isObject(override) && typeof override['image'] === 'string' && override['image'] !== '';
      });
    if (!everyPodOverridden) causes.push(required('spec.podTemplate.image'));
  }

  // §2.11: the Go diff panics on duplicate pod names.
  const additional = at(spec, 'additionalVersionedPods');
  const additionalNames: string[] = [];
  if (Array.isArray(additional)) {
    const seen = new Set<string>();
    additional.forEach((pod, index) => {
      const podName = at(pod, 'name');
      if (typeof podName !== 'string' || podName === '') return;
      const field = `spec.additionalVersionedPods[${index}].name`;
      if (seen.has(podName)) causes.push(duplicate(field, podName));
      else if (name !== undefined && toName(podName) === toName(name)) {
        causes.push(
          invalid(
            field,
            podName,
            `must differ from the CosmosFullNode's name: the pods "${podName}-<ordinal>" would collide with the main pods`,
          ),
        );
      }
      seen.add(podName);
      additionalNames.push(podName);
    });
  }

  // instanceOverrides keys are pod names; one that names no pod is most likely a typo.
  const overrides = at(spec, 'instanceOverrides');
  if (isObject(overrides) && name !== undefined && replicas !== undefined && start !== undefined) {
    const pods = fullNodePodNames(name, start, replicas, additionalNames);
    const app = toName(name);
    const range = replicas === 0
      ? 'there are no pods'
      : replicas === 1
      ? `the pod is ${app}-${start}`
      : `pods are ${app}-${start} to ${app}-${start + replicas - 1}`;
    for (const key of Object.keys(overrides)) {
      if (!pods.has(key)) {
        warnings.push(
          `${
            childPath('spec.instanceOverrides', key, true)
          }: names no pod of this CosmosFullNode (${range}); the override has no effect`,
        );
      }
    }
  }

  const selector = at(spec, 'volumeClaimTemplate', 'autoDataSource', 'volumeSnapshotSelector');
  if (
    isObject(at(spec, 'volumeClaimTemplate', 'autoDataSource')) &&
    (!isObject(selector) || Object.keys(selector).length === 0)
  ) {
    warnings.push(
      'spec.volumeClaimTemplate.autoDataSource.volumeSnapshotSelector: is empty, so autoDataSource has no effect',
    );
  }

  // A Deployment may have maxUnavailable 0 only with a maxSurge above 0; there is no surge here (a
  // pod is replaced in place), so 0 would block every update: it is taken as 1, as the Go operator
  // did. Negative values are refused by the schema (field-checks.ts, integerOrPercent).
  const maxUnavailable = at(spec, 'strategy', 'maxUnavailable');
  if (maxUnavailable === 0 || (typeof maxUnavailable === 'string' && /^0+%$/.test(maxUnavailable))) {
    warnings.push(
      `spec.strategy.maxUnavailable: ${
        JSON.stringify(maxUnavailable)
      } is treated as 1: at least one pod is always allowed to be unavailable during an update`,
    );
  }

  const increase = at(spec, 'selfHeal', 'pvcAutoScale', 'increaseQuantity');
  if (typeof increase === 'string') {
    const parsed = increase.endsWith('%') ? undefined : parseQuantity(increase);
    const zero = increase.endsWith('%') ? /^0+%$/.test(increase) : parsed?.ok === true && parsed.quantity.nanos <= 0n;
    if (zero) {
      warnings.push(`spec.selfHeal.pvcAutoScale.increaseQuantity: ${JSON.stringify(increase)} does not grow the PVCs`);
    }
  }
  const maxSize = quantityAt(spec, 'selfHeal', 'pvcAutoScale', 'maxSize');
  const storage = quantityAt(spec, 'volumeClaimTemplate', 'resources', 'requests', 'storage');
  if (
    maxSize !== undefined && storage !== undefined && maxSize.nanos > 0n && compareQuantities(maxSize, storage) <= 0
  ) {
    warnings.push(
      `spec.selfHeal.pvcAutoScale.maxSize: ${formatQuantity(maxSize)} is not above the requested storage ${
        formatQuantity(storage)
      }, so PVCs are never grown`,
    );
  }
}

/** Rules that compare with the stored object (both defaulted, so a Go-created object compares fairly). */
function updateRules(next: unknown, previous: unknown, causes: FieldCause[]): void {
  comparePvcTemplates(
    'spec.volumeClaimTemplate',
    at(next, 'spec', 'volumeClaimTemplate'),
    at(previous, 'spec', 'volumeClaimTemplate'),
    causes,
  );
  const nextOverrides = at(next, 'spec', 'instanceOverrides');
  const previousOverrides = at(previous, 'spec', 'instanceOverrides');
  if (isObject(nextOverrides) && isObject(previousOverrides)) {
    for (const [key, override] of Object.entries(nextOverrides)) {
      const before = previousOverrides[key];
      if (!isObject(override) || !isObject(before)) continue;
      const path = `${childPath('spec.instanceOverrides', key, true)}.volumeClaimTemplate`;
      comparePvcTemplates(path, override['volumeClaimTemplate'], before['volumeClaimTemplate'], causes);
    }
  }
}

function comparePvcTemplates(path: string, next: unknown, previous: unknown, causes: FieldCause[]): void {
  if (!isObject(next) || !isObject(previous)) return;
  // PVC spec fields the API server does not let the operator change (§2.10).
  for (const key of ['storageClassName', 'volumeMode'] as const) {
    if (previous[key] !== undefined && next[key] !== undefined && next[key] !== previous[key]) {
      causes.push(invalid(`${path}.${key}`, next[key], 'field is immutable'));
    }
  }
  if (
    Array.isArray(next['accessModes']) && Array.isArray(previous['accessModes']) &&
    JSON.stringify(next['accessModes']) !== JSON.stringify(previous['accessModes'])
  ) {
    causes.push(invalid(`${path}.accessModes`, next['accessModes'], 'field is immutable'));
  }
  const nextSize = quantityAt(next, 'resources', 'requests', 'storage');
  const previousSize = quantityAt(previous, 'resources', 'requests', 'storage');
  if (nextSize !== undefined && previousSize !== undefined && compareQuantities(nextSize, previousSize) < 0) {
    causes.push(
      forbidden(
        `${path}.resources.requests[storage]`,
        `field can not be less than previous value (${formatQuantity(previousSize)}): PVCs never shrink`,
      ),
    );
  }
}

function quantityAt(value: unknown, ...keys: string[]): Quantity | undefined {
  const raw = at(value, ...keys);
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    const parsed = parseQuantity(String(raw));
    return parsed.ok ? parsed.quantity : undefined;
  }
  if (typeof raw !== 'string') return undefined;
  const parsed = parseQuantity(raw);
  return parsed.ok ? parsed.quantity : undefined;
}
