import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSchedule } from '../../../src/syntax/cron.ts';
import '../../fixtures/property-seed.ts';

function next(expression: string, from: string): string | null {
  const parsed = parseSchedule(expression);
  assert.ok(parsed.ok, `${expression}: ${parsed.ok ? '' : parsed.message}`);
  return parsed.next(new Date(from))?.toISOString() ?? null;
}

function rejection(expression: string): string {
  const parsed = parseSchedule(expression);
  assert.ok(!parsed.ok, `${expression} should be rejected`);
  return parsed.message;
}

describe('parseSchedule', () => {
  describe('accepts what robfig cron.ParseStandard accepted', () => {
    const accepted = [
      '* * * * *',
      '0 * * * *',
      '*/15 * * * *',
      '0 0 * * ?',
      '? ? ? ? ?',
      '0 9-17 * * 1-5',
      '0 0 1,15 * *',
      '0 0 * JAN,JUL *',
      '0 0 * jan-jun MON-fri',
      '5/10 * * * *',
      '1-30/7 * * * *',
      '0 0 1 * */1',
      '+5 * * * *',
      '00 05 * * *',
      '1,,2 * * * *',
      '*-5 * * * *',
      '0\t0  *\n* *',
      '@yearly',
      '@annually',
      '@monthly',
      '@weekly',
      '@daily',
      '@midnight',
      '@hourly',
      '@every 1h',
      '@every 1h30m',
      '@every 90s',
      '@every 0s',
      'CRON_TZ=UTC 0 0 * * *',
      'TZ=America/New_York 0 9 * * *',
      'CRON_TZ=Europe/Berlin @daily',
      'TZ= 0 0 * * *',
      'TZ=Local 0 0 * * *',
    ];
    for (const expression of accepted) {
      it(`accepts ${JSON.stringify(expression)}`, () => {
        const parsed = parseSchedule(expression);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      });
    }
  });

  describe('rejects what robfig rejected, with its message', () => {
    const rejected: [string, RegExp][] = [
      ['', /^empty spec string$/],
      ['* * * * * *', /^expected exactly 5 fields, found 6: \[\* \* \* \* \* \*\]$/],
      ['0 0 * *', /^expected exactly 5 fields, found 4/],
      ['60 * * * *', /^end of range \(60\) above maximum \(59\): 60$/],
      ['* 24 * * *', /above maximum \(23\)/],
      ['* * 0 * *', /^beginning of range \(0\) below minimum \(1\): 0$/],
      ['* * * 13 *', /above maximum \(12\)/],
      ['0 0 * * 7', /^end of range \(7\) above maximum \(6\): 7$/],
      ['5-1 * * * *', /^beginning of range \(5\) beyond end of range \(1\): 5-1$/],
      ['*/0 * * * *', /^step of range should be a positive number: \*\/0$/],
      ['1-2-3 * * * *', /^too many hyphens: 1-2-3$/],
      ['*/2/3 * * * *', /^too many slashes: \*\/2\/3$/],
      ['L * * * *', /^failed to parse int from L: strconv.Atoi/],
      ['0 0 * * 5#3', /^failed to parse int from 5#3/],
      ['*/-1 * * * *', /^negative number \(-1\) not allowed: -1$/],
      ['0 0 * FOO *', /^failed to parse int from FOO/],
      ['@daily ', /^unrecognized descriptor: @daily $/],
      ['@reboot', /^unrecognized descriptor: @reboot$/],
      ['@every', /^unrecognized descriptor: @every$/],
      ['@every 1d', /^failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"$/],
      ['@every 5', /missing unit/],
      ['CRON_TZ=Mars/Olympus 0 0 * * *', /^provided bad location Mars\/Olympus: unknown time zone Mars\/Olympus$/],
      ['TZ=+01:00 0 0 * * *', /^provided bad location \+01:00/],
      ['TZ=UTC', /missing schedule after time zone/],
      [' @daily', /^expected exactly 5 fields, found 1/],
    ];
    for (const [expression, message] of rejected) {
      it(`rejects ${JSON.stringify(expression)}`, () => {
        assert.match(rejection(expression), message);
      });
    }
  });

  describe('next', () => {
    const cases: [string, string, string | null][] = [
      ['0 * * * *', '2025-03-10T00:00:00Z', '2025-03-10T01:00:00.000Z'],
      ['0 * * * *', '2025-03-10T00:30:00Z', '2025-03-10T01:00:00.000Z'],
      ['* * * * *', '2025-03-10T10:00:59.500Z', '2025-03-10T10:01:00.000Z'],
      ['*/15 * * * *', '2025-03-10T10:17:00Z', '2025-03-10T10:30:00.000Z'],
      ['0 0 * * MON', '2025-03-10T10:00:00Z', '2025-03-17T00:00:00.000Z'],
      ['30 4 1 JAN ?', '2025-03-10T10:00:00Z', '2026-01-01T04:30:00.000Z'],
      ['@hourly', '2025-03-10T10:17:00Z', '2025-03-10T11:00:00.000Z'],
      ['@weekly', '2025-03-10T10:17:00Z', '2025-03-16T00:00:00.000Z'],
      ['@monthly', '2025-03-10T10:17:00Z', '2025-04-01T00:00:00.000Z'],
      ['@every 1h30m', '2025-03-10T10:17:30.750Z', '2025-03-10T11:47:30.000Z'],
      ['@every 500ms', '2025-03-10T10:17:30.750Z', '2025-03-10T10:17:31.000Z'],
      ['CRON_TZ=America/New_York 0 9 * * *', '2025-03-10T10:00:00Z', '2025-03-10T13:00:00.000Z'],
      ['CRON_TZ=America/New_York 0 9 * * *', '2025-01-10T15:00:00Z', '2025-01-11T14:00:00.000Z'],
      // day of month and day of week: either matches when both are restricted, both must when one is *
      ['0 0 13 * FRI', '2025-03-10T00:00:00Z', '2025-03-13T00:00:00.000Z'],
      ['0 0 1-31 * MON', '2025-03-10T10:00:00Z', '2025-03-11T00:00:00.000Z'],
      ['0 0 * * MON', '2025-03-11T00:00:00Z', '2025-03-17T00:00:00.000Z'],
      ['0 0 */1 * MON', '2025-03-11T00:00:00Z', '2025-03-17T00:00:00.000Z'],
      ['0 0 */2 * MON', '2025-03-11T00:00:00Z', '2025-03-13T00:00:00.000Z'],
      ['0 0 29 2 *', '2025-03-10T00:00:00Z', '2028-02-29T00:00:00.000Z'],
      ['0 0 30 2 *', '2025-03-10T00:00:00Z', null],
      ['0 0 31 4,6,9,11 *', '2025-03-10T00:00:00Z', null],
      [', * * * *', '2025-03-10T00:00:00Z', null],
    ];
    for (const [expression, from, expected] of cases) {
      it(`${JSON.stringify(expression)} after ${from} is ${expected ?? 'never'}`, () => {
        assert.equal(next(expression, from), expected);
      });
    }
  });

  it('agrees with a brute-force matcher of robfig semantics on generated expressions', () => {
    fc.assert(
      fc.property(
        fieldArb(0, 59),
        fieldArb(0, 23),
        fieldArb(1, 31),
        fieldArb(1, 12),
        fieldArb(0, 6),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        (mi, h, dom, mo, dow, from) => {
          const expression = [mi, h, dom, mo, dow].map((f) => f.text).join(' ');
          const parsed = parseSchedule(expression);
          assert.ok(parsed.ok, `${expression}: ${parsed.ok ? '' : parsed.message}`);
          const expected = bruteForceNext({ minute: mi, hour: h, dom, month: mo, dow }, from);
          assert.equal(parsed.next(from)?.toISOString() ?? null, expected?.toISOString() ?? null, expression);
        },
      ),
      { numRuns: 300 },
    );
  });
});

interface GeneratedField {
  readonly text: string;
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

/** A field as robfig reads it, with its value set and star bit computed independently of the parser. */
function fieldArb(min: number, max: number): fc.Arbitrary<GeneratedField> {
  const item = fc.oneof(
    fc.constant({ text: '*', values: range(min, max, 1), star: true }),
    fc.integer({ min: 2, max: 9 }).map((step) => ({ text: `*/${step}`, values: range(min, max, step), star: false })),
    fc.integer({ min, max }).map((v) => ({ text: String(v), values: [v], star: false })),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min: 1, max: 5 }))
      .map(([a, b, step]) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return { text: step === 1 ? `${lo}-${hi}` : `${lo}-${hi}/${step}`, values: range(lo, hi, step), star: false };
      }),
  );
  return fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => ({
    text: items.map((i) => i.text).join(','),
    values: new Set(items.flatMap((i) => i.values)),
    star: items.some((i) => i.star),
  }));
}

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i += step) out.push(i);
  return out;
}

/** robfig SpecSchedule.Next in UTC, by walking days, then hours and minutes. */
function bruteForceNext(
  f: { minute: GeneratedField; hour: GeneratedField; dom: GeneratedField; month: GeneratedField; dow: GeneratedField },
  from: Date,
): Date | null {
  const start = new Date(Math.floor(from.getTime() / 60000) * 60000 + 60000);
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let d = 0; d < 366 * 6; d++) {
    const date = new Date(day.getTime() + d * 86400000);
    if (date.getUTCFullYear() > from.getUTCFullYear() + 5) return null;
    if (!f.month.values.has(date.getUTCMonth() + 1)) continue;
    const domMatch = f.dom.values.has(date.getUTCDate());
    const dowMatch = f.dow.values.has(date.getUTCDay());
    const dayMatch = f.dom.star || f.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
    if (!dayMatch) continue;
    for (let h = 0; h < 24; h++) {
      if (!f.hour.values.has(h)) continue;
      for (let m = 0; m < 60; m++) {
        if (!f.minute.values.has(m)) continue;
        const candidate = new Date(date.getTime() + h * 3600000 + m * 60000);
        if (candidate >= start) return candidate;
      }
    }
  }
  return null;
}
