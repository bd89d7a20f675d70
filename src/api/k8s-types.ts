// Embedded Kubernetes types (containers, volumes, affinity, …) come from kube-apiserver v1.35's own
// OpenAPI v3 document (snapshot in k8s-openapi-v1.35.json, see tools/extract-k8s-openapi.ts), never from
// hand-written schemas. Two things are derived from it here:
//   - a loose valibot schema per type, so admission reports wrong types, missing required keys and
//     malformed quantities with field paths, followed by the API server's own semantic rules for
//     the types core-checks.ts covers (tolerations, affinity, resources, containers, volumes);
//   - the structural CRD fragment, inlined (CRDs allow no $ref), keeping the x-kubernetes-* list and
//     map markers the API server understands and dropping what apiextensions rejects.
import * as v from 'valibot';
import snapshot from './k8s-openapi-v1.35.json' with { type: 'json' };
import { parseQuantity } from '../syntax/quantity.ts';
import { CORE_CHECKS } from './core-checks.ts';
import {
  checkAction,
  type Field,
  type FieldCheck,
  fromSchema,
  int64Range,
  object,
  type ObjectOf,
  type OpenApiSchema,
  rejectArrays,
} from './schema-kit.ts';

const SCHEMAS = (snapshot as unknown as { schemas: Record<string, OpenApiSchema> }).schemas;
const REF_PREFIX = '#/components/schemas/';

/** The placeholder key a CRD fragment carries until `inlineK8sRefs` replaces it. */
export const K8S_REF = 'x-cosmos-k8s-ref';
/** On an object: merge the properties of this Kubernetes type into it (Go's `json:",inline"`). */
export const K8S_INLINE = 'x-cosmos-k8s-inline';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The CRD pattern controller-gen emits for resource.Quantity. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const QUANTITY_REGEX = new RegExp(QUANTITY_PATTERN);

export function hasK8sSchema(name: string): boolean {
  return Object.hasOwn(SCHEMAS, name);
}

/** A field of an embedded Kubernetes type, e.g. `k8s<V1Container>('io.k8s.api.core.v1.Container', '…')`. */
export function k8s<T>(name: string, description: string): Field<T> {
  if (!hasK8sSchema(name)) throw new Error(`no schema ${name} in the Kubernetes OpenAPI snapshot`);
  return fromSchema(valibotFor(name) as v.GenericSchema<unknown, T>, { [K8S_REF]: name, description });
}

/**
 * An object with its own fields plus every field of a Kubernetes type inlined, as Go's
 * `corev1.PodSpec \`json:",inline"\`` in AdditionalPodSpec. Own fields win on a name clash.
 * Curried so the Kubernetes type is explicit and the own shape is inferred.
 */
export function withInlined<T>(name: string) {
  return <const S extends { readonly [key: string]: Field<unknown> }>(
    description: string,
    shape: S,
  ): Field<ObjectOf<S> & Omit<T, keyof S>> => {
    const own = object(description, shape);
    const inlined = valibotFor(name) as unknown as { entries: Record<string, v.GenericSchema> };
    const ownEntries = (own.schema as unknown as { entries: Record<string, v.GenericSchema> }).entries;
    const schema = rejectArrays(v.looseObject({ ...inlined.entries, ...ownEntries }, 'object'));
    return fromSchema(schema as unknown as v.GenericSchema<unknown, ObjectOf<S> & Omit<T, keyof S>>, {
      ...own.openapi,
      [K8S_INLINE]: name,
    });
  };
}

/** A resource.Quantity field ("100Gi", 1.5, "500m"). */
export function quantity(description: string): Field<string | number> {
  return fromSchema(valibotFor(QUANTITY) as v.GenericSchema<unknown, string | number>, quantityCrd(description));
}

function quantityCrd(description: string | undefined): OpenApiSchema {
  const out: OpenApiSchema = {
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
    'x-kubernetes-int-or-string': true,
  };
  if (description !== undefined) out['description'] = description;
  return out;
}

// ---------------------------------------------------------------------------------------------
// valibot from OpenAPI

const built = new Map<string, v.GenericSchema>();

