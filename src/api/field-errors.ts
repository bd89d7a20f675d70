// Turns valibot issues into Kubernetes StatusCauses: field paths in field.Path style
// (`spec.peers[1].address`, `spec.instanceOverrides[node-0].disable`) and messages as
// field.Error.ErrorBody() prints them ("Required value", `Invalid value: "x": must be …`,
// `Unsupported value: "x": supported values: "a", "b"`).
import type * as v from 'valibot';
import { K8S_INLINE, K8S_REF, k8sComponent, k8sRefOf } from './k8s-types.ts';
import type { CauseType, OpenApiSchema } from './schema-kit.ts';

export interface FieldCause {
  readonly type: CauseType;
  readonly field: string;
  readonly message: string;
}

export interface ValidationResult {
  readonly causes: FieldCause[];
  readonly warnings: string[];
}

/** Appends `key` to a Kubernetes field path, as a map key when `asMapKey`. */
export function childPath(parent: string, key: string | number, asMapKey = false): string {
  if (typeof key === 'number' || asMapKey) return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function required(field: string): FieldCause {
  return { type: 'FieldValueRequired', field, message: 'Required value' };
}

export function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${displayValue(value)}: ${detail}` };
}

export function typeInvalid(field: string, value: unknown, expected: string): FieldCause {
  return {
    type: 'FieldValueTypeInvalid',
    field,
    message: `Invalid value: ${JSON.stringify(typeName(value))}: must be of type ${expected}`,
  };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldCause {
  return {
    type: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${displayValue(value)}: ${supportedValues(supported)}`,
  };
}

export function forbidden(field: string, detail: string): FieldCause {
  return { type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
}

export function duplicate(field: string, value: unknown): FieldCause {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${displayValue(value)}` };
}

export function supportedValues(values: readonly string[]): string {
  return `supported values: ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}

const MAX_SHOWN = 64;

/** Go prints strings with %q and numbers and booleans bare; long strings are cut, objects named by type. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN - 3) + '...' : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(typeName(value));
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Maps one valibot issue (from a schema built with schema-kit) to a cause, given the CRD schema it was checked against. */
export function causeFromIssue(issue: v.BaseIssue<unknown>, root: OpenApiSchema, prefix: string): FieldCause {
  const keys = (issue.path ?? []).map((item) => item.key as string | number);
  const field = formatPath(prefix, keys, root);
  const input = issue.input;
  if (issue.kind === 'schema') {
    if (issue.received === 'undefined' && keys.length > 0 && isMissingKey(issue)) return required(field);
    if (issue.type === 'picklist') {
      return {
        type: 'FieldValueNotSupported',
        field,
        message: `Unsupported value: ${displayValue(input)}: ${issue.message}`,
      };
    }
    if (input === undefined || input === null) return required(field);
    return typeInvalid(field, input, issue.message);
  }
  if (issue.type === 'integer') return typeInvalid(field, input, 'integer');
  if (issue.type === 'min_length' && issue.message === 'Required value') return required(field);
  if (issue.type === 'raw_check') {
    const type = (issue.expected ?? 'FieldValueInvalid') as CauseType;
    if (type === 'FieldValueRequired') return required(field);
    if (type === 'FieldValueDuplicate') return duplicate(field, input);
    if (type === 'FieldValueForbidden') return forbidden(field, issue.message);
    if (type === 'FieldValueNotSupported') {
      return { type, field, message: `Unsupported value: ${displayValue(input)}: ${issue.message}` };
    }
    return { type, field, message: `Invalid value: ${displayValue(input)}: ${issue.message}` };
  }
  return invalid(field, input, issue.message);
}

function isMissingKey(issue: v.BaseIssue<unknown>): boolean {
  const last = issue.path?.[issue.path.length - 1];
  if (last === undefined || last.type !== 'object') return false;
  const parent = last.input as Record<string, unknown> | undefined;
  return parent === undefined || parent === null || typeof parent !== 'object' || !(String(last.key) in parent) ||
    parent[String(last.key)] === undefined;
}

/** Walks the CRD schema alongside the keys: struct fields print as `.key`, map keys as `[key]`, items as `[i]`. */
export function formatPath(prefix: string, keys: readonly (string | number)[], root: OpenApiSchema): string {
  let path = prefix;
  let node: OpenApiSchema | undefined = root;
  for (const key of keys) {
    node = resolve(node);
    let properties = node?.['properties'] as Record<string, OpenApiSchema> | undefined;
    const inlined = node?.[K8S_INLINE];
    if (typeof inlined === 'string') {
      properties = { ...(k8sComponent(inlined)?.['properties'] as Record<string, OpenApiSchema>), ...properties };
    }
    if (typeof key === 'string' && properties !== undefined && Object.hasOwn(properties, key)) {
      path = childPath(path, key);
      node = properties[key];
    } else if (node?.['additionalProperties'] !== undefined && typeof node['additionalProperties'] === 'object') {
      path = childPath(path, key, true);
      node = node['additionalProperties'] as OpenApiSchema;
    } else if (node?.['items'] !== undefined || typeof key === 'number') {
      path = childPath(path, typeof key === 'number' ? key : Number.isNaN(Number(key)) ? key : Number(key), true);
      node = node?.['items'] as OpenApiSchema | undefined;
    } else {
      path = childPath(path, key);
      node = undefined;
    }
  }
  return path;
}

/** Follows placeholders and $refs into the Kubernetes snapshot. */
function resolve(node: OpenApiSchema | undefined): OpenApiSchema | undefined {
  let current = node;
  for (let hops = 0; current !== undefined && hops < 8; hops++) {
    const placeholder = current[K8S_REF];
    const ref = typeof placeholder === 'string' ? placeholder : k8sRefOf(current);
    if (ref === undefined) return current;
    current = k8sComponent(ref);
  }
  return current;
}

/** Merges causes, keeping the first per field and message. */
export function dedupe(causes: readonly FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  const out: FieldCause[] = [];
  for (const cause of causes) {
    const key = `${cause.field}\u0000${cause.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(cause);
  }
  return out;
}
