// Cron syntax of the Go operator: robfig/cron v3 `cron.ParseStandard` (docs/compatibility.md §1.3,
// §7), which ScheduledVolumeSnapshot `spec.schedule` is parsed with. We accept exactly what it
// accepted:
//   - five fields (minute hour day-of-month month day-of-week), each a comma list of
//     `*`, `?`, `N`, `N-M`, with an optional `/step`; month and weekday names (JAN, mon…);
//   - the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly and `@every <Go duration>`;
//   - an optional `CRON_TZ=<zone> ` or `TZ=<zone> ` prefix.
// Six-field (seconds) expressions are rejected, as ParseStandard rejects them. Parsing follows robfig's
// code path by path (including its quirks: `*-x` means `*`, `+5` is 5, an empty comma item is
// ignored), then next-time arithmetic is delegated to cron-parser with the parsed value sets, so
// time zones and DST come from a maintained library. Without a zone the schedule runs in UTC, the
// Go operator's container time zone (§7).
import {
  CronDayOfMonth,
  CronDayOfWeek,
  CronExpression,
  CronFieldCollection,
  CronHour,
  CronMinute,
  CronMonth,
  CronSecond,
} from 'cron-parser';
import { NANOS_PER_SECOND, parseGoDuration } from './go-duration.ts';

export interface Schedule {
  /**
   * The first activation strictly after `from`, or null when the schedule can never fire
   * (for example `0 0 30 2 *`, which robfig accepts but whose Next is the zero time).
   */
  next(from: Date): Date | null;
  /** The time zone the schedule is evaluated in (IANA name). */
  readonly timeZone: string;
}

export type ScheduleResult = { readonly ok: true; readonly schedule: Schedule; next(from: Date): Date | null } | {
  readonly ok: false;
  readonly message: string;
};

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DAYS_OF_WEEK: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** A parsed field: its values, and robfig's "star bit" (set by `*`/`?` without a step above 1). */
interface FieldSet {
  readonly values: number[];
  readonly star: boolean;
}

interface SpecFields {
  readonly minute: FieldSet;
  readonly hour: FieldSet;
  readonly dayOfMonth: FieldSet;
  readonly month: FieldSet;
  readonly dayOfWeek: FieldSet;
}

class ParseError extends Error {
  override readonly name = 'ParseError';
}

export function parseSchedule(text: string): ScheduleResult {
  try {
    const schedule = parseStandard(text);
    return { ok: true, schedule, next: (from: Date) => schedule.next(from) };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, message: error.message };
    return { ok: false, message: `invalid schedule: ${String(error)}` };
  }
}

function parseStandard(input: string): Schedule {
  let spec = input;
  if (spec.length === 0) throw new ParseError('empty spec string');
  let timeZone = 'UTC';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    // robfig slices spec[eq+1:i] with i = -1 when there is no space, and panics.
    if (space < 0) throw new ParseError(`missing schedule after time zone: ${spec}`);
    const name = spec.slice(eq + 1, space);
    timeZone = loadLocation(name);
    spec = trimGoSpace(spec.slice(space));
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, timeZone);
  const fields = splitGoFields(spec);
  if (fields.length !== 5) {
    throw new ParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  const parsed: SpecFields = {
    minute: getField(fields[0]!, MINUTES),
    hour: getField(fields[1]!, HOURS),
    dayOfMonth: getField(fields[2]!, DAYS_OF_MONTH),
    month: getField(fields[3]!, MONTHS),
    dayOfWeek: getField(fields[4]!, DAYS_OF_WEEK),
  };
  return specSchedule(parsed, timeZone);
}

function parseDescriptor(descriptor: string, timeZone: string): Schedule {
  const all = (b: Bounds): FieldSet => ({ values: range(b.min, b.max, 1), star: true });
  const one = (value: number): FieldSet => ({ values: [value], star: false });
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return specSchedule({
        minute: one(0),
        hour: one(0),
        dayOfMonth: one(1),
        month: one(1),
        dayOfWeek: all(DAYS_OF_WEEK),
      }, timeZone);
    case '@monthly':
      return specSchedule({
        minute: one(0),
        hour: one(0),
        dayOfMonth: one(1),
        month: all(MONTHS),
        dayOfWeek: all(DAYS_OF_WEEK),
      }, timeZone);
    case '@weekly':
      return specSchedule({
        minute: one(0),
        hour: one(0),
        dayOfMonth: all(DAYS_OF_MONTH),
        month: all(MONTHS),
        dayOfWeek: one(0),
      }, timeZone);
    case '@daily':
    case '@midnight':
      return specSchedule({
        minute: one(0),
        hour: one(0),
        dayOfMonth: all(DAYS_OF_MONTH),
        month: all(MONTHS),
        dayOfWeek: all(DAYS_OF_WEEK),
      }, timeZone);
    case '@hourly':
      return specSchedule({
        minute: one(0),
        hour: all(HOURS),
        dayOfMonth: all(DAYS_OF_MONTH),
        month: all(MONTHS),
        dayOfWeek: all(DAYS_OF_WEEK),
      }, timeZone);
  }
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    const duration = parseGoDuration(descriptor.slice(every.length));
    if (!duration.ok) throw new ParseError(`failed to parse duration ${descriptor}: ${duration.message}`);
    return everySchedule(duration.nanoseconds, timeZone);
  }
  throw new ParseError(`unrecognized descriptor: ${descriptor}`);
}

