import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type FlagSpec, parseBindAddress, parseFlags } from '../../../src/cli/flags.ts';

const specs: FlagSpec[] = [
  { name: 'metrics-bind-address', type: 'string', default: ':8080', help: '' },
  { name: 'leader-elect', type: 'bool', default: false, help: '' },
  { name: 'log-format', type: 'string', default: 'json', choices: ['json', 'console'], help: '' },
];

describe('parseFlags', () => {
  it('collects every value of a repeatable flag, in order, without touching its default', () => {
    const repeatable: FlagSpec[] = [{ name: 'host', type: 'strings', default: ['a'], help: '' }];
    const parsed = parseFlags(repeatable, ['--host', 'b', '--host=c']);
    assert.deepEqual(parsed.ok && parsed.values['host'], ['a', 'b', 'c']);
    assert.deepEqual(repeatable[0]!.default, ['a']);
  });

  it('returns the defaults when no flag is given', () => {
    const r = parseFlags(specs, []);
    assert.deepEqual(r, {
      ok: true,
      help: false,
      positionals: [],
      values: { 'metrics-bind-address': ':8080', 'leader-elect': false, 'log-format': 'json' },
    });
  });

  it('accepts --name=value and --name value alike', () => {
    const a = parseFlags(specs, ['--metrics-bind-address=127.0.0.1:9000']);
    const b = parseFlags(specs, ['--metrics-bind-address', '127.0.0.1:9000']);
    assert.ok(a.ok && b.ok);
    assert.equal(a.values['metrics-bind-address'], '127.0.0.1:9000');
    assert.equal(b.values['metrics-bind-address'], '127.0.0.1:9000');
  });

  it('treats a bare boolean flag as true and accepts =false as Go does', () => {
    const on = parseFlags(specs, ['--leader-elect']);
    const off = parseFlags(specs, ['--leader-elect=false']);
    assert.ok(on.ok && off.ok);
    assert.equal(on.values['leader-elect'], true);
    assert.equal(off.values['leader-elect'], false);
  });

  it('refuses an unknown flag, naming it', () => {
    assert.deepEqual(parseFlags(specs, ['--metrics-addr=:1']), { ok: false, error: 'unknown flag: --metrics-addr' });
  });

  it('refuses a value outside the allowed choices, listing them', () => {
    const r = parseFlags(specs, ['--log-format=xml']);
    assert.deepEqual(r, { ok: false, error: 'invalid value "xml" for --log-format: must be one of json, console' });
  });

  it('refuses a string flag with no value', () => {
    assert.deepEqual(parseFlags(specs, ['--log-format']), { ok: false, error: 'flag needs an argument: --log-format' });
  });

  it('reports --help without failing', () => {
    const r = parseFlags(specs, ['--help']);
    assert.ok(r.ok && r.help);
  });
});

describe('parseBindAddress', () => {
  it('reads ":8080" as every interface', () => {
    assert.deepEqual(parseBindAddress(':8080'), { host: '0.0.0.0', port: 8080 });
  });
  it('reads a host and port', () => {
    assert.deepEqual(parseBindAddress('127.0.0.1:8443'), { host: '127.0.0.1', port: 8443 });
  });
  it('reads a bracketed IPv6 host', () => {
    assert.deepEqual(parseBindAddress('[::1]:8080'), { host: '::1', port: 8080 });
  });
  it('reads "0" as disabled, as controller-runtime does', () => {
    assert.equal(parseBindAddress('0'), 'disabled');
  });
  it('refuses text that is not host:port', () => {
    assert.ok('error' in (parseBindAddress('8080') as object));
    assert.ok('error' in (parseBindAddress(':99999') as object));
  });
});
