// Values from the spec never become shell text. Each pod is built from hostile values (command
// substitutions, backticks, quotes, newlines, `;`, `--flag`, spaces, globs), as a stored object
// that bypassed admission could hold, and every `sh -c` container the builders make is RUN under
// sh (and bash when present), with stub programs first on PATH that record the argv they get.
// Nothing may execute (no marker file appears) and every value must arrive as one argument,
// unchanged. The chain's own scripts (genesisScript, addrbookScript, snapshotScript) are shell
// text by definition and are not part of this.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../../../src/api/cosmosfullnode.ts';
import { buildPod } from '../../../../../src/reconcile/fullnode/build/pod-builder.ts';
import { aFullNode, asSentry, withChain } from '../../../../fixtures/fullnode.ts';

/** The values each pod is built from; every one would create `pwned-<n>` in the working directory if a shell read it as code. */
type Hostile = { chainID: string; binary: string; homeDir: string; args: string[] };

const VARIANTS: Record<string, Hostile> = {
  // Text that still parses once the Go operator's builder pasted it into the script, so there it
  // runs: the issue's `chainID: 'osmosis-1 $(touch …)'` and its kin.
  'values that parse as shell text': {
    chainID: 'osmosis-1 $(touch pwned-chain-id)',
    // No "/": the binary is found on PATH, where a stub of exactly this name waits.
    binary: 'chaind `touch pwned-binary`',
    // No "/" and no "..", so it stays one path segment under /home/operator.
    homeDir: 'home$(touch pwned-home)',
    args: [
      '$(touch pwned-dollar)',
      '`touch pwned-backtick`',
      '; touch pwned-semicolon',
      'line\ntouch pwned-newline',
      '&& touch pwned-and',
      '| touch pwned-pipe',
      '> pwned-redirect',
      '--flag=$(touch pwned-flag)',
      '--home',
      'two words',
      '${HOME}',
      '*',
    ],
  },
  // Unbalanced quotes as well (the pasted script would not even parse).
  'values with quotes': {
    chainID: 'osmosis-1 $(touch pwned-q-chain-id) `touch pwned-q-chain-id2`;touch pwned-q-chain-id3 \'"',
    binary: 'chaind $(touch pwned-q-bin1) `touch pwned-q-bin2`; touch pwned-q-bin3 \'"\ntouch pwned-q-bin4',
    homeDir: 'home $(touch pwned-q-home1) `touch pwned-q-home2`;touch pwned-q-home3 \'"',
    args: ["'; touch pwned-q-single; '", '"; touch pwned-q-double; "', "'", '"', '\\', ''],
  },
};
const HOSTILE_URL =
  'https://example.com/$(touch pwned-url1)/`touch pwned-url2`/;touch pwned-url3/\'"\ntouch pwned-url4/x';

const SHELLS = ['sh', ...(spawnSync('bash', ['-c', 'exit 0']).status === 0 ? ['bash'] : [])];
const RS = '\u001e';
/**
 * Records its name and arguments, NUL-separated, one record per call. The record is appended with
 * one write (cat of a small file), so the two sides of a pipe cannot interleave theirs.
 */
const STUB = [
  '#!/bin/sh',
  'record="$ARGV_LOG.$$"',
  `printf '%s\\0' "\${0##*/}" "$@" '${RS}' > "$record"`,
  'cat "$record" >> "$ARGV_LOG"',
  'rm -f "$record"',
  '',
].join('\n');
const STUB_NAMES = [
  'sleep',
  'wget',
  'tar',
  'gunzip',
  'lz4',
  'zstd',
  'unzip',
  'config-merge',
  ...Object.values(VARIANTS).map((v) => v.binary),
];