function valibotFor(name: string): v.GenericSchema {
  const cached = built.get(name);
  if (cached !== undefined) return cached;
  let schema: v.GenericSchema;
  if (name === QUANTITY) {
    // A number must be an integer: the CRD's int-or-string schema refuses 1.5 (found by
    // test/e2e/admission-property.test.ts, where the webhook admitted what the API server refused).
    schema = v.pipe(
      v.union([v.string('string'), v.pipe(v.number('integer'), v.integer('integer'), int64Range())], 'quantity'),
      checkAction<string | number>((value) => {
        if (typeof value === 'number') return undefined;
        const parsed = parseQuantity(value);
        if (!parsed.ok) return { detail: parsed.message };
        // Go's parser takes "P" or "." as zero; the CRD's pattern (checked by the API server) does not.
        return QUANTITY_REGEX.test(value)
          ? undefined
          : { detail: `quantities must match the regular expression '${QUANTITY_PATTERN}'` };
      }),
    );
  } else if (name === INT_OR_STRING) {
    schema = v.union(
      [v.string('string'), v.pipe(v.number('integer'), v.integer('integer'), int64Range())],
      'integer or string',
    );
  } else {
    schema = valibotForNode(SCHEMAS[name]!);
    // The API server's semantic checks of this type that admission repeats (core-checks.ts).
    const check = CORE_CHECKS[name];
    if (check !== undefined) schema = v.pipe(schema, checkAction(check as FieldCheck<unknown>));
  }
  built.set(name, schema);
  return schema;
}

function refOf(node: OpenApiSchema): string | undefined {
  const direct = node['$ref'];
  if (typeof direct === 'string') return direct.slice(REF_PREFIX.length);
  const allOf = node['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1) {
    const inner = (allOf[0] as OpenApiSchema)['$ref'];
    if (typeof inner === 'string') return inner.slice(REF_PREFIX.length);
  }
  return undefined;
}

function valibotForNode(node: OpenApiSchema): v.GenericSchema {
  const ref = refOf(node);
  if (ref !== undefined) return v.lazy(() => valibotFor(ref));
  switch (node['type']) {
    case 'string':
      return v.string('string');
    case 'integer':
      return v.pipe(v.number('integer'), v.integer('integer'), int64Range());
    case 'number':
      return v.number('number');
    case 'boolean':
      return v.boolean('boolean');
    case 'array':
      return v.array(
        node['items'] === undefined ? v.unknown() : valibotForNode(node['items'] as OpenApiSchema),
        'array',
      );
    case 'object': {
      const properties = node['properties'] as Record<string, OpenApiSchema> | undefined;
      const additional = node['additionalProperties'];
      if (properties === undefined && additional !== undefined && typeof additional === 'object') {
        return rejectArrays(v.record(v.string(), valibotForNode(additional as OpenApiSchema), 'object'));
      }
      const required = new Set((node['required'] as string[] | undefined) ?? []);
      const entries: Record<string, v.GenericSchema> = {};
      for (const [key, child] of Object.entries(properties ?? {})) {
        const schema = valibotForNode(child);
        entries[key] = required.has(key) ? schema : v.nullish(schema);
      }
      return rejectArrays(v.looseObject(entries, 'object'));
    }
    default:
      return v.unknown();
  }
}

// ---------------------------------------------------------------------------------------------
// CRD fragments

export interface InlineOptions {
  /** Cut embedded Kubernetes descriptions to their first sentence (CRDs are stored in etcd, ~1.5 MiB max). */
  readonly shortDescriptions: boolean;
}

