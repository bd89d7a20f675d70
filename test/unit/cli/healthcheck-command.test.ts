// `cosmos-operator healthcheck`'s flags (docs/compatibility.md §4): Go's names and defaults, and
// every bad value refused at start with a message naming the flag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from '../../../src/cli/flags.ts';
import {
  healthcheckFlags,
  healthcheckOptionsFromFlags,
  runHealthcheckCommand,
} from '../../../src/cli/healthcheck-command.ts';

function options(argv: string[]) {
  const parsed = parseFlags(healthcheckFlags, argv);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return healthcheckOptionsFromFlags(parsed.values);
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runHealthcheckCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('cosmos-operator healthcheck flags', () => {
  it("defaults to Go's: every interface on 1251, http://localhost:26657, 5 s; JSON logs", () => {
    assert.deepEqual(options([]), {
      listen: { host: undefined, port: 1251 },
      rpcHost: 'http://localhost:26657',
      rpc: { host: 'localhost', port: 26657 },
      timeoutMs: 5000,
      logFormat: 'json',
    });
  });

  it("takes the pod builder's arguments: --rpc-host http://localhost:<rpc port>", () => {
    const o = options(['--rpc-host', 'http://localhost:36657']);
    assert.ok(!('error' in o));
    assert.deepEqual(o.rpc, { host: 'localhost', port: 36657 });
    assert.equal(o.rpcHost, 'http://localhost:36657');
  });

  it('reads --rpc-host without a port as port 80, an IPv6 host without brackets, and ignores a path', () => {
    const port80 = options(['--rpc-host=http://node.example']);
    assert.ok(!('error' in port80));
    assert.deepEqual(port80.rpc, { host: 'node.example', port: 80 });
    const v6 = options(['--rpc-host=http://[::1]:26657/some/path']);
    assert.ok(!('error' in v6));
    assert.deepEqual(v6.rpc, { host: '::1', port: 26657 });
    assert.equal(v6.rpcHost, 'http://[::1]:26657/some/path', 'echoed as given');
  });

  it('parses --timeout as a Go duration', () => {
    for (const [text, ms] of [['1.5s', 1500], ['300ms', 300], ['1m', 60_000], ['2h45m', 9_900_000]] as const) {
      const o = options(['--timeout', text]);
      assert.ok(!('error' in o), text);
      assert.equal(o.timeoutMs, ms, text);
    }
  });

  it('listens on the given host for host:port and [v6]:port, and on every interface for :port', () => {
    const cases = [
      ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
      ['[::1]:1251', { host: '::1', port: 1251 }],
      ['localhost:9000', { host: 'localhost', port: 9000 }],
      [':8080', { host: undefined, port: 8080 }],
    ] as const;
    for (const [addr, listen] of cases) {
      const o = options(['--addr', addr]);
      assert.ok(!('error' in o), addr);
      assert.deepEqual(o.listen, listen, addr);
    }
  });

  it('takes --log-format console', () => {
    const o = options(['--log-format=console']);
    assert.ok(!('error' in o));
    assert.equal(o.logFormat, 'console');
  });

  it('refuses a --timeout that is not a Go duration, or not above 0, naming the flag', () => {
    for (const text of ['5', 'five', '0', '0s', '-1s', '1000h']) {
      const o = options(['--timeout', text]);
      assert.ok('error' in o, text);
      assert.match(o.error, new RegExp(`^invalid --timeout "${text}": `), text);
    }
    const noUnit = options(['--timeout', '5']);
    assert.ok('error' in noUnit);
    assert.match(noUnit.error, /missing unit in duration/);
  });

  it('refuses an --addr that is not host:port or :port, or is 0, naming the flag', () => {
    for (const addr of ['1251', '0', ':70000', 'localhost', '']) {
      const o = options(['--addr', addr]);
      assert.ok('error' in o, addr);
      assert.match(o.error, /^invalid --addr "/, addr);
    }
  });

  it('refuses an --rpc-host that is not an http:// URL, naming the flag', () => {
    for (const host of ['localhost:26657', 'https://localhost:26657', 'tcp://0.0.0.0:26657', 'not a url', '']) {
      const o = options(['--rpc-host', host]);
      assert.ok('error' in o, host);
      assert.ok(o.error.startsWith(`invalid --rpc-host "${host}": `), o.error);
    }
  });
});

describe('cosmos-operator healthcheck command', () => {
  it('exits 2 with the flag named on a bad value, before listening', async () => {
    const cases = [
      [['--timeout', 'soon'], /invalid --timeout "soon"/],
      [['--log-format', 'xml'], /invalid value "xml" for --log-format: must be one of json, console/],
      [['--addr', 'nowhere'], /invalid --addr "nowhere"/],
      [['--rpc-host', 'https://x'], /invalid --rpc-host "https:\/\/x"/],
      [['--rpc-host'], /flag needs an argument: --rpc-host/],
      [['--port', '1251'], /unknown flag: --port/],
      [['extra'], /unexpected argument "extra"/],
    ] as const;
    for (const [argv, message] of cases) {
      const { code, err } = await run([...argv]);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, message, argv.join(' '));
    }
  });

  it('prints its flags and endpoints with --help and exits 0', async () => {
    const { code, out } = await run(['--help']);
    assert.equal(code, 0);
    for (const flag of ['--rpc-host', '--timeout', '--addr', '--log-format']) assert.match(out, new RegExp(flag));
    assert.match(out, /GET \/disk\?dir=/);
  });
});
