// TOML documents as trees, merged the way the Go operator merged them (github.com/peterbourgon/
// mergemap, docs/compatibility.md §2.5): the source wins, except that two tables under the same key
// merge recursively. Pure.
//
// Integers are BigInt and floats are numbers throughout, so `timeout = 1.0` stays a float and a
// uint64 stays exact when an override passes through parse → merge → stringify.
import { parse, stringify, TomlError, type TomlTable, type TomlValue } from 'smol-toml';
import { permanent, type ReconcileError } from '../../../kube/reconcile-result.ts';

export type { TomlTable, TomlValue };

export function isTomlTable(value: unknown): value is TomlTable {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** A new table: `base` with `overlay` merged over it. Neither input is changed. */
export function mergeToml(base: TomlTable, overlay: TomlTable): TomlTable {
  const merged = copyTable(base);
  for (const key of Object.keys(overlay)) {
    const next = overlay[key]!;
    const previous = Object.hasOwn(merged, key) ? merged[key] : undefined;
    setOwn(merged, key, isTomlTable(previous) && isTomlTable(next) ? mergeToml(previous, next) : deepCopy(next));
  }
  return merged;
}

/** Merges the overlays left to right: the rightmost wins. */
export function mergeAllToml(...tables: TomlTable[]): TomlTable {
  return tables.reduce((merged, table) => mergeToml(merged, table), emptyTable());
}

/** Where an override comes from, for the error a bad one produces. */
export interface OverrideSource {
  /** `spec.chain.config.overrides` or `spec.chain.app.overrides`. */
  field: string;
  /** Go's message, e.g. "invalid toml in comet overrides". */
  what: string;
  /** `namespace/name` of the CosmosFullNode. */
  object?: string;
}

/** Parses a user's TOML override; a syntax error is permanent and names the field. */
export function parseTomlOverride(text: string, source: OverrideSource): TomlTable {
  try {
    return parse(text, { integersAsBigInt: true });
  } catch (error) {
    throw invalidToml(error, source);
  }
}

/** Parses TOML the operator itself wrote (defaults); integers as BigInt like every other tree here. */
export function parseToml(text: string): TomlTable {
  return parse(text, { integersAsBigInt: true });
}

/**
 * TOML text with keys sorted at every level (Go's BurntSushi encoder sorted them too), plain
 * keys before tables, so equal trees always give equal text and so equal ConfigMap revisions.
 */
export function stringifyToml(table: TomlTable): string {
  return stringify(sortTable(table), { numbersAsFloat: true });
}

function invalidToml(error: unknown, source: OverrideSource): ReconcileError {
  const detail = error instanceof TomlError
    ? error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')
    : String(error);
  const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
  return permanent(new Error(`${detail}${where}`, { cause: error }), {
    message: source.what,
    field: source.field,
    reason: 'InvalidToml',
    ...(source.object !== undefined ? { object: source.object } : {}),
  });
}

function sortTable(table: TomlTable): TomlTable {
  const sorted = emptyTable();
  for (const key of Object.keys(table).sort()) setOwn(sorted, key, sortValue(table[key]!));
  return sorted;
}

function sortValue(value: TomlValue): TomlValue {
  if (Array.isArray(value)) return value.map(sortValue);
  if (isTomlTable(value)) return sortTable(value);
  return value;
}

function copyTable(table: TomlTable): TomlTable {
  const copy = emptyTable();
  for (const key of Object.keys(table)) setOwn(copy, key, deepCopy(table[key]!));
  return copy;
}

function deepCopy(value: TomlValue): TomlValue {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (isTomlTable(value)) return copyTable(value);
  return value; // primitives, and TomlDate, which nothing mutates
}

// Tables have no prototype, so a key such as "__proto__" in an override is only a key.
function emptyTable(): TomlTable {
  return Object.create(null) as TomlTable;
}

function setOwn(table: TomlTable, key: string, value: TomlValue): void {
  Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}
