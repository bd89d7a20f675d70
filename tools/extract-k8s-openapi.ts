// Extracts the Kubernetes component schemas our CRDs embed (containers, volumes, affinity, …) from
// the API server's own OpenAPI v3 documents into src/api/k8s-openapi-v1.35.json, so the CRD generator
// and the admission checks use exactly what kube-apiserver v1.35 publishes (docs/architecture.md §6.5).
//
//   node tools/extract-k8s-openapi.ts [--kubernetes <dir of api/openapi-spec/v3>] [--snapshotter <volumesnapshots CRD yaml>]
//
// Defaults point into the Go module cache (k8s.io/kubernetes@v1.35.4 and
// github.com/kubernetes-csi/external-snapshotter/client/v8@v8.7.0); fetch them with
// `go mod download -json k8s.io/kubernetes@v1.35.4` if they are missing.
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAllYaml } from '@kubernetes/client-node';

const KUBERNETES_VERSION = 'v1.35.4';
const SNAPSHOTTER_VERSION = 'v8.7.0';
const REF_PREFIX = '#/components/schemas/';

/** The component schemas the API embeds directly; their transitive references come along. */
const ROOTS = [
  'io.k8s.api.core.v1.Affinity',
  'io.k8s.api.core.v1.Container',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.PodSpec',
  'io.k8s.api.core.v1.ResourceRequirements',
  'io.k8s.api.core.v1.ServicePort',
  'io.k8s.api.core.v1.Toleration',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.Volume',
  'io.k8s.api.batch.v1.JobStatus',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
];

/** Name under which the VolumeSnapshot status schema (a CRD, not part of kube-apiserver) is stored. */
export const VOLUME_SNAPSHOT_STATUS = 'io.k8s.snapshot.storage.v1.VolumeSnapshotStatus';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function main(): void {
  const modCache = process.env['GOMODCACHE'] ?? join(homedir(), 'go', 'pkg', 'mod');
  const { values } = parseArgs({
    options: {
      kubernetes: {
        type: 'string',
        default: join(modCache, `k8s.io/kubernetes@${KUBERNETES_VERSION}/api/openapi-spec/v3`),
      },
      snapshotter: {
        type: 'string',
        default: join(
          modCache,
          `github.com/kubernetes-csi/external-snapshotter/client/v8@${SNAPSHOTTER_VERSION}/config/crd/snapshot.storage.k8s.io_volumesnapshots.yaml`,
        ),
      },
      out: { type: 'string', default: new URL('../src/api/k8s-openapi-v1.35.json', import.meta.url).pathname },
    },
  });
  const available: Record<string, JsonObject> = {};
  for (const file of ['api__v1_openapi.json', 'apis__batch__v1_openapi.json']) {
    const doc = JSON.parse(readFileSync(join(values.kubernetes, file), 'utf8')) as {
      components: { schemas: Record<string, JsonObject> };
    };
    Object.assign(available, doc.components.schemas);
  }
  const picked = closure(ROOTS, available);
  picked[VOLUME_SNAPSHOT_STATUS] = volumeSnapshotStatus(readFileSync(values.snapshotter, 'utf8'));

  const sorted: Record<string, JsonObject> = {};
  for (const name of Object.keys(picked).sort()) sorted[name] = picked[name]!;
  const snapshot = {
    source: {
      kubernetes: `k8s.io/kubernetes@${KUBERNETES_VERSION} api/openapi-spec/v3/{api__v1,apis__batch__v1}_openapi.json`,
      volumeSnapshotStatus:
        `github.com/kubernetes-csi/external-snapshotter/client/v8@${SNAPSHOTTER_VERSION} config/crd/snapshot.storage.k8s.io_volumesnapshots.yaml (v1 .status)`,
      regenerate: 'node tools/extract-k8s-openapi.ts',
    },
    schemas: sorted,
  };
  writeFileSync(values.out, JSON.stringify(snapshot, null, 1) + '\n');
  console.log(`wrote ${Object.keys(sorted).length} schemas to ${values.out}`);
}

function closure(roots: string[], available: Record<string, JsonObject>): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (out[name] !== undefined) continue;
    const schema = available[name];
    if (schema === undefined) throw new Error(`schema ${name} not found in the OpenAPI documents`);
    out[name] = schema;
    for (const ref of refsIn(schema)) pending.push(ref);
  }
  return out;
}

function refsIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  const refs: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX)) {
      refs.push(child.slice(REF_PREFIX.length));
    } else refs.push(...refsIn(child));
  }
  return refs;
}

function volumeSnapshotStatus(yaml: string): JsonObject {
  const [crd] = loadAllYaml(yaml) as [
    { spec: { versions: { name: string; schema: { openAPIV3Schema: { properties: { status: JsonObject } } } }[] } },
  ];
  const v1 = crd.spec.versions.find((version) => version.name === 'v1');
  if (v1 === undefined) throw new Error('the VolumeSnapshot CRD has no v1 version');
  return v1.schema.openAPIV3Schema.properties.status;
}

main();
