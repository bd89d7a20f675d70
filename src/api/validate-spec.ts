// The part of validation every kind shares: any JSON value in, causes with Kubernetes field paths out.
import * as v from 'valibot';
import {
  causeFromIssue,
  dedupe,
  type FieldCause,
  required,
  typeInvalid,
  type ValidationResult,
} from './field-errors.ts';
import type { Field } from './schema-kit.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a nested value without trusting any level of it. */
export function at(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export interface SpecCheck<T> {
  /** Causes from the schema (types, required fields, enums, bounds, field checks). */
  readonly causes: FieldCause[];
  /** The spec when the schema accepted it, for the cross-field rules. */
  readonly spec: T | undefined;
  /** The raw spec object, when there is one (cross-field rules may still read it defensively). */
  readonly raw: JsonObject | undefined;
}

export function checkSpec<T>(obj: unknown, field: Field<T>): SpecCheck<T> {
  if (!isObject(obj)) {
    return {
      causes: [obj === undefined || obj === null ? required('spec') : typeInvalid('spec', obj, 'object')],
      spec: undefined,
      raw: undefined,
    };
  }
  const spec = obj['spec'];
  if (spec === undefined || spec === null) return { causes: [required('spec')], spec: undefined, raw: undefined };
  let result: ReturnType<typeof v.safeParse<typeof field.schema>>;
  try {
    result = v.safeParse(field.schema, spec, { abortEarly: false });
  } catch (error) {
    // A bug in a check must never turn into a 500: report it on the spec.
    return {
      causes: [{ type: 'FieldValueInvalid', field: 'spec', message: `Internal error: ${String(error)}` }],
      spec: undefined,
      raw: isObject(spec) ? spec : undefined,
    };
  }
  const causes = result.success ? [] : result.issues.map((issue) => causeFromIssue(issue, field.openapi, 'spec'));
  return { causes, spec: result.success ? (result.output as T) : undefined, raw: isObject(spec) ? spec : undefined };
}

export function result(causes: readonly FieldCause[], warnings: readonly string[]): ValidationResult {
  return { causes: dedupe(causes), warnings: [...new Set(warnings)] };
}
