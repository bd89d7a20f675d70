// The CustomResourceDefinitions of the three kinds, built from the same fields the webhook validates
// with (schema-kit), with the embedded Kubernetes types inlined from the API server's OpenAPI
// document. Pure: `buildCrds()` returns objects, `renderCrd()` their YAML; generate-crds.ts writes them.
import { dumpYaml } from '@kubernetes/client-node';
import {
  FULL_NODE_KIND,
  FULL_NODE_PRINTER_COLUMNS,
  FULL_NODE_VERSION,
  fullNodeSpec,
  fullNodeStatus,
  GROUP,
} from '../src/api/cosmosfullnode.ts';
import { inlineK8sRefs } from '../src/api/k8s-types.ts';
import {
  scheduledVolumeSnapshotSpec,
  scheduledVolumeSnapshotStatus,
  SNAPSHOT_KIND,
  SNAPSHOT_PRINTER_COLUMNS,
  SNAPSHOT_VERSION,
} from '../src/api/scheduledvolumesnapshot.ts';
import type { Field, OpenApiSchema } from '../src/api/schema-kit.ts';
import {
  STATEFUL_JOB_KIND,
  STATEFUL_JOB_PRINTER_COLUMNS,
  STATEFUL_JOB_VERSION,
  statefulJobSpec,
  statefulJobStatus,
} from '../src/api/statefuljob.ts';

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns: readonly {
        name: string;
        type: string;
        jsonPath: string;
        description?: string;
        priority?: number;
      }[];
      subresources: {
        status: Record<string, never>;
        scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
      };
      schema: { openAPIV3Schema: OpenApiSchema };
    }[];
  };
}

const CATEGORY = 'cosmos';

interface KindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly shortName: string;
  readonly version: string;
  readonly description: string;
  readonly spec: Field<unknown>;
  readonly status: Field<unknown>;
  readonly printerColumns: CustomResourceDefinition['spec']['versions'][number]['additionalPrinterColumns'];
  readonly scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

const KINDS: readonly KindDefinition[] = [
  {
    kind: FULL_NODE_KIND,
    plural: 'cosmosfullnodes',
    shortName: 'cfn',
    version: FULL_NODE_VERSION,
    description:
      'CosmosFullNode runs highly available full nodes (RPC nodes or validator sentries) of a Cosmos SDK chain: one pod and one PVC per replica, with rolling updates, height-based upgrades and self-healing.',
    spec: fullNodeSpec as Field<unknown>,
    status: fullNodeStatus as Field<unknown>,
    printerColumns: FULL_NODE_PRINTER_COLUMNS,
    // A HorizontalPodAutoscaler can scale replicas: it reads .status.replicas and .status.selector.
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  },
  {
    kind: SNAPSHOT_KIND,
    plural: 'scheduledvolumesnapshots',
    shortName: 'svs',
    version: SNAPSHOT_VERSION,
    description:
      'ScheduledVolumeSnapshot takes VolumeSnapshots of a CosmosFullNode PVC on a cron schedule and keeps the most recent ones.',
    spec: scheduledVolumeSnapshotSpec as Field<unknown>,
    status: scheduledVolumeSnapshotStatus as Field<unknown>,
    printerColumns: SNAPSHOT_PRINTER_COLUMNS,
  },
  {
    kind: STATEFUL_JOB_KIND,
    plural: 'statefuljobs',
    shortName: 'sj',
    version: STATEFUL_JOB_VERSION,
    description:
      'StatefulJob periodically runs a Job on a PVC restored from the newest matching VolumeSnapshot, for example to compress and upload chain data.',
    spec: statefulJobSpec as Field<unknown>,
    status: statefulJobStatus as Field<unknown>,
    printerColumns: STATEFUL_JOB_PRINTER_COLUMNS,
  },
];

export interface CrdOptions {
  /** Cut the embedded Kubernetes descriptions to their first sentence (default true: keeps each CRD well under etcd's request limit). */
  readonly shortDescriptions?: boolean;
}

export function buildCrds(options: CrdOptions = {}): CustomResourceDefinition[] {
  return KINDS.map((kind) => buildCrd(kind, { shortDescriptions: options.shortDescriptions ?? true }));
}

function buildCrd(definition: KindDefinition, options: { shortDescriptions: boolean }): CustomResourceDefinition {
  const singular = definition.kind.toLowerCase();
  const root: OpenApiSchema = {
    description: definition.description,
    type: 'object',
    properties: {
      apiVersion: {
        description:
          'Versioned schema of this object; servers convert recognised schemas to the latest internal value.',
        type: 'string',
      },
      kind: { description: 'REST resource this object represents; CamelCase.', type: 'string' },
      // apiextensions forbids anything but name/generateName constraints here, a description included.
      metadata: { type: 'object' },
      spec: definition.spec.openapi,
      status: definition.status.openapi,
    },
    required: ['spec'],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${definition.plural}.${GROUP}`,
      annotations: { 'cosmos.strange.love/generated-by': 'tools/generate-crds.ts' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular,
        shortNames: [definition.shortName],
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: definition.version,
          served: true,
          storage: true,
          additionalPrinterColumns: definition.printerColumns,
          subresources: definition.scale === undefined ? { status: {} } : { status: {}, scale: definition.scale },
          schema: { openAPIV3Schema: inlineK8sRefs(root, options) },
        },
      ],
    },
  };
}

/** File name under deploy/crd/, following controller-gen's `<group>_<plural>.yaml`. */
export function crdFileName(crd: CustomResourceDefinition): string {
  return `${crd.spec.group}_${crd.spec.names.plural}.yaml`;
}

/**
 * YAML of a CRD. client-node's dumpYaml maps known kinds through its model classes, which would drop
 * the x-kubernetes-* keys, so the body is dumped without apiVersion/kind and those are prepended.
 */
export function renderCrd(crd: CustomResourceDefinition): string {
  const { apiVersion, kind, ...body } = crd;
  const yaml = dumpYaml(body, { noRefs: true, lineWidth: 120, sortKeys: false });
  return `# Generated by \`npm run generate\` (tools/generate-crds.ts) from src/api. Do not edit.\n---\napiVersion: ${apiVersion}\nkind: ${kind}\n${yaml}`;
}

export function renderKustomization(crds: readonly CustomResourceDefinition[]): string {
  const resources = crds.map((crd) => `  - ${crdFileName(crd)}`).join('\n');
  return `# Generated by \`npm run generate\` (tools/generate-crds.ts). Do not edit.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources}\n`;
}

/** Every generated file under deploy/crd/, by file name. */
export function renderCrdFiles(options: CrdOptions = {}): Map<string, string> {
  const crds = buildCrds(options);
  const files = new Map<string, string>();
  for (const crd of crds) files.set(crdFileName(crd), renderCrd(crd));
  files.set('kustomization.yaml', renderKustomization(crds));
  return files;
}
