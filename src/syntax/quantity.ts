// Kubernetes resource.Quantity: parse, compare and print like k8s.io/apimachinery/pkg/api/resource.
// Values are held exactly as a count of nano-units (bigint), which is the finest precision a Quantity
// keeps: anything finer is rounded away from zero, as ParseQuantity does. Pure; never throws.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9 (so "1" is 1_000_000_000n and "1Ki" is 1_024_000_000_000n). */
  readonly nanos: bigint;
  /** The suffix family the text used; `formatQuantity` prints in it, as Go's String() does. */
  readonly format: QuantityFormat;
}

export type QuantityResult = { readonly ok: true; readonly quantity: Quantity } | {
  readonly ok: false;
  readonly message: string;
};

// Go's error texts (resource.ErrFormatWrong, ErrSuffix).
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_WRONG = "unable to parse quantity's suffix";

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const SUFFIX_CHARS = 'eEinumkKMGTP';
const NANO = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
/** Beyond this many decimal digits we stop computing exactly (Go keeps going; nobody asks for 10^1000 bytes). */
const MAX_DIGITS = 1000;

export function parseQuantity(text: string): QuantityResult {
  if (text.length === 0) return { ok: false, message: FORMAT_WRONG };
  if (text === '0') return { ok: true, quantity: { nanos: 0n, format: 'DecimalSI' } };
  const parts = splitQuantity(text);
  if (parts === undefined) return { ok: false, message: FORMAT_WRONG };
  const interpreted = interpretSuffix(parts.suffix);
  if (interpreted === undefined) return { ok: false, message: SUFFIX_WRONG };
  let format = interpreted.format;
  const mantissa = BigInt((parts.whole + parts.fraction).replace(/^0+/, '') || '0');
  const exp10 = -parts.fraction.length + (interpreted.base === 10 ? interpreted.exponent : 0);
  const exp2 = interpreted.base === 2 ? interpreted.exponent : 0;
  let magnitude = toNanos(mantissa, exp10 + 9, exp2);
  if (magnitude === undefined) return { ok: false, message: 'quantity is too large' };
  if (format === 'BinarySI' && magnitude > MAX_INT64 * NANO) magnitude = MAX_INT64 * NANO; // Go caps BinarySI
  if (format === 'BinarySI' && magnitude > 0n && magnitude < NANO) format = 'DecimalSI';
  return { ok: true, quantity: { nanos: parts.negative ? -magnitude : magnitude, format } };
}

/** Port of Go's parseQuantityString: splits sign, digits, fraction and suffix; undefined on ErrFormatWrong. */
function splitQuantity(
  str: string,
): { negative: boolean; whole: string; fraction: string; suffix: string } | undefined {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, whole: '0', fraction: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i]!)) i++;
  const whole = str.slice(pos, i) || '0';
  pos = i;
  let fraction = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str[j]!)) j++;
    fraction = str.slice(pos, j);
    pos = j;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos]!)) pos++;
  if (pos < end) return undefined;
  return { negative, whole, fraction, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return undefined; // strconv.ParseInt(…, 64) range error
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' }; // Go's int32() wraps
  }
  return undefined;
}

/** mantissa × 10^exp10 × 2^exp2, rounded up to an integer; undefined when absurdly large. */
function toNanos(mantissa: bigint, exp10: number, exp2: number): bigint | undefined {
  if (mantissa === 0n) return 0n;
  const digits = mantissa.toString().length;
  if (exp10 >= 0) {
    if (digits + exp10 > MAX_DIGITS) return undefined;
    return (mantissa << BigInt(exp2)) * 10n ** BigInt(exp10);
  }
  if (-exp10 > digits + 20 + exp2) return 1n; // far below one nano-unit: Go rounds it up to 1n
  const scaled = mantissa << BigInt(exp2);
  const divisor = 10n ** BigInt(-exp10);
  return (scaled + divisor - 1n) / divisor;
}

/** -1, 0 or 1, by value (the format does not matter: "1Ki" equals "1024"). */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The value rounded up to a whole number of units, like Go's Quantity.Value(). */
export function quantityValue(q: Quantity): bigint {
  const whole = q.nanos / NANO;
  return q.nanos % NANO > 0n ? whole + 1n : whole;
}

/** Go's canonical String(): "1536Mi" for 1.5Gi, "1500m" for 1.5, "100G", "1e3" for DecimalExponent. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const magnitude = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  if (q.format === 'BinarySI' && magnitude >= 1024n * NANO && magnitude % NANO === 0n) {
    let amount = magnitude / NANO;
    let exponent = 0;
    while (amount % 1024n === 0n && exponent < 6) {
      amount /= 1024n;
      exponent++;
    }
    const suffix = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][exponent]!;
    return sign + amount.toString() + suffix;
  }
  // Decimal: move factors of ten into the exponent, then lower it to a multiple of three.
  let amount = magnitude;
  let exponent = -9;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    amount *= 10n;
    exponent--;
  }
  if (q.format === 'DecimalExponent') return sign + amount.toString() + (exponent === 0 ? '' : `e${exponent}`);
  let suffix = [...DECIMAL_SUFFIXES].find(([, e]) => e === exponent)?.[0];
  while (suffix === undefined) {
    // above Exa: keep "E" and grow the number, as no larger SI suffix exists
    amount *= 1000n;
    exponent -= 3;
    suffix = [...DECIMAL_SUFFIXES].find(([, e]) => e === exponent)?.[0];
  }
  return sign + amount.toString() + suffix;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
