import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  metadataOnly,
  slimConfigMap,
  slimPod,
  slimPvc,
  slimService,
} from '../../../../src/reconcile/fullnode/cache-transforms.ts';
import { rpcPortOf } from '../../../../src/cosmos/status-cache.ts';
import { configMapFingerprint, serviceFingerprint } from '../../../../src/reconcile/fullnode/build/fingerprint.ts';
import { externalAddressOf } from '../../../../src/reconcile/fullnode/build/peers.ts';
import type { PodObject } from '../../../../src/reconcile/fullnode/control/pod-control.ts';
import type { ServiceObject } from '../../../../src/reconcile/fullnode/control/service-control.ts';

const metadata = {
  name: 'osmosis-p2p-0',
  namespace: 'chains',
  uid: 'u1',
  resourceVersion: '42',
  labels: { 'app.kubernetes.io/revision': 'abcd1234' },
  annotations: { 'app.kubernetes.io/ordinal': '0' },
  ownerReferences: [{
    apiVersion: 'cosmos.strange.love/v1',
    kind: 'CosmosFullNode',
    name: 'osmosis',
    uid: 'cr',
    controller: true,
  }],
};

describe('cache transforms', () => {
  it('keep a Service’s metadata, type, LoadBalancer ingress and spec fingerprint, so peers still find its external address', () => {
    const svc: ServiceObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ name: 'p2p', port: 26656 }],
        selector: { a: 'b' },
      },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
    };
    const slim = slimService(svc);
    assert.deepEqual(slim, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
      contentFingerprint: serviceFingerprint(svc.spec),
    });
    assert.equal(externalAddressOf(slim, 26656), externalAddressOf(svc, 26656));
  });

  it('drop a ConfigMap’s config overlays, keeping their fingerprint, but keep a node key the Go operator left there', () => {
    const overlays = { 'config-overlay.toml': 'a = 1\n'.repeat(100), 'app-overlay.toml': 'b = 2\n' };
    assert.deepEqual(slimConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: overlays }), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata,
      contentFingerprint: configMapFingerprint({ data: overlays }),
    });
    assert.deepEqual(
      slimConfigMap({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        data: { ...overlays, 'node_key.json': '{"priv_key":{}}' },
      }),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        data: { 'node_key.json': '{"priv_key":{}}' },
        contentFingerprint: configMapFingerprint({ data: { ...overlays, 'node_key.json': '{"priv_key":{}}' } }),
      },
    );
  });

  it('keep what the pod controls and the status cache read of a pod: images, Ready, IP and the rpc port', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata,
      spec: {
        containers: [
          {
            name: 'node',
            image: 'gaia:v18',
            ports: [{ name: 'p2p', containerPort: 26656 }, { name: 'rpc', containerPort: 36657 }],
            env: [{ name: 'HOME', value: '/home/operator' }],
            command: ['gaiad'],
          },
          {
            name: 'healthcheck',
            image: 'cosmos-operator:latest',
            ports: [{ name: 'healthcheck', containerPort: 1251 }],
          },
        ],
        volumes: [{ name: 'vol-chain-home' }],
      },
      status: {
        phase: 'Running',
        podIP: '127.77.0.5',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        ],
        hostIP: '127.1.0.1',
        containerStatuses: [],
      },
    } as unknown as PodObject;
    const slim = slimPod(pod);
    assert.deepEqual(slim, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata,
      spec: {
        containers: [{ name: 'node', image: 'gaia:v18', ports: [{ name: 'rpc', containerPort: 36657 }] }, {
          name: 'healthcheck',
          image: 'cosmos-operator:latest',
        }],
      },
      status: {
        phase: 'Running',
        podIP: '127.77.0.5',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    });
    assert.equal(rpcPortOf(slim), 36657);
  });

  it('keep a PVC’s phase and capacity', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata,
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '10Gi' } },
        storageClassName: 'fast',
        volumeName: 'pv-1',
      },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
    };
    assert.deepEqual(slimPvc(pvc), {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata,
      status: { phase: 'Bound', capacity: { storage: '10Gi' } },
    });
  });

  it('keep only the metadata of RBAC objects, which are diffed by revision', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    };
    assert.deepEqual(metadataOnly(role), { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata });
  });
});
