// Rules that follow from how the operator builds a CosmosFullNode's children
// (src/api/validate-fullnode-children.ts, the image and PVC checks of field-checks.ts), through
// validateCosmosFullNode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCosmosFullNode } from '../../../src/api/validate-cosmosfullnode.ts';
import {
  OPERATOR_VOLUMES,
  operatorContainerNames,
  operatorNodePorts,
} from '../../../src/api/validate-fullnode-children.ts';
import type { CosmosFullNode } from '../../../src/api/cosmosfullnode.ts';
import type { FieldCause } from '../../../src/api/field-errors.ts';
import { COSMOS_FULL_NODE } from '../../../src/api/kinds.ts';
import { buildPod } from '../../../src/reconcile/fullnode/build/pod-builder.ts';
import { aFullNode, type Change, withValue } from '../../fixtures/api/objects.ts';

function causes(...changes: Change[]): FieldCause[] {
  return validateCosmosFullNode(aFullNode('x', ...changes)).causes;
}

const lines = (...changes: Change[]) => causes(...changes).map((c) => `${c.field}: ${c.message}`);

describe('the chain image', () => {
  for (
    const image of ['gaia:v18.1.0', `gaia@sha256:${'ab'.repeat(32)}`, 'registry:5000/gaia', 'registry:5000/gaia:v1']
  ) {
    it(`accepts ${image}`, () => {
      assert.deepEqual(causes(withValue('spec.podTemplate.image', image)), []);
    });
  }

  it('refuses surrounding whitespace, as the API server does for a pod', () => {
    assert.deepEqual(lines(withValue('spec.podTemplate.image', ' gaia:v18')), [
      'spec.podTemplate.image: Invalid value: " gaia:v18": must not have leading or trailing whitespace',
    ]);
  });

  it('refuses a tag that cannot be the version label of the children', () => {
    assert.match(
      lines(withValue('spec.podTemplate.image', 'gaia:v1-'))[0]!,
      /^spec\.podTemplate\.image: Invalid value: "gaia:v1-": its tag "v1-" becomes the app\.kubernetes\.io\/version label of the pods, PVCs and Services: a valid label must be/,
    );
  });

  it('checks the images of chain.versions and instance overrides the same way', () => {
    assert.deepEqual(
      causes(
        withValue('spec.chain.versions', [{ height: 0, image: 'gaia:v1 ' }]),
        withValue('spec.instanceOverrides', { 'x-0': { image: 'gaia:v2_' } }),
      ).map((c) => c.field),
      ['spec.chain.versions[0].image', 'spec.chain.versions[0].image', 'spec.instanceOverrides[x-0].image'],
    );
  });
});

