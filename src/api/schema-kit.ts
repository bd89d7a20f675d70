// The one source of the API's shape. Each builder returns a Field: a valibot schema (what admission
// checks, with Kubernetes-style messages) and the OpenAPI v3 fragment of the CRD (with the field's
// description, bounds, enums and list/map markers), so the webhook and the CRD cannot drift apart.
// TypeScript types are inferred from the fields (`Infer<typeof field>`).
import * as v from 'valibot';

/** A structural-schema node (apiextensions.k8s.io/v1 JSONSchemaProps, as JSON). */
export type OpenApiSchema = { [key: string]: unknown };

/** Kubernetes field.ErrorType values, as they appear in a StatusCause. */
export type CauseType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong';

/** A problem a field check found; `path` is relative to the checked value. */
export interface FieldProblem {
  readonly type?: CauseType;
  /** The text after "Invalid value: <value>: ", e.g. "must be a quantity". */
  readonly detail: string;
  readonly path?: readonly (string | number)[];
  /** The offending value when it is not the checked value itself (with `path`). */
  readonly value?: unknown;
}

export type FieldCheck<T> = (value: T) => FieldProblem | readonly FieldProblem[] | undefined;

export interface Field<T> {
  readonly schema: v.GenericSchema<unknown, T>;
  readonly openapi: OpenApiSchema;
  readonly optional?: true;
}

export type Infer<F> = F extends Field<infer T> ? T : never;

