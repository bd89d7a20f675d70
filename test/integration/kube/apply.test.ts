// Server-side apply and patches against a real API server, for core and custom resources and
// the status subresource, each with its explicit content type.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyObject, jsonPatch, mergePatch } from '../../../src/kube/apply.ts';
import { classifyApiError } from '../../../src/kube/api-errors.ts';
import { objectClient } from '../../../src/kube/objects.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { newNamespace } from '../../cluster/connect.ts';
import { type KubeHarness, kubeHarness, widgetCrdFile, widgets } from './fixtures/harness.ts';

type Widget = KubeObject & { spec?: { size?: number; color?: string }; status?: { observedSize?: number } };
type ConfigMap = KubeObject & { data?: Record<string, string> };

describe('apply and patch', () => {
  let h: KubeHarness;
  let ns: string;

  before(
    async () => {
      h = await kubeHarness();
      ns = await newNamespace('kube-apply');
      await h.cluster.installCRDs(widgetCrdFile);
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    if (h) await h.cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('creates and then updates a custom resource by server-side apply, owned by cosmos-operator', async () => {
    const w = { metadata: { namespace: ns, name: 'ssa' }, spec: { size: 1, color: 'red' } };
    await applyObject<Widget>(h.rest, widgets, w);
    const updated = await applyObject<Widget>(h.rest, widgets, { ...w, spec: { size: 2, color: 'red' } });
    assert.equal(updated.spec?.size, 2);
    const managers = (updated.metadata?.managedFields as Array<{ manager: string; operation: string }>).map((m) =>
      `${m.manager}/${m.operation}`
    );
    assert.deepEqual(managers, ['cosmos-operator/Apply']);
  });

  it('removes a field it applied before when the next apply leaves it out', async () => {
    await applyObject<ConfigMap>(h.rest, resources.configMaps, {
      metadata: { namespace: ns, name: 'prune' },
      data: { a: '1', b: '2' },
    });
    const after = await applyObject<ConfigMap>(h.rest, resources.configMaps, {
      metadata: { namespace: ns, name: 'prune' },
      data: { a: '1' },
    });
    assert.deepEqual(after.data, { a: '1' });
  });

  it('takes over fields another manager owns, because it forces', async () => {
    await objectClient<ConfigMap>(h.rest, resources.configMaps).create(
      { metadata: { namespace: ns, name: 'contested' }, data: { k: 'theirs' } },
      { fieldManager: 'someone-else' },
    );
    const mine = await applyObject<ConfigMap>(h.rest, resources.configMaps, {
      metadata: { namespace: ns, name: 'contested' },
      data: { k: 'mine' },
    });
    assert.equal(mine.data?.k, 'mine');
  });

  it('writes the status subresource by apply and by merge patch, leaving the spec alone', async () => {
    await applyObject<Widget>(h.rest, widgets, { metadata: { namespace: ns, name: 'status' }, spec: { size: 3 } });
    const applied = await applyObject<Widget>(
      h.rest,
      widgets,
      { metadata: { namespace: ns, name: 'status' }, status: { observedSize: 3 } },
      { subresource: 'status' },
    );
    assert.equal(applied.status?.observedSize, 3);
    assert.equal(applied.spec?.size, 3);
    const patched = await mergePatch<Widget>(h.rest, widgets, ns, 'status', { status: { observedSize: 4 } }, {
      subresource: 'status',
    });
    assert.equal(patched.status?.observedSize, 4);
  });

  it('ignores a status change sent to the main resource, as the API server does with a status subresource', async () => {
    await applyObject<Widget>(h.rest, widgets, { metadata: { namespace: ns, name: 'nostatus' }, spec: { size: 1 } });
    const patched = await mergePatch<Widget>(h.rest, widgets, ns, 'nostatus', { status: { observedSize: 9 } });
    assert.equal(patched.status?.observedSize, undefined);
  });

  it('merge-patches a custom resource (a strategic merge patch would be refused with 415)', async () => {
    await applyObject<Widget>(h.rest, widgets, {
      metadata: { namespace: ns, name: 'merge' },
      spec: { size: 1, color: 'red' },
    });
    const patched = await mergePatch<Widget>(h.rest, widgets, ns, 'merge', {
      spec: { color: null },
      metadata: { labels: { a: 'b' } },
    });
    assert.deepEqual(patched.spec, { size: 1 });
    assert.deepEqual(patched.metadata?.labels, { a: 'b' });
  });

  it('applies a JSON patch only if its test op holds', async () => {
    await applyObject<ConfigMap>(h.rest, resources.configMaps, {
      metadata: { namespace: ns, name: 'guarded' },
      data: { v: '1' },
    });
    const ok = await jsonPatch<ConfigMap>(h.rest, resources.configMaps, ns, 'guarded', [
      { op: 'test', path: '/data/v', value: '1' },
      { op: 'replace', path: '/data/v', value: '2' },
    ]);
    assert.equal(ok.data?.v, '2');
    await assert.rejects(
      jsonPatch(h.rest, resources.configMaps, ns, 'guarded', [
        { op: 'test', path: '/data/v', value: '1' },
        { op: 'replace', path: '/data/v', value: '3' },
      ]),
      (err: unknown) => classifyApiError(err) === 'permanent',
    );
  });

  it('fails an apply or create that breaks the schema with a permanent error', async () => {
    const bad = { metadata: { namespace: ns, name: 'bad' }, spec: { size: 'big' } } as unknown as Widget;
    // Server-side apply reports the type mismatch as a 500 "failed to create typed patch object".
    await assert.rejects(applyObject(h.rest, widgets, bad), (err: unknown) => classifyApiError(err) === 'permanent');
    // A create reports it as 422 Invalid.
    await assert.rejects(
      objectClient(h.rest, widgets).create(bad),
      (err: unknown) => (err as { code?: number }).code === 422,
    );
  });

  it('replaces with the resourceVersion it read and gets a 409 for a stale one', async () => {
    const client = objectClient<ConfigMap>(h.rest, resources.configMaps);
    const created = await client.create({ metadata: { namespace: ns, name: 'optimistic' }, data: { v: '1' } });
    await client.replace({ ...created, data: { v: '2' } });
    await assert.rejects(
      client.replace({ ...created, data: { v: '3' } }),
      (err: unknown) => (err as { code?: number }).code === 409,
    );
  });

  it('reads a missing object as undefined and deletes it idempotently', async () => {
    const client = objectClient<ConfigMap>(h.rest, resources.configMaps);
    assert.equal(await client.get(ns, 'never-created'), undefined);
    assert.equal(await client.delete(ns, 'never-created'), false);
  });
});
