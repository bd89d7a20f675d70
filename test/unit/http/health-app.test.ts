import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHealthApp } from '../../../src/http/health-app.ts';

describe('health app', () => {
  it('answers /healthz with ok when every check passes', async () => {
    const { app } = createHealthApp();
    const res = await app.request('/healthz');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
  });

  it('fails /readyz with 500 and names the failing check and its reason', async () => {
    const { app, checks } = createHealthApp();
    checks.addReadyz('apiserver', () => 'cannot reach https://127.0.0.1:6443');
    const res = await app.request('/readyz');
    assert.equal(res.status, 500);
    const body = await res.text();
    assert.match(body, /\[-\]apiserver failed: cannot reach https:\/\/127\.0\.0\.1:6443/);
    assert.match(body, /\[\+\]ping ok/);
  });

  it('counts a check that throws as failed rather than crashing the probe', async () => {
    const { app, checks } = createHealthApp();
    checks.addReadyz('cache', () => {
      throw new Error('not synced');
    });
    const res = await app.request('/readyz');
    assert.equal(res.status, 500);
    assert.match(await res.text(), /\[-\]cache failed: not synced/);
  });

  it('keeps /healthz passing while a readiness check fails', async () => {
    const { app, checks } = createHealthApp();
    checks.addReadyz('apiserver', () => 'down');
    assert.equal((await app.request('/healthz')).status, 200);
  });

  it('lists passing checks with ?verbose', async () => {
    const { app, checks } = createHealthApp();
    checks.addReadyz('apiserver', () => true);
    const body = await (await app.request('/readyz?verbose')).text();
    assert.match(body, /\[\+\]apiserver ok/);
  });
});
