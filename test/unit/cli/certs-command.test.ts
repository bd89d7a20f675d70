import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCertsCommand } from '../../../src/cli/certs-command.ts';

type Run = { code: number; out: string; err: string };

async function run(argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCertsCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'certs-command-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('cosmos-operator certs', () => {
  it('writes ca.crt, ca.key, tls.crt and tls.key with the keys readable by the owner only', () =>
    withDir(async (dir) => {
      const { code } = await run(['--dir', dir]);
      assert.equal(code, 0);
      for (const file of ['ca.key', 'tls.key']) assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
      for (const file of ['ca.crt', 'tls.crt']) assert.equal(statSync(join(dir, file)).mode & 0o777, 0o644, file);
    }));

  it('prints the CA certificate base64-encoded, for caBundle', () =>
    withDir(async (dir) => {
      const { out } = await run(['--dir', dir]);
      assert.equal(Buffer.from(out.trim(), 'base64').toString(), readFileSync(join(dir, 'ca.crt'), 'utf8'));
    }));

  it('issues the serving certificate for the Service names, localhost, 127.0.0.1 and every --host', () =>
    withDir(async (dir) => {
      await run([
        '--dir',
        dir,
        '--service-name',
        'hook',
        '--namespace',
        'ops',
        '--host',
        'webhook.example.com',
        '--host',
        '192.0.2.7',
      ]);
      const cert = new X509Certificate(readFileSync(join(dir, 'tls.crt')));
      for (
        const name of [
          'hook',
          'hook.ops',
          'hook.ops.svc',
          'hook.ops.svc.cluster.local',
          'localhost',
          'webhook.example.com',
        ]
      ) {
        assert.equal(cert.checkHost(name), name);
      }
      assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(cert.checkIP('192.0.2.7'), '192.0.2.7');
      assert.ok(cert.checkIssued(new X509Certificate(readFileSync(join(dir, 'ca.crt')))));
    }));

  it('keeps the existing CA on a second run, so an earlier caBundle stays valid', () =>
    withDir(async (dir) => {
      const first = await run(['--dir', dir]);
      const firstLeaf = readFileSync(join(dir, 'tls.crt'), 'utf8');
      const second = await run(['--dir', dir]);
      assert.equal(second.code, 0);
      assert.equal(second.out, first.out);
      assert.match(second.err, /kept the existing CA/);
      const leaf = readFileSync(join(dir, 'tls.crt'), 'utf8');
      assert.notEqual(leaf, firstLeaf);
      assert.ok(new X509Certificate(leaf).checkIssued(new X509Certificate(readFileSync(join(dir, 'ca.crt')))));
    }));

  it('honours --days for the serving certificate', () =>
    withDir(async (dir) => {
      await run(['--dir', dir, '--days', '7']);
      const validTo = new Date(new X509Certificate(readFileSync(join(dir, 'tls.crt'))).validTo).getTime();
      const days = (validTo - Date.now()) / 86_400_000;
      assert.ok(days > 6.9 && days <= 7, `valid for ${days} days`);
    }));

  it('fails rather than replace a CA whose key is missing', () =>
    withDir(async (dir) => {
      await run(['--dir', dir]);
      unlinkSync(join(dir, 'ca.key'));
      const { code, err } = await run(['--dir', dir]);
      assert.equal(code, 1);
      assert.match(err, /ca\.key is missing/);
    }));

  it('prints usage and exits 0 for --help', async () => {
    const { code, out } = await run(['--help']);
    assert.equal(code, 0);
    assert.match(out, /^Usage: cosmos-operator certs/);
    assert.match(out, /--service-name/);
  });

  it('exits 2 with usage for an unknown option', async () => {
    const { code, err } = await run(['--bogus']);
    assert.equal(code, 2);
    assert.match(err, /bogus/);
    assert.match(err, /Usage:/);
  });

  it('exits 2 for a --days that is not a whole number of days', async () => {
    assert.equal((await run(['--days', '1.5'])).code, 2);
    assert.equal((await run(['--days', '0'])).code, 2);
  });

  it('exits 2 for a service name that is not a DNS label', async () => {
    assert.equal((await run(['--service-name', 'Bad_Name'])).code, 2);
  });
});
