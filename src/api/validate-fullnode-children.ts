// Rules that follow from how the operator builds a CosmosFullNode's children: what the API server
// would refuse in the Services, PVCs and pods the operator makes from the spec, refused at apply
// instead (docs/validation.md). They need more than one field (the Service type with its
// externalTrafficPolicy, the operator's own Service ports beside the template's), so they are
// not schema checks. The builders are in src/reconcile/fullnode/build/; what they do with each
// field is restated here, and test/e2e/admission-differential.test.ts checks the two agree.
import { isIP } from 'node:net';
import { dns1123LabelErrors, labelKeyErrors, PORT_PROTOCOLS, PORT_RANGE, portNameErrors } from './core-checks.ts';
import { FULL_NODE_DEFAULTS, p2pPort, rpcPort } from './defaults.ts';
import { duplicate, type FieldCause, forbidden, invalid, notSupported, required } from './field-errors.ts';
import { k8sComponent } from './k8s-types.ts';
import { at, isObject, type JsonObject } from './validate-spec.ts';

/** The RPC Service's own ports, before rpcTemplate.ports (service-builder.ts, ports.ts). */
function rpcServicePorts(spec: JsonObject): { name: string; port: number }[] {
  const rpcListenAddress = at(spec, 'chain', 'config', 'rpcListenAddress');
  return [
    { name: 'api', port: 1317 },
    { name: 'rosetta', port: 8080 },
    { name: 'grpc', port: 9090 },
    { name: 'rpc', port: rpcPort(typeof rpcListenAddress === 'string' ? rpcListenAddress : undefined) },
    { name: 'grpc-web', port: 9091 },
  ];
}

const EXTERNAL_TYPES = ['LoadBalancer', 'NodePort'];
const PROTOCOLS: readonly string[] = PORT_PROTOCOLS;

export function childRules(spec: JsonObject, causes: FieldCause[]): void {
  serviceRules(spec, causes);
  claimRules(spec, causes);
  entryRules(spec, causes);
}

// ---------------------------------------------------------------------------------------------
// spec.service

function serviceRules(spec: JsonObject, causes: FieldCause[]): void {
  const service = at(spec, 'service');
  if (!isObject(service)) return;
  const external = service['maxP2PExternalAddresses'] ?? FULL_NODE_DEFAULTS.maxP2PExternalAddresses;

  const p2p = service['p2pTemplate'];
  if (isObject(p2p)) {
    const path = 'spec.service.p2pTemplate';
    const type = p2p['type'];
    if (typeof external === 'number' && external > 0 && typeof type === 'string' && !EXTERNAL_TYPES.includes(type)) {
      // The external p2p Services always get an externalTrafficPolicy (Local unless the template
      // says), which Kubernetes allows only on Services reachable from outside (and an
      // ExternalName Service would need an externalName besides). Unused when none is external.
      causes.push({
        type: 'FieldValueNotSupported',
        field: `${path}.type`,
        message: `Unsupported value: ${
          JSON.stringify(type)
        }: supported values: "LoadBalancer", "NodePort" (spec.service.maxP2PExternalAddresses is ${external}: that many p2p Services are external and get an externalTrafficPolicy; set it to 0 for ClusterIP p2p Services)`,
      });
    }
    // The other p2p Services are of type ClusterIP, with this clusterIP.
    clusterIPRules(path, p2p['clusterIP'], 'ClusterIP', causes);
  }

  const rpc = service['rpcTemplate'];
  if (isObject(rpc)) {
    const path = 'spec.service.rpcTemplate';
    const type = typeof rpc['type'] === 'string' ? rpc['type'] : 'ClusterIP';
    if (type === 'ExternalName') causes.push(externalName(`${path}.type`));
    const policy = rpc['externalTrafficPolicy'];
    if (typeof policy === 'string' && !EXTERNAL_TYPES.includes(type)) {
      causes.push(
        invalid(
          `${path}.externalTrafficPolicy`,
          policy,
          `may only be set for externally-accessible services (type LoadBalancer or NodePort, not ${type})`,
        ),
      );
    }
    clusterIPRules(path, rpc['clusterIP'], type, causes);
    portRules(path, rpc['ports'], type, rpcServicePorts(spec), causes);
  }
}

function externalName(field: string): FieldCause {
  return {
    type: 'FieldValueNotSupported',
    field,
    message:
      'Unsupported value: "ExternalName": supported values: "ClusterIP", "NodePort", "LoadBalancer" (a Service of type ExternalName needs spec.externalName, which the operator does not set)',
  };
}