/** Replaces every K8S_REF placeholder in a CRD schema by the inlined, structural Kubernetes schema. */
export function inlineK8sRefs(node: OpenApiSchema, options: InlineOptions): OpenApiSchema {
  const out: OpenApiSchema = {};
  const inline = node[K8S_INLINE];
  if (typeof inline === 'string') {
    const { [K8S_INLINE]: _marker, ...own } = node;
    void _marker;
    const merged = crdForComponent(inline, options, []);
    const ownProps = (own['properties'] as Record<string, OpenApiSchema> | undefined) ?? {};
    const properties: Record<string, OpenApiSchema> = { ...(merged['properties'] as Record<string, OpenApiSchema>) };
    for (const [key, child] of Object.entries(ownProps)) properties[key] = child;
    const sorted: Record<string, OpenApiSchema> = {};
    for (const key of Object.keys(properties).sort()) sorted[key] = properties[key]!;
    const requiredKeys = [
      ...new Set([
        ...((own['required'] as string[] | undefined) ?? []),
        ...((merged['required'] as string[] | undefined) ?? []),
      ]),
    ];
    return inlineK8sRefs(
      { ...own, properties: sorted, ...(requiredKeys.length > 0 ? { required: requiredKeys } : {}) },
      options,
    );
  }
  const ref = node[K8S_REF];
  if (typeof ref === 'string') {
    const inlined = crdForComponent(ref, options, []);
    const { description: _ignored, ...rest } = inlined;
    void _ignored;
    return node['description'] === undefined ? inlined : { description: node['description'], ...rest };
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' || key === 'patternProperties') {
      const props: Record<string, OpenApiSchema> = {};
      for (const [name, child] of Object.entries(value as Record<string, OpenApiSchema>)) {
        props[name] = inlineK8sRefs(child, options);
      }
      out[key] = props;
    } else if ((key === 'items' || key === 'additionalProperties') && value !== null && typeof value === 'object') {
      out[key] = inlineK8sRefs(value as OpenApiSchema, options);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function crdForComponent(name: string, options: InlineOptions, stack: readonly string[]): OpenApiSchema {
  if (stack.includes(name)) {
    throw new Error(`recursive Kubernetes schema ${[...stack, name].join(' -> ')} cannot be inlined into a CRD`);
  }
  const component = SCHEMAS[name]!;
  const description = shorten(component['description'], options);
  if (name === QUANTITY) return quantityCrd(description);
  if (name === INT_OR_STRING) {
    return withDescription(
      { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
      description,
    );
  }
  if (name === TIME) return withDescription({ type: 'string', format: 'date-time' }, description);
  if (name === OBJECT_META) {
    // Embedded ObjectMeta (ephemeral volume claim templates) may only carry labels and annotations.
    const props = component['properties'] as Record<string, OpenApiSchema>;
    return withDescription(
      {
        type: 'object',
        properties: {
          annotations: crdForNode(props['annotations']!, options, [...stack, name]),
          labels: crdForNode(props['labels']!, options, [...stack, name]),
        },
      },
      description,
    );
  }
  return crdForNode(component, options, [...stack, name]);
}

const KEPT_KEYS = new Set([
  'type',
  'format',
  'description',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
]);

function crdForNode(node: OpenApiSchema, options: InlineOptions, stack: readonly string[]): OpenApiSchema {
  const ref = refOf(node);
  if (ref !== undefined) {
    const inlined = crdForComponent(ref, options, stack);
    const own = shorten(node['description'], options);
    if (own === undefined) return inlined;
    const { description: _ignored, ...rest } = inlined;
    void _ignored;
    return { description: own, ...rest };
  }
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') {
      const text = shorten(value, options);
      if (text !== undefined) out[key] = text;
    } else if (KEPT_KEYS.has(key)) {
      out[key] = value;
    }
  }
  const properties = node['properties'] as Record<string, OpenApiSchema> | undefined;
  if (properties !== undefined) {
    const props: Record<string, OpenApiSchema> = {};
    for (const key of Object.keys(properties).sort()) props[key] = crdForNode(properties[key]!, options, stack);
    out['properties'] = props;
    const required = node['required'];
    if (Array.isArray(required) && required.length > 0) out['required'] = [...required];
  }
  if (node['items'] !== undefined) {
    const items = crdForNode(node['items'] as OpenApiSchema, options, stack);
    const mapKeys = node['x-kubernetes-list-map-keys'] as string[] | undefined;
    if (mapKeys !== undefined) keepMapKeyDefaults(items, node['items'] as OpenApiSchema, mapKeys);
    out['items'] = items;
  }
  const additional = node['additionalProperties'];
  if (additional !== undefined && typeof additional === 'object' && additional !== null && properties === undefined) {
    out['additionalProperties'] = crdForNode(additional as OpenApiSchema, options, stack);
  }
  return out;
}

/**
 * A list-map key must be required or defaulted (apiextensions validation). The OpenAPI document has
 * defaults everywhere; we drop them (defaults come from the API server's pod defaulting, not the
 * CRD), except on such keys, e.g. `protocol: TCP` on container ports.
 */
function keepMapKeyDefaults(items: OpenApiSchema, source: OpenApiSchema, keys: readonly string[]): void {
  const ref = refOf(source);
  const component = ref === undefined ? source : SCHEMAS[ref]!;
  const required = new Set((component['required'] as string[] | undefined) ?? []);
  const sourceProps = (component['properties'] as Record<string, OpenApiSchema> | undefined) ?? {};
  const props = items['properties'] as Record<string, OpenApiSchema> | undefined;
  if (props === undefined) return;
  for (const key of keys) {
    const defaultValue = sourceProps[key]?.['default'];
    if (!required.has(key) && defaultValue !== undefined && props[key] !== undefined) {
      props[key] = { ...props[key], default: defaultValue };
    }
  }
}

function withDescription(schema: OpenApiSchema, description: string | undefined): OpenApiSchema {
  return description === undefined ? schema : { description, ...schema };
}

function shorten(value: unknown, options: InlineOptions): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (!options.shortDescriptions) return value;
  // First paragraph, first sentence: enough for `kubectl explain`, small enough for etcd.
  const paragraph = value.split('\n\n')[0]!.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(paragraph)?.[1] ?? paragraph;
  return sentence.length > 300 ? sentence.slice(0, 297) + '...' : sentence;
}

/** For field-path formatting: the OpenAPI node of a placeholder, resolved one step. */
export function k8sComponent(name: string): OpenApiSchema | undefined {
  return SCHEMAS[name];
}

export { refOf as k8sRefOf };