let dir: string;
let work: string;
let bin: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosmos-shell-injection-'));
  work = join(dir, 'work');
  bin = join(dir, 'bin');
  mkdirSync(work);
  mkdirSync(bin);
  for (const name of STUB_NAMES) {
    writeFileSync(join(bin, name), STUB);
    chmodSync(join(bin, name), 0o755);
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

type Run = { status: number | null; stderr: string; calls: string[][] };

/**
 * Runs `command args` as the container would, in a fresh working directory, with the container's
 * environment (paths under /home/operator moved into the temporary directory) and the stubs first
 * on PATH. Returns the calls the stubs recorded.
 */
function run(container: V1Container, shell?: string): Run {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  const log = join(dir, 'argv.log');
  rmSync(log, { force: true });
  const env: Record<string, string> = { PATH: `${bin}:${process.env['PATH']}`, ARGV_LOG: log };
  for (const e of container.env ?? []) env[e.name] = (e.value ?? '').replace(/^\/home\/operator/, join(dir, 'home'));
  const [command, ...rest] = [...(container.command ?? []), ...(container.args ?? [])];
  const program = command === 'sh' && shell !== undefined ? shell : command!;
  const result = spawnSync(program, rest, { cwd: work, env, encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.error, undefined, `${container.name}: ${result.error}`);
  const fields = existsSync(log) ? readFileSync(log, 'utf8').split('\0').slice(0, -1) : [];
  const calls: string[][] = [];
  let call: string[] = [];
  for (const field of fields) {
    if (field === RS) {
      calls.push(call);
      call = [];
    } else call.push(field);
  }
  return { status: result.status, stderr: result.stderr, calls };
}

/** Every marker file a hostile value would have made. */
function markers(): string[] {
  return readdirSync(work).filter((f) => f.startsWith('pwned'));
}

function pod(node: CosmosFullNode): V1Pod {
  const built = buildPod(node, 0, {});
  assert.ok(built);
  return built;
}

const byName = (p: V1Pod, name: string): V1Container =>
  [...(p.spec!.initContainers ?? []), ...p.spec!.containers].find((c) => c.name === name)!;

const shellContainers = (p: V1Pod) =>
  [...(p.spec!.initContainers ?? []), ...p.spec!.containers].filter((c) => c.command?.[0] === 'sh');

const hostile = (values: Hostile, ...extra: Parameters<typeof aFullNode>[1][]) =>
  aFullNode(
    'osmosis',
    withChain({
      chainID: values.chainID,
      binary: values.binary,
      homeDir: values.homeDir,
      additionalInitArgs: values.args,
      additionalStartArgs: values.args,
      genesisURL: `${HOSTILE_URL}.json`,
      addrbookURL: `${HOSTILE_URL}.json`,
      snapshotURL: `${HOSTILE_URL}.tar`,
    }),
    ...extra,
  );

const HOME = '/home/operator';
/** Where run() moved /home/operator. */
const home = (...path: string[]) => join(dir, 'home', ...path);

for (const shell of SHELLS) {
  for (const [label, values] of Object.entries(VARIANTS)) {
    describe(`the scripts of a pod built from ${label}, run by ${shell}`, () => {
      it('chain-init runs `<binary> init --chain-id <chainID> <moniker> <additionalInitArgs…>` twice, every value one argument', () => {
        const { status, stderr, calls } = run(byName(pod(hostile(values)), 'chain-init'), shell);
        assert.deepEqual(markers(), []);
        assert.equal(status, 0, stderr);
        const init = [values.binary, 'init', '--chain-id', values.chainID, 'osmosis-0', ...values.args];
        assert.deepEqual(calls, [
          [...init, '--home', home(values.homeDir)],
          [...init, '--home', home('.tmp')],
        ]);
      });

      it('a Sentry sleeps, then starts `<binary> start --home <home> <additionalStartArgs…>` exactly as a FullNode does', () => {
        const sentry = run(byName(pod(hostile(values, asSentry)), 'node'), shell);
        assert.deepEqual(markers(), []);
        assert.equal(sentry.status, 0, sentry.stderr);
        const start = [values.binary, 'start', '--home', `${HOME}/${values.homeDir}`, ...values.args];
        assert.deepEqual(sentry.calls, [['sleep', '10'], start]);

        // A FullNode runs the binary without a shell; the same spec gives the same argv.
        const fullNode = run(byName(pod(hostile(values)), 'node'));
        assert.equal(fullNode.status, 0, fullNode.stderr);
        assert.deepEqual(fullNode.calls, [start]);
      });

      for (const [container, file] of [['genesis-init', 'GENESIS_FILE'], ['addrbook-init', 'ADDRBOOK_FILE']] as const) {
        it(`${container} hands the URL to wget as one argument`, () => {
          const c = byName(pod(hostile(values)), container);
          const { status, stderr, calls } = run(c, shell);
          assert.deepEqual(markers(), []);
          assert.equal(status, 0, stderr);
          const target = c.env!.find((e) => e.name === file)!.value!.replace(HOME, home());
          assert.deepEqual(calls, [['wget', '-c', '-O', target, `${HOSTILE_URL}.json`]]);
        });
      }

      it('snapshot-restore hands the URL to wget as one argument', () => {
        const { calls } = run(byName(pod(hostile(values)), 'snapshot-restore'), shell);
        assert.deepEqual(markers(), []);
        // The two sides of the pipe record in either order.
        assert.deepEqual(calls.sort((a, b) => a[0]!.localeCompare(b[0]!)), [
          ['tar', '-x', '-C', home(values.homeDir)],
          ['wget', '-c', '-O', '-', `${HOSTILE_URL}.tar`],
        ]);
      });

      it('no sh -c container of a FullNode or a Sentry executes any of them', () => {
        for (const p of [pod(hostile(values)), pod(hostile(values, asSentry))]) {
          const ran = shellContainers(p).map((c) => c.name);
          assert.ok(ran.includes('chain-init') && ran.includes('config-merge') && ran.includes('clean-init'), `${ran}`);
          for (const c of shellContainers(p)) {
            run(c, shell);
            assert.deepEqual(markers(), [], c.name);
          }
        }
      });
    });
  }

  it(`the download scripts refuse a URL that wget would read as an option (${shell})`, () => {
    const node = aFullNode(
      'osmosis',
      withChain({ genesisURL: '-O/etc/passwd.json', addrbookURL: '--output-document=x.json', snapshotURL: '-qO-.tar' }),
    );
    for (const name of ['genesis-init', 'addrbook-init', 'snapshot-restore']) {
      const { status, stderr, calls } = run(byName(pod(node), name), shell);
      assert.equal(status, 1, name);
      assert.match(stderr, /starts with '-'/, name);
      assert.deepEqual(calls, [], name);
    }
  });
}