/** robfig Every(): at least one second, whole seconds only; Next rounds `from` down to its second. */
function everySchedule(nanoseconds: bigint, timeZone: string): Schedule {
  const seconds = nanoseconds < NANOS_PER_SECOND ? 1n : nanoseconds / NANOS_PER_SECOND;
  const delayMs = Number(seconds) * 1000;
  return {
    timeZone,
    next(from: Date): Date | null {
      const base = Math.floor(from.getTime() / 1000) * 1000;
      const next = new Date(base + delayMs);
      return Number.isNaN(next.getTime()) ? null : next;
    },
  };
}

function specSchedule(fields: SpecFields, timeZone: string): Schedule {
  let collection: CronFieldCollection | undefined;
  try {
    if (
      fields.minute.values.length > 0 && fields.hour.values.length > 0 && fields.dayOfMonth.values.length > 0 &&
      fields.month.values.length > 0 && fields.dayOfWeek.values.length > 0
    ) {
      collection = new CronFieldCollection({
        second: new CronSecond([0]),
        minute: new CronMinute(fields.minute.values as never),
        hour: new CronHour(fields.hour.values as never),
        // robfig: when either day field carries the star bit, both must match; otherwise either may.
        // cron-parser applies the same rule from its `wildcard` flags, which we set from the star bit.
        dayOfMonth: new CronDayOfMonth(fields.dayOfMonth.values as never, { wildcard: fields.dayOfMonth.star }),
        month: new CronMonth(fields.month.values as never),
        dayOfWeek: new CronDayOfWeek(fields.dayOfWeek.values as never, { wildcard: fields.dayOfWeek.star }),
      });
    }
  } catch {
    collection = undefined; // cron-parser refuses day-of-month values no month has: the schedule never fires
  }
  return {
    timeZone,
    next(from: Date): Date | null {
      if (collection === undefined || Number.isNaN(from.getTime())) return null;
      try {
        const expression = new CronExpression(collection, { currentDate: from, tz: timeZone });
        const next = expression.next().toDate();
        // robfig gives up after five years and returns the zero time.
        return next.getTime() - from.getTime() > FIVE_YEARS_MS ? null : next;
      } catch {
        return null;
      }
    },
  };
}

const FIVE_YEARS_MS = 5 * 366 * 24 * 3600 * 1000;

/** robfig getField: a comma list of ranges; empty items (",,") are skipped as strings.FieldsFunc does. */
function getField(field: string, bounds: Bounds): FieldSet {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) {
    if (expr === '') continue;
    const part = getRange(expr, bounds);
    for (const v of part.values) values.add(v);
    star ||= part.star;
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

function getRange(expr: string, bounds: Bounds): FieldSet {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    // robfig ignores anything after "*-" here
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, bounds.names);
    else throw new ParseError(`too many hyphens: ${expr}`);
  }
  let step: number;
  if (rangeAndStep.length === 1) step = 1;
  else if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = bounds.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else throw new ParseError(`too many slashes: ${expr}`);
  if (start < bounds.min) throw new ParseError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new ParseError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new ParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new ParseError(`step of range should be a positive number: ${expr}`);
  return { values: range(start, end, step), star };
}

function parseIntOrName(expr: string, names: Readonly<Record<string, number>> | undefined): number {
  if (names !== undefined) {
    const named = Object.hasOwn(names, expr.toLowerCase()) ? names[expr.toLowerCase()] : undefined;
    if (named !== undefined) return named;
  }
  return mustParseInt(expr);
}

/** strconv.Atoi plus robfig's check for negatives. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) {
    throw new ParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  }
  const value = BigInt(expr);
  if (value > (1n << 63n) - 1n || value < -(1n << 63n)) {
    throw new ParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  }
  if (value < 0n) throw new ParseError(`negative number (${value}) not allowed: ${expr}`);
  // Anything above the field bounds fails the range checks; clamp so the number stays exact.
  return value > 1_000_000n ? 1_000_000 : Number(value);
}

function range(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let i = start; i <= end; i += step) out.push(i);
  return out;
}

/** Go time.LoadLocation: "" and "UTC" are UTC, "Local" is the process zone (UTC in the Go image). */
function loadLocation(name: string): string {
  if (name === '' || name === 'UTC' || name === 'Local') return 'UTC';
  // IANA names only: Intl would also take offsets such as "+01:00", which Go rejects.
  if (/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      return name;
    } catch {
      // fall through
    }
  }
  throw new ParseError(`provided bad location ${name}: unknown time zone ${name}`);
}

/** unicode.IsSpace, which strings.Fields and strings.TrimSpace use (JS \s differs: it has U+FEFF, lacks U+0085). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const GO_SPACES = new RegExp(`${GO_SPACE.source}+`, 'u');

function splitGoFields(text: string): string[] {
  return text.split(GO_SPACES).filter((field) => field !== '');
}

function trimGoSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && GO_SPACE.test(text[start]!)) start++;
  while (end > start && GO_SPACE.test(text[end - 1]!)) end--;
  return text.slice(start, end);
}