describe('the PVC template (ValidatePersistentVolumeClaimSpec)', () => {
  it('refuses a storage class name that is no DNS subdomain', () => {
    assert.deepEqual(causes(withValue('spec.volumeClaimTemplate.storageClassName', 'Fast_SSD')).map((c) => c.field), [
      'spec.volumeClaimTemplate.storageClassName',
    ]);
    assert.deepEqual(causes(withValue('spec.volumeClaimTemplate.storageClassName', '')), []);
  });

  it('refuses ReadWriteOncePod beside another access mode', () => {
    assert.deepEqual(lines(withValue('spec.volumeClaimTemplate.accessModes', ['ReadWriteOncePod', 'ReadWriteOnce'])), [
      'spec.volumeClaimTemplate.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    ]);
  });

  it('refuses a storage request of zero', () => {
    assert.deepEqual(lines(withValue('spec.volumeClaimTemplate.resources.requests.storage', '0')), [
      'spec.volumeClaimTemplate.resources.requests[storage]: Invalid value: "0": must be greater than zero',
    ]);
  });

  it('needs the name of a data source', () => {
    assert.deepEqual(
      lines(withValue('spec.volumeClaimTemplate.dataSource', { kind: 'PersistentVolumeClaim', name: '' })),
      ['spec.volumeClaimTemplate.dataSource.name: Required value'],
    );
  });

  it('applies to instance overrides too', () => {
    const override = { storageClassName: 'Bad_Name', resources: { requests: { storage: '10Gi' } } };
    assert.deepEqual(
      causes(withValue('spec.instanceOverrides', { 'x-0': { volumeClaimTemplate: override } })).map((c) => c.field),
      ['spec.instanceOverrides[x-0].volumeClaimTemplate.storageClassName'],
    );
  });
});

describe('the Services', () => {
  it('needs external p2p Services to be LoadBalancer or NodePort, which an externalTrafficPolicy requires', () => {
    assert.match(
      lines(withValue('spec.service.p2pTemplate', { type: 'ClusterIP' }))[0]!,
      /^spec\.service\.p2pTemplate\.type: Unsupported value: "ClusterIP": supported values: "LoadBalancer", "NodePort" \(spec\.service\.maxP2PExternalAddresses is 1: /,
    );
    assert.deepEqual(
      causes(withValue('spec.service', { maxP2PExternalAddresses: 0, p2pTemplate: { type: 'ClusterIP' } })),
      [],
    );
  });

  it('refuses ExternalName for the RPC Service, which the operator gives no externalName', () => {
    assert.deepEqual(causes(withValue('spec.service.rpcTemplate', { type: 'ExternalName' })).map((c) => c.field), [
      'spec.service.rpcTemplate.type',
    ]);
  });

  it('refuses an externalTrafficPolicy on a ClusterIP RPC Service', () => {
    assert.deepEqual(lines(withValue('spec.service.rpcTemplate', { externalTrafficPolicy: 'Local' })), [
      'spec.service.rpcTemplate.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services (type LoadBalancer or NodePort, not ClusterIP)',
    ]);
    assert.deepEqual(
      causes(withValue('spec.service.rpcTemplate', { type: 'NodePort', externalTrafficPolicy: 'Local' })),
      [],
    );
  });

  it('checks clusterIP: an address or None, not None for a LoadBalancer', () => {
    assert.deepEqual(causes(withValue('spec.service.rpcTemplate', { clusterIP: 'None' })), []);
    assert.deepEqual(lines(withValue('spec.service.rpcTemplate', { clusterIP: '10.0.0' })), [
      'spec.service.rpcTemplate.clusterIP: Invalid value: "10.0.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    assert.deepEqual(lines(withValue('spec.service.rpcTemplate', { type: 'LoadBalancer', clusterIP: 'None' })), [
      'spec.service.rpcTemplate.clusterIP: Invalid value: "None": may not be set to \'None\' for LoadBalancer services',
    ]);
  });

  it("checks the RPC ports as they follow the operator's five", () => {
    assert.deepEqual(causes(withValue('spec.service.rpcTemplate.ports', [{ name: 'metrics', port: 26660 }])), []);
    assert.deepEqual(
      lines(withValue('spec.service.rpcTemplate.ports', [
        { port: 26661 },
        { name: 'rpc', port: 26662 },
        { name: 'extra', port: 1317 },
        { name: 'big', port: 65536, protocol: 'tcp', targetPort: 'Metrics', nodePort: 30000 },
      ])),
      [
        'spec.service.rpcTemplate.ports[0].name: Required value',
        'spec.service.rpcTemplate.ports[1].name: Duplicate value: "rpc"',
        'spec.service.rpcTemplate.ports[2]: Duplicate value: "TCP/1317"',
        'spec.service.rpcTemplate.ports[3].port: Invalid value: 65536: must be between 1 and 65535, inclusive',
        'spec.service.rpcTemplate.ports[3].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"',
        'spec.service.rpcTemplate.ports[3].targetPort: Invalid value: "Metrics": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        "spec.service.rpcTemplate.ports[3].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      ],
    );
  });

  it('counts the RPC port from rpcListenAddress', () => {
    assert.deepEqual(
      causes(
        withValue('spec.chain.config', { rpcListenAddress: 'tcp://0.0.0.0:36657' }),
        withValue('spec.service.rpcTemplate.ports', [{ name: 'old-rpc', port: 26657 }]),
      ),
      [],
    );
  });
});

describe("podTemplate entries, patched by name over the operator's containers and volumes", () => {
  it("refuses a port named like one of the chain container's on another number", () => {
    assert.deepEqual(
      lines(
        withValue('spec.podTemplate.containers', [{ name: 'node', ports: [{ name: 'rpc', containerPort: 36657 }] }]),
      ),
      ['spec.podTemplate.containers[0].ports[0].name: Duplicate value: "rpc"'],
    );
    assert.deepEqual(
      causes(
        withValue('spec.podTemplate.containers', [{ name: 'node', ports: [{ name: 'rpc', containerPort: 26657 }] }]),
      ),
      [],
    );
  });

  it('refuses a container name used twice across containers and init containers', () => {
    assert.deepEqual(
      lines(
        withValue('spec.podTemplate.initContainers', [{ name: 'node', image: 'busybox' }]),
        withValue('spec.podTemplate.containers', [{ name: 'chain-init', image: 'busybox' }]),
      ),
      [
        'spec.podTemplate.initContainers[0].name: Duplicate value: "node"',
        'spec.podTemplate.containers[0].name: Duplicate value: "chain-init"',
      ],
    );
  });

  it("refuses an empty image, which would replace the operator's", () => {
    assert.deepEqual(lines(withValue('spec.podTemplate.containers', [{ name: 'node', image: '' }])), [
      'spec.podTemplate.containers[0].image: Required value',
    ]);
  });

  it("needs an image for a container of its own, not for a patch of the operator's", () => {
    assert.deepEqual(causes(withValue('spec.podTemplate.containers', [{ name: 'node', resources: {} }])), []);
    assert.deepEqual(lines(withValue('spec.podTemplate.containers', [{ name: 'sidecar' }])), [
      'spec.podTemplate.containers[0].image: Required value',
    ]);
    assert.deepEqual(lines(withValue('spec.podTemplate.initContainers', [{ name: 'prepare' }])), [
      'spec.podTemplate.initContainers[0].image: Required value',
    ]);
  });

  it('allows probes on an init container only with restartPolicy Always', () => {
    const probe = { exec: { command: ['true'] } };
    assert.deepEqual(
      lines(withValue('spec.podTemplate.initContainers', [{ name: 'chain-init', readinessProbe: probe }])),
      [
        'spec.podTemplate.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      ],
    );
    assert.deepEqual(
      causes(withValue('spec.podTemplate.initContainers', [{
        name: 'proxy',
        image: 'envoy',
        restartPolicy: 'Always',
        readinessProbe: probe,
      }])),
      [],
    );
  });

  it("refuses a volume with two sources, counting the operator's of the same name", () => {
    assert.deepEqual(lines(withValue('spec.podTemplate.volumes', [{ name: 'vol-tmp', hostPath: { path: '/x' } }])), [
      "spec.podTemplate.volumes[0]: Forbidden: may not specify more than 1 volume type (hostPath, besides the operator's emptyDir)",
    ]);
    assert.deepEqual(
      causes(withValue('spec.podTemplate.volumes', [{ name: 'vol-tmp', emptyDir: { medium: 'Memory' } }])),
      [],
    );
    assert.deepEqual(causes(withValue('spec.podTemplate.volumes', [{ name: 'extra' }])), []);
  });

  it('refuses resource claims: the pods declare none', () => {
    assert.deepEqual(lines(withValue('spec.podTemplate.resources', { claims: [{ name: 'gpu' }] })), [
      'spec.podTemplate.resources.claims[0]: Forbidden: the pods the operator builds declare no resourceClaims for a container to claim',
    ]);
  });

  for (
    const [what, change] of [
      ['a FullNode', withValue('spec.type', 'FullNode')],
      ['a Sentry with its own listen addresses', (obj: Record<string, unknown>) => {
        withValue('spec.type', 'Sentry')(obj);
        withValue('spec.chain.config', {
          rpcListenAddress: 'tcp://0.0.0.0:36657',
          p2pListenAddress: 'tcp://0.0.0.0:36656',
        })(obj);
      }],
      ['with chain.versions and a snapshot', (obj: Record<string, unknown>) => {
        withValue('spec.chain.versions', [{ height: 0, image: 'gaia:v1' }])(obj);
        withValue('spec.chain.snapshotURL', 'https://example.com/s.tar')(obj);
      }],
    ] as const
  ) {
    it(`knows the names the builders give their containers and volumes (${what})`, () => {
      const node = COSMOS_FULL_NODE.default(aFullNode('x', change)) as unknown as CosmosFullNode;
      const pod = buildPod(node, 0, {})!;
      const names = operatorContainerNames(node.spec as unknown as Record<string, unknown>);
      assert.deepEqual(pod.spec!.containers.map((c) => c.name), names.containers);
      assert.deepEqual(pod.spec!.initContainers!.map((c) => c.name), names.initContainers);
      assert.deepEqual(
        Object.fromEntries(pod.spec!.volumes!.map((v) => [v.name, Object.keys(v).find((k) => k !== 'name')])),
        OPERATOR_VOLUMES,
      );
      const chain = pod.spec!.containers.find((c) => c.name === 'node')!;
      assert.deepEqual(
        Object.fromEntries(chain.ports!.map((p) => [p.name, p.containerPort])),
        operatorNodePorts(node.spec as unknown as Record<string, unknown>),
      );
    });
  }
});