function clusterIPRules(path: string, clusterIP: unknown, type: string, causes: FieldCause[]): void {
  if (typeof clusterIP !== 'string' || clusterIP === '') return;
  const field = `${path}.clusterIP`;
  if (type === 'ExternalName') causes.push(forbidden(field, 'may not be set for ExternalName services'));
  else if (clusterIP === 'None') {
    if (EXTERNAL_TYPES.includes(type)) {
      causes.push(invalid(field, clusterIP, `may not be set to 'None' for ${type} services`));
    }
  } else if (isIP(clusterIP) === 0) {
    causes.push(invalid(field, clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
}

const validPort = (port: unknown) => typeof port === 'number' && port >= 1 && port <= 65535;

/** rpcTemplate.ports, appended to the operator's five (validateServicePort and the duplicate checks). */
function portRules(
  path: string,
  ports: unknown,
  type: string,
  fixed: readonly { name: string; port: number }[],
  causes: FieldCause[],
): void {
  if (!Array.isArray(ports)) return;
  const names = new Set(fixed.map((p) => p.name));
  const numbers = new Set(fixed.map((p) => `TCP/${p.port}`));
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    if (!isObject(port)) return;
    const at = `${path}.ports[${i}]`;
    // The Service has more than one port, so each needs a name.
    const name = port['name'];
    if (typeof name !== 'string' || name === '') causes.push(required(`${at}.name`));
    else {
      for (const detail of dns1123LabelErrors(name)) causes.push(invalid(`${at}.name`, name, detail));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    const number = port['port'];
    if (!validPort(number)) causes.push(invalid(`${at}.port`, number, PORT_RANGE));
    const protocol = typeof port['protocol'] === 'string' && port['protocol'] !== '' ? port['protocol'] : 'TCP';
    if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${at}.protocol`, protocol, PROTOCOLS));
    // targetPort 0 or "" means the port itself (SetDefaults_Service).
    const target = port['targetPort'] === undefined || port['targetPort'] === null || port['targetPort'] === 0 ||
        port['targetPort'] === ''
      ? number
      : port['targetPort'];
    if (typeof target === 'string') {
      for (const detail of portNameErrors(target)) causes.push(invalid(`${at}.targetPort`, target, detail));
    } else if (!validPort(target)) causes.push(invalid(`${at}.targetPort`, target, PORT_RANGE));
    const nodePort = port['nodePort'];
    if (typeof nodePort === 'number' && nodePort !== 0) {
      if (type === 'ClusterIP') causes.push(forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      const key = `${protocol}/${nodePort}`;
      if (nodePorts.has(key)) causes.push(duplicate(`${at}.nodePort`, nodePort));
      nodePorts.add(key);
    }
    const key = `${protocol}/${String(number)}`;
    if (numbers.has(key)) causes.push(duplicate(at, key));
    numbers.add(key);
    const appProtocol = port['appProtocol'];
    if (typeof appProtocol === 'string') {
      for (const detail of labelKeyErrors(appProtocol)) causes.push(invalid(`${at}.appProtocol`, appProtocol, detail));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// spec.podTemplate: resource claims

/**
 * The operator's pods declare no `resourceClaims`, so a container's `resources.claims` can name
 * none (the API server: "must be one of the names in pod.spec.resourceClaims which is empty").
 */
function claimRules(spec: JsonObject, causes: FieldCause[]): void {
  const claims = (path: string, resources: unknown) => {
    const list = at(resources, 'claims');
    if (!Array.isArray(list)) return;
    list.forEach((_, i) =>
      causes.push(
        forbidden(
          `${path}.claims[${i}]`,
          'the pods the operator builds declare no resourceClaims for a container to claim',
        ),
      )
    );
  };
  claims('spec.podTemplate.resources', at(spec, 'podTemplate', 'resources'));
  for (const which of ['containers', 'initContainers'] as const) {
    const list = at(spec, 'podTemplate', which);
    if (!Array.isArray(list)) continue;
    list.forEach((container, i) => claims(`spec.podTemplate.${which}[${i}].resources`, at(container, 'resources')));
  }
}

// ---------------------------------------------------------------------------------------------
// spec.podTemplate.containers, .initContainers, .volumes: patches by name over the operator's

/**
 * The containers and volumes the operator builds (pod-builder.ts, init-containers.ts), which a
 * podTemplate entry of the same name patches; any other entry is added whole.
 * test/unit/api/validate-cosmosfullnode.test.ts checks these against the builders.
 */
export function operatorContainerNames(spec: JsonObject): { containers: string[]; initContainers: string[] } {
  const versions = at(spec, 'chain', 'versions');
  const snapshot = at(spec, 'chain', 'snapshotScript') ?? at(spec, 'chain', 'snapshotURL');
  return {
    containers: [
      'node',
      'healthcheck',
      ...(Array.isArray(versions) && versions.length > 0 ? ['version-check-interval'] : []),
    ],
    initContainers: [
      'clean-init',
      'chain-init',
      'genesis-init',
      'addrbook-init',
      'config-merge',
      ...(snapshot !== undefined && snapshot !== null ? ['snapshot-restore'] : []),
      'version-check',
    ],
  };
}

/** The chain container's named ports and their numbers (ports.ts, buildContainerPorts). */
export function operatorNodePorts(spec: JsonObject): Record<string, number> {
  const address = (key: string) => {
    const value = at(spec, 'chain', 'config', key);
    return typeof value === 'string' ? value : undefined;
  };
  return {
    api: 1317,
    rosetta: 8080,
    grpc: 9090,
    prometheus: 26660,
    p2p: p2pPort(address('p2pListenAddress')),
    rpc: rpcPort(address('rpcListenAddress')),
    'grpc-web': 9091,
    ...(spec['type'] === 'Sentry' ? { privval: 1234 } : {}),
  };
}

/** The operator's volumes and the source each has (pod-builder.ts, buildVolumes). */
export const OPERATOR_VOLUMES: Readonly<Record<string, string>> = {
  'vol-chain-home': 'persistentVolumeClaim',
  'vol-tmp': 'emptyDir',
  'vol-config': 'projected',
  'vol-system-tmp': 'emptyDir',
  'vol-service-account': 'projected',
};

const VOLUME_SOURCES = Object.keys(
  (k8sComponent('io.k8s.api.core.v1.Volume')?.['properties'] ?? {}) as Record<string, unknown>,
).filter((key) => key !== 'name');

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function entryRules(spec: JsonObject, causes: FieldCause[]): void {
  const operator = operatorContainerNames(spec);
  // Container names are unique across containers and init containers of a pod.
  const namesIn = (which: 'containers' | 'initContainers') => {
    const entries = at(spec, 'podTemplate', which);
    const own = Array.isArray(entries) ? entries.map((e) => at(e, 'name')).filter((n) => typeof n === 'string') : [];
    return new Set<unknown>([...operator[which], ...own]);
  };
  const mainNames = namesIn('containers');
  const initEntries = at(spec, 'podTemplate', 'initContainers');
  if (Array.isArray(initEntries)) {
    initEntries.forEach((entry, i) => {
      const name = at(entry, 'name');
      if (typeof name === 'string' && mainNames.has(name)) {
        causes.push(duplicate(`spec.podTemplate.initContainers[${i}].name`, name));
      }
    });
  }
  const mainEntries = at(spec, 'podTemplate', 'containers');
  if (Array.isArray(mainEntries)) {
    mainEntries.forEach((entry, i) => {
      const name = at(entry, 'name');
      if (typeof name === 'string' && operator.initContainers.includes(name)) {
        causes.push(duplicate(`spec.podTemplate.containers[${i}].name`, name));
      }
    });
  }
  for (const which of ['containers', 'initContainers'] as const) {
    const entries = at(spec, 'podTemplate', which);
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const path = `spec.podTemplate.${which}[${i}]`;
      const name = entry['name'];
      // An entry the operator has no container for is a container of its own, image and all; an
      // empty image replaces the operator's.
      const image = entry['image'];
      const own = typeof name === 'string' && operator[which].includes(name);
      if (image === '' || (!own && typeof image !== 'string')) causes.push(required(`${path}.image`));
      // A port named like one of the chain container's, on another number, is a second port of
      // that name (one on the same number is merged into it).
      if (which === 'containers' && name === 'node' && Array.isArray(entry['ports'])) {
        const nodePorts = operatorNodePorts(spec);
        entry['ports'].forEach((port, j) => {
          const portName = at(port, 'name');
          const number = typeof portName === 'string' ? nodePorts[portName] : undefined;
          if (number !== undefined && at(port, 'containerPort') !== number) {
            causes.push(duplicate(`${path}.ports[${j}].name`, portName));
          }
        });
      }
      // The operator's init containers have no probes and no restart policy, so an entry's probes
      // are the pod's: only a sidecar (restartPolicy Always) may have them.
      if (which === 'initContainers' && entry['restartPolicy'] !== 'Always') {
        for (const probe of PROBES) {
          if (isObject(entry[probe])) {
            causes.push(
              forbidden(`${path}.${probe}`, 'may not be set for init containers without restartPolicy=Always'),
            );
          }
        }
      }
    });
  }
  const volumes = at(spec, 'podTemplate', 'volumes');
  if (!Array.isArray(volumes)) return;
  volumes.forEach((volume, i) => {
    if (!isObject(volume)) return;
    const path = `spec.podTemplate.volumes[${i}]`;
    const own = typeof volume['name'] === 'string' ? OPERATOR_VOLUMES[volume['name']] : undefined;
    // Merged into one of the operator's volumes, a source of another type is a second source.
    // (No source at all is an emptyDir: SetDefaults_Volume.)
    const sources = [
      ...(own === undefined ? [] : [own]),
      ...VOLUME_SOURCES.filter((key) => key !== own && isObject(volume[key])),
    ];
    if (sources.length > 1) {
      const what = own === undefined
        ? sources.join(', ')
        : `${sources.slice(1).join(', ')}, besides the operator's ${own}`;
      causes.push(forbidden(path, `may not specify more than 1 volume type (${what})`));
    }
  });
}