type Shape = { readonly [key: string]: Field<unknown> };
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
// deno-lint-ignore ban-types
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<
  { -readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { -readonly [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

// Messages double as the expected type (for "must be of type …") or as the cause detail.
const TYPE = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  object: 'object',
  array: 'array',
} as const;

/** Marks a field as optional: absent and null are both accepted (the API server prunes nulls). */
export function optional<T>(field: Field<T>): Field<T> & { readonly optional: true } {
  return { ...field, optional: true };
}

interface Common<T> {
  /** Extra CRD-only markers (x-kubernetes-map-type, …). */
  readonly crd?: OpenApiSchema;
  /** Semantic checks the CRD cannot express; run by admission only. */
  readonly check?: FieldCheck<T>;
}

export function str(
  description: string,
  options: Common<string> & { minLength?: number; pattern?: RegExp; patternDetail?: string; format?: string } = {},
): Field<string> {
  const actions: v.PipeItem<string, string, v.BaseIssue<unknown>>[] = [];
  if (options.minLength !== undefined) {
    actions.push(
      v.minLength(
        options.minLength,
        options.minLength === 1 ? 'Required value' : `must be at least ${options.minLength} characters long`,
      ),
    );
  }
  if (options.pattern !== undefined) {
    actions.push(
      v.regex(
        options.pattern,
        options.patternDetail ?? `must match the regular expression '${options.pattern.source}'`,
      ),
    );
  }
  const openapi: OpenApiSchema = { type: 'string', description };
  if (options.format !== undefined) openapi['format'] = options.format;
  if (options.minLength !== undefined) openapi['minLength'] = options.minLength;
  if (options.pattern !== undefined) openapi['pattern'] = options.pattern.source;
  return finish(v.string(TYPE.string), actions, openapi, options);
}

export function enumOf<const T extends readonly [string, ...string[]]>(
  description: string,
  values: T,
  options: Common<T[number]> = {},
): Field<T[number]> {
  const supported = `supported values: ${values.map((value) => JSON.stringify(value)).join(', ')}`;
  return finish(v.picklist(values, supported), [], { type: 'string', description, enum: [...values] }, options);
}

/**
 * JSON integers beyond int64 reach the API server's schema check as floats and are refused
 * ("must be of type integer"), so every integer the webhook admits must fit in an int64 (found by
 * test/e2e/admission-property.test.ts: the webhook admitted activeDeadlineSeconds 1e21).
 */
export const int64Range = (): v.PipeItem<number, number, v.BaseIssue<unknown>> =>
  v.check<number, string>(
    (n) => n >= -(2 ** 63) && n < 2 ** 63,
    'must be between -9223372036854775808 and 9223372036854775807',
  );

interface IntOptions extends Common<number> {
  readonly minimum?: number;
  readonly maximum?: number;
}

const INT_FORMATS = {
  int32: { format: 'int32', min: -2147483648, max: 2147483647 },
  int64: { format: 'int64', min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  uint32: { format: 'int32', min: 0, max: 4294967295 },
  uint64: { format: 'int64', min: 0, max: Number.MAX_SAFE_INTEGER },
} as const;

function integerField(kind: keyof typeof INT_FORMATS, description: string, options: IntOptions): Field<number> {
  const range = INT_FORMATS[kind];
  const minimum = options.minimum ?? (range.min === 0 ? 0 : undefined);
  const maximum = options.maximum ?? (kind === 'int32' || kind === 'uint32' ? range.max : undefined);
  const actions: v.PipeItem<number, number, v.BaseIssue<unknown>>[] = [v.integer(TYPE.integer)];
  if (kind === 'int64' || kind === 'uint64') actions.push(int64Range());
  if (minimum !== undefined) actions.push(v.minValue(minimum, `must be greater than or equal to ${minimum}`));
  if (maximum !== undefined) actions.push(v.maxValue(maximum, `must be less than or equal to ${maximum}`));
  const openapi: OpenApiSchema = { type: 'integer', format: range.format, description };
  if (minimum !== undefined) openapi['minimum'] = minimum;
  if (maximum !== undefined) openapi['maximum'] = maximum;
  return finish(v.number(TYPE.integer), actions, openapi, options);
}

export const int32 = (description: string, options: IntOptions = {}): Field<number> =>
  integerField('int32', description, options);
export const int64 = (description: string, options: IntOptions = {}): Field<number> =>
  integerField('int64', description, options);
export const uint32 = (description: string, options: IntOptions = {}): Field<number> =>
  integerField('uint32', description, options);
export const uint64 = (description: string, options: IntOptions = {}): Field<number> =>
  integerField('uint64', description, options);

export function bool(description: string): Field<boolean> {
  return finish(v.boolean(TYPE.boolean), [], { type: 'boolean', description }, {});
}

/** A string or an integer (Kubernetes IntOrString). */
export function intOrString(description: string, options: Common<number | string> = {}): Field<number | string> {
  const schema = v.union(
    [v.string(TYPE.string), v.pipe(v.number(TYPE.integer), v.integer(TYPE.integer), int64Range())],
    'integer or string',
  );
  return finish(schema, [], {
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    description,
  }, options);
}

/** An RFC 3339 timestamp (metav1.Time). */
export function dateTime(description: string): Field<string> {
  return str(description, { format: 'date-time' });
}

export function object<const S extends Shape>(
  description: string,
  shape: S,
  options: Common<ObjectOf<S>> = {},
): Field<ObjectOf<S>> {
  const entries: Record<string, v.GenericSchema> = {};
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    entries[key] = field.optional ? v.nullish(field.schema) : field.schema;
    properties[key] = field.openapi;
    if (!field.optional) required.push(key);
  }
  const openapi: OpenApiSchema = { type: 'object', description, properties };
  if (required.length > 0) openapi['required'] = required;
  return finish(
    rejectArrays(v.looseObject(entries, TYPE.object)) as unknown as v.GenericSchema<unknown, ObjectOf<S>>,
    [],
    openapi,
    options,
  );
}

/** A map with string keys (a Go map[string]T); its keys print in brackets in field paths. */
export function record<T>(
  description: string,
  value: Field<T>,
  options: Common<Record<string, T>> = {},
): Field<Record<string, T>> {
  const { description: _drop, ...valueSchema } = value.openapi;
  void _drop;
  return finish(
    rejectArrays(v.record(v.string(), value.schema, TYPE.object)) as v.GenericSchema<unknown, Record<string, T>>,
    [],
    { type: 'object', description, additionalProperties: valueSchema },
    options,
  );
}

export function stringMap(
  description: string,
  options: Common<Record<string, string>> = {},
): Field<Record<string, string>> {
  return record(description, str(''), options);
}

export function list<T>(
  description: string,
  item: Field<T>,
  options: Common<T[]> & { listType?: 'atomic' | 'set' | 'map'; mapKeys?: readonly string[] } = {},
): Field<T[]> {
  const { description: _drop, ...items } = item.openapi;
  void _drop;
  const openapi: OpenApiSchema = { type: 'array', description, items };
  if (options.listType !== undefined) openapi['x-kubernetes-list-type'] = options.listType;
  if (options.mapKeys !== undefined) openapi['x-kubernetes-list-map-keys'] = [...options.mapKeys];
  return finish(v.array(item.schema, TYPE.array), [], openapi, options);
}

/**
 * valibot's object and record schemas take arrays for objects; JSON (and Kubernetes) does not.
 * The wrapper keeps the schema's shape (entries stay reachable) and reports an array as a type error.
 */
export function rejectArrays<S extends v.GenericSchema>(schema: S): S {
  const run = schema['~run'].bind(schema);
  return {
    ...schema,
    '~run'(dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>) {
      if (Array.isArray(dataset.value)) {
        v._addIssue(schema as never, 'type', dataset, config);
        return dataset as never;
      }
      return run(dataset, config);
    },
  } as S;
}

/** Wraps a schema built elsewhere (the embedded Kubernetes types) as a field. */
export function fromSchema<T>(
  schema: v.GenericSchema<unknown, T>,
  openapi: OpenApiSchema,
  options: Common<T> = {},
): Field<T> {
  return finish(schema, [], openapi, options);
}

function finish<T>(
  base: v.GenericSchema<unknown, T>,
  actions: v.PipeItem<T, T, v.BaseIssue<unknown>>[],
  openapi: OpenApiSchema,
  options: Common<T>,
): Field<T> {
  const all = [...actions];
  if (options.check !== undefined) all.push(checkAction(options.check));
  const schema = all.length === 0
    ? base
    : (v.pipe(base, ...(all as [v.PipeItem<T, T, v.BaseIssue<unknown>>])) as unknown as v.GenericSchema<unknown, T>);
  return { schema, openapi: options.crd === undefined ? openapi : { ...openapi, ...options.crd } };
}

/** The same field with one more admission check (for checks that need the narrowed object type). */
export function withCheck<F extends Field<unknown>>(field: F, check: FieldCheck<Infer<F>>): F {
  const schema = v.pipe(field.schema, checkAction(check as FieldCheck<unknown>)) as unknown as F['schema'];
  return { ...field, schema };
}

/** A valibot action running a FieldCheck; the cause type travels in the issue's `expected`. */
export function checkAction<T>(check: FieldCheck<T>): v.PipeItem<T, T, v.BaseIssue<unknown>> {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const found = check(dataset.value);
    if (found === undefined) return;
    const problems: readonly FieldProblem[] = Array.isArray(found) ? found : [found as FieldProblem];
    for (const problem of problems) {
      const path = problem.path === undefined || problem.path.length === 0
        ? undefined
        : pathItems(dataset.value, problem.path);
      addIssue({
        message: problem.detail,
        expected: problem.type ?? 'FieldValueInvalid',
        input: problem.path === undefined ? dataset.value : problem.value,
        ...(path === undefined ? {} : { path }),
      });
    }
  });
}

function pathItems(root: unknown, keys: readonly (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] {
  const items: v.IssuePathItem[] = [];
  let current: unknown = root;
  for (const key of keys) {
    const value = current !== null && typeof current === 'object'
      ? (current as Record<string | number, unknown>)[key]
      : undefined;
    items.push(
      typeof key === 'number'
        ? { type: 'array', origin: 'value', input: current as unknown[], key, value }
        : { type: 'object', origin: 'value', input: current as Record<string, unknown>, key, value },
    );
    current = value;
  }
  return items as [v.IssuePathItem, ...v.IssuePathItem[]];
}
