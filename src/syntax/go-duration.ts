// Go's time.ParseDuration, exactly: the grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or "0", the same units,
// the same overflow limits and the same error texts. StatefulJob `spec.interval` (metav1.Duration) and
// cron `@every` are parsed by it in the Go operator, so what it rejects we reject.

export type GoDurationResult =
  | { readonly ok: true; readonly nanoseconds: bigint }
  | { readonly ok: false; readonly message: string };

const NANOSECOND = 1n;
const MICROSECOND = 1000n * NANOSECOND;
const MILLISECOND = 1000n * MICROSECOND;
const SECOND = 1000n * MILLISECOND;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NANOSECOND],
  ['us', MICROSECOND],
  ['\u00b5s', MICROSECOND], // U+00B5 micro sign
  ['\u03bcs', MICROSECOND], // U+03BC Greek letter mu
  ['ms', MILLISECOND],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

const LIMIT = 1n << 63n;

/** Nanoseconds in one second, for callers converting a parsed duration. */
export const NANOS_PER_SECOND = SECOND;

export function parseGoDuration(text: string): GoDurationResult {
  const invalid = (): GoDurationResult => ({ ok: false, message: `time: invalid duration ${goQuote(text)}` });
  let s = text;
  let negative = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, nanoseconds: 0n };
  if (s === '') return invalid();
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]!))) return invalid();
    // [0-9]*
    let i = 0;
    let whole = 0n;
    while (i < s.length && isDigit(s[i]!)) {
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
      if (whole > LIMIT) return invalid(); // leadingInt overflow
      i++;
    }
    const consumedWhole = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let fraction = 0n;
    let scale = 1n;
    let consumedFraction = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflowed = false;
      while (j < s.length && isDigit(s[j]!)) {
        // Go stops adding precision on overflow but keeps consuming digits (leadingFraction).
        if (!overflowed) {
          const next = fraction * 10n + BigInt(s.charCodeAt(j) - 48);
          if (fraction > (LIMIT - 1n) / 10n || next > LIMIT) overflowed = true;
          else {
            fraction = next;
            scale *= 10n;
          }
        }
        j++;
      }
      consumedFraction = j > 0;
      s = s.slice(j);
    }
    if (!consumedWhole && !consumedFraction) return invalid();
    // unit: everything up to the next '.' or digit
    let k = 0;
    while (k < s.length && !(s[k] === '.' || isDigit(s[k]!))) k++;
    if (k === 0) return { ok: false, message: `time: missing unit in duration ${goQuote(text)}` };
    const unitName = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS.get(unitName);
    if (unit === undefined) {
      return { ok: false, message: `time: unknown unit ${goQuote(unitName)} in duration ${goQuote(text)}` };
    }
    if (whole > LIMIT / unit) return invalid();
    let value = whole * unit;
    if (fraction > 0n) {
      // Go computes float64(f) * (float64(unit) / scale); reproduce it in floating point.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / Number(scale))));
      if (value > LIMIT) return invalid();
    }
    total += value;
    if (total > LIMIT) return invalid();
  }
  if (negative) return { ok: true, nanoseconds: -total };
  if (total > LIMIT - 1n) return invalid();
  return { ok: true, nanoseconds: total };
}

/** Go's %v of a time.Duration ("24h0m0s", "1.5s", "0s"), used when echoing a parsed value. */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const negative = nanoseconds < 0n;
  let u = negative ? -nanoseconds : nanoseconds;
  let out: string;
  if (u < SECOND) {
    const [unit, name] = u < MICROSECOND
      ? [1n, 'ns']
      : u < MILLISECOND
      ? [MICROSECOND, '\u00b5s']
      : [MILLISECOND, 'ms'];
    out = fixed(u, unit) + name;
  } else {
    const hours = u / HOUR;
    u -= hours * HOUR;
    const minutes = u / MINUTE;
    u -= minutes * MINUTE;
    out = fixed(u, SECOND) + 's';
    if (hours > 0n) out = `${hours}h${minutes}m${out}`;
    else if (minutes > 0n) out = `${minutes}m${out}`;
  }
  return negative ? '-' + out : out;
}

function fixed(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Approximates Go's strconv.Quote for the error texts. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}
