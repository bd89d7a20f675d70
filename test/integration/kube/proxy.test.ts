// A kubeconfig's proxy-url against a real kube-apiserver: requests and watches go through an HTTP
// CONNECT proxy, and only through it. The proxy is written here so the test can see every tunnel
// it opened; a client that bypassed it would still succeed, so each test asserts the CONNECTs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump, load } from 'js-yaml';
import { loadKubeConfig } from '../../../src/kube/client.ts';
import { objectClient } from '../../../src/kube/objects.ts';
import { type KubeObject, resources } from '../../../src/kube/resource.ts';
import { createRestClient, type RestClient } from '../../../src/kube/rest.ts';
import { newNamespace, type TestCluster, testCluster } from '../../cluster/connect.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };

/** An HTTP CONNECT proxy on 127.0.0.1 that records each tunnel's target and pipes its bytes. */
async function connectProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const { hostname, port } = new URL(`http://${target}`);
    const upstream = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a kubeconfig with proxy-url', () => {
  let cluster: TestCluster;
  let ns: string;
  let proxy: Awaited<ReturnType<typeof connectProxy>>;
  let kubeconfig: string;
  let apiHost: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'kube-proxy-'));

  before(
    async () => {
      cluster = await testCluster();
      ns = await newNamespace('kube-proxy');
      proxy = await connectProxy();
      apiHost = new URL(cluster.server).host;
      const doc = load(readFileSync(cluster.kubeconfig, 'utf8')) as {
        clusters: Array<{ cluster: Record<string, unknown> }>;
      };
      for (const c of doc.clusters) c.cluster['proxy-url'] = proxy.url;
      kubeconfig = path.join(dir, 'proxied.kubeconfig');
      writeFileSync(kubeconfig, dump(doc));
    },
    { timeout: 30 * 60_000 },
  );

  after(async () => {
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
    if (cluster) await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  /** A client of its own (its own Agent), so its first request must open a new tunnel. */
  const proxiedClient = (): RestClient => {
    const { kubeConfig } = loadKubeConfig({ kubeconfig });
    assert.equal(kubeConfig.proxyUrl, proxy.url);
    return createRestClient(kubeConfig);
  };

  it('sends requests through the proxy, tunnelled to the API server with HTTP CONNECT', async () => {
    const rest = proxiedClient();
    const before = proxy.connects.length;
    const version = await rest.request<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
    assert.match(version.gitVersion ?? '', /^v1\./);
    const configMaps = objectClient<ConfigMap>(rest, resources.configMaps);
    await configMaps.create({ metadata: { namespace: ns, name: 'via-proxy' }, data: { a: '1' } });
    const list = await configMaps.list(ns);
    assert.ok(list.items.some((cm) => cm.metadata?.name === 'via-proxy'));
    const opened = proxy.connects.slice(before);
    assert.ok(opened.length >= 1, 'the proxy saw no CONNECT: the client went around it');
    assert.deepEqual([...new Set(opened)], [apiHost]);
  });

  it('watches through the proxy', async () => {
    const rest = proxiedClient();
    const before = proxy.connects.length;
    const abort = new AbortController();
    const lines: string[] = [];
    const ended = rest.stream({
      path: `/api/v1/namespaces/${ns}/configmaps`,
      query: { watch: true, fieldSelector: 'metadata.name=watched' },
      signal: abort.signal,
      idleTimeoutMs: 30_000,
      onLine: (line) => {
        lines.push(line);
        abort.abort();
      },
    });
    // The watch is this client's only connection: the proxy must have tunnelled it.
    const { code, stderr } = await cluster.kubectl(['-n', ns, 'create', 'configmap', 'watched', '--from-literal=a=1']);
    assert.equal(code, 0, stderr);
    const end = await ended;
    assert.deepEqual(end, { kind: 'closed' });
    const event = JSON.parse(lines[0] ?? '{}') as { type?: string; object?: ConfigMap };
    assert.equal(event.type, 'ADDED');
    assert.equal(event.object?.metadata?.name, 'watched');
    assert.deepEqual(proxy.connects.slice(before), [apiHost]);
  });
});
