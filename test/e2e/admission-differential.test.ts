// Differential test of admission against the API server. Generated CosmosFullNode specs, with the
// embedded Kubernetes parts at the edges of what Kubernetes accepts (test/fixtures/
// differential-arbitraries.ts), are judged twice:
//   - by our validation, in process (API_KINDS: defaulting, then validation, as the webhooks run);
//   - by the API server, on the core objects the operator builds from them with the reconciler's
//     own builders: the Pod from `podTemplate`, the PVC from `volumeClaimTemplate`, the p2p and
//     RPC Services from `service`, each created with `dryRun=All` through the REST API.
// The API server's causes are mapped back to the CosmosFullNode fields they came from
// (spec.tolerations[0].operator of the Pod is spec.podTemplate.tolerations[0].operator; a
// container's fields go to the podTemplate.containers entry of its name, the node container's
// resources to podTemplate.resources; test/support/differential.ts) and compared field by field.
// A field one side refuses and the other does not is a disagreement. Each must be listed in
// docs/validation.md, "Where admission and the API server differ", which this test reads;
// an unlisted one fails the test, printed with an example.
//
// ADMISSION_DIFF_SPECS: how many specs (default 10,000; `npm test` runs the default). The seed is
// the property seed (test/fixtures/property-seed.ts: fixed by default; PROPERTY_SEED=<n> or
// PROPERTY_SEED=random explores), printed. ADMISSION_DIFF_REPORT=<file> writes every disagreement
// found, listed or not, with up to three examples each.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import https from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { COSMOS_FULL_NODE } from '../../src/api/kinds.ts';
import type { CosmosFullNode } from '../../src/api/cosmosfullnode.ts';
import { rpcServiceName } from '../../src/api/naming.ts';
import { buildPod } from '../../src/reconcile/fullnode/build/pod-builder.ts';
import { buildPvcs } from '../../src/reconcile/fullnode/build/pvc-builder.ts';
import { buildServices } from '../../src/reconcile/fullnode/build/service-builder.ts';
import { newNamespace, type TestCluster, testCluster } from '../cluster/connect.ts';
import { type ApiAuth, apiRequest } from '../cluster/kube-http.ts';
import { aFullNode } from '../fixtures/api/objects.ts';
import { podTemplateArb, serviceArb, volumeClaimTemplateArb } from '../fixtures/differential-arbitraries.ts';
import { propertySeed } from '../fixtures/property-seed.ts';
import {
  type Accepted,
  acceptedDifferences,
  admissionField,
  type Cause,
  type Disagreement,
  disagreements,
  isAllocationCause,
  type Json,
  type Judged,
  listedBy,
  normalize,
  type OperatorNames,
  overriddenInPod,
  type Part,
  PART_ROOT,
  podFields,
  pvcField,
  serviceField,
  within,
} from '../support/differential.ts';

const SPECS = Number(process.env['ADMISSION_DIFF_SPECS'] ?? 10_000);
const CONCURRENCY = 16;
/** Specs built and judged at a time. */
const CHUNK = 500;
const NAME = 'diff';
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'validation.md');
const PARTS = Object.keys(PART_ROOT) as Part[];

// ---------------------------------------------------------------------------------------------
// generated specs and the objects built from them

type Case = {
  readonly index: number;
  readonly node: Json;
  readonly ours: readonly Judged[];
  /** The built objects, by part; a part whose objects could not be built is absent. */
  readonly built: Partial<Record<Part, Json[]>>;
  readonly buildErrors: readonly string[];
};

const partsArb = fc.record({
  podTemplate: podTemplateArb,
  volumeClaimTemplate: volumeClaimTemplateArb,
  service: serviceArb,
});

function aNode(namespace: string, parts: Json): Json {
  const raw = aFullNode(NAME);
  // Two replicas: with maxP2PExternalAddresses 1 (the default) one p2p Service is external and
  // one is not, so both uses of p2pTemplate are built.
  Object.assign(raw['spec'] as Json, parts, { replicas: 2, serviceAccountName: 'default' });
  (raw['metadata'] as Json)['namespace'] = namespace;
  return COSMOS_FULL_NODE.default(raw);
}

function aCase(index: number, namespace: string, parts: Json): Case {
  const node = aNode(namespace, parts);
  const ours: Judged[] = [];
  for (const cause of COSMOS_FULL_NODE.validate(node).causes) {
    const part = PARTS.find((p) => within(cause.field, PART_ROOT[p]));
    assert.ok(part !== undefined, `case ${index}: a cause outside the generated parts: ${JSON.stringify(cause)}`);
    ours.push({ part, field: cause.field, message: cause.message });
  }
  const built: Partial<Record<Part, Json[]>> = {};
  const buildErrors: string[] = [];
  const typed = node as unknown as CosmosFullNode;
  const tryBuild = (part: Part, build: () => Json[]) => {
    try {
      built[part] = build();
    } catch (error) {
      buildErrors.push(`${part}: ${(error as Error).stack ?? String(error)}`);
    }
  };
  tryBuild('Pod', () => [buildPod(typed, 0, {}) as unknown as Json]);
  tryBuild('PVC', () => {
    const ref = typed.spec.volumeClaimTemplate.dataSource;
    // As when the data source exists: the control sets one of a kind it knows (pvc-control.ts,
    // findDataSource) on the PVC it creates.
    const known = ref !== undefined && ref !== null &&
      ((ref.kind === 'VolumeSnapshot' && ref.apiGroup === 'snapshot.storage.k8s.io') ||
        (ref.kind === 'PersistentVolumeClaim' && (ref.apiGroup ?? '') === ''));
    const [first] = buildPvcs(typed, {
      boundCapacity: {},
      autoScaleRequested: {},
      dataSources: known ? { [`pvc-${NAME}-0`]: { ref: ref as never } } : {},
    });
    const pvc = first!.dataSource === undefined
      ? first!.pvc
      : { ...first!.pvc, spec: { ...first!.pvc.spec, dataSource: first!.dataSource } };
    return [pvc as unknown as Json];
  });
  tryBuild('Service', () => buildServices(typed).map((d) => d.service as unknown as Json));
  return { index, node, ours, built, buildErrors };
}

/** The containers and volumes the operator builds by itself, without any podTemplate entries. */
function operatorNames(namespace: string): OperatorNames {
  const pod = buildPod(aNode(namespace, {}) as unknown as CosmosFullNode, 0, {})!;
  const names = (items: { name: string }[] | undefined) => new Set((items ?? []).map((i) => i.name));
  return {
    containers: names(pod.spec?.containers),
    initContainers: names(pod.spec?.initContainers),
    volumes: names(pod.spec?.volumes),
  };
}

// ---------------------------------------------------------------------------------------------
// the API server's verdicts

type Verdict = { readonly status: number; readonly causes: readonly Cause[] };

const PLURAL: Record<string, string> = {
  Pod: 'pods',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Service: 'services',
};

/** Dry-run creates, CONCURRENCY at a time; an object sent once is answered from memory after. */
function dryRunner(auth: ApiAuth, namespace: string) {
  const seen = new Map<string, Promise<Verdict>>();
  let requests = 0;
  let active = 0;
  const waiting: (() => void)[] = [];
  async function send(body: string, kind: string): Promise<Verdict> {
    if (active >= CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      requests++;
      const path = `/api/v1/namespaces/${namespace}/${PLURAL[kind]}?dryRun=All&fieldValidation=Strict`;
      for (let attempt = 0;; attempt++) {
        const res = await apiRequest(auth, 'POST', path, { body, timeoutMs: 60_000 }).catch((e: Error) => ({
          status: 0,
          body: e.message,
        }));
        if ((res.status === 0 || res.status === 429 || res.status >= 500) && attempt < 5) {
          await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
          continue;
        }
        if (res.status === 200 || res.status === 201) return { status: res.status, causes: [] };
        let status: { message?: string; details?: { causes?: { field?: string; message: string }[] } } = {};
        try {
          status = JSON.parse(res.body);
        } catch {
          // not a Status: keep the body as the message
        }
        const causes = (status.details?.causes ?? []).map((c) => ({ field: c.field ?? '', message: c.message }));
        return {
          status: res.status,
          causes: causes.length > 0 ? causes : [{ field: '', message: status.message ?? res.body }],
        };
      }
    } finally {
      active--;
      waiting.shift()?.();
    }
  }
  return {
    verdict(object: Json): Promise<Verdict> {
      const body = JSON.stringify(object);
      const key = createHash('sha256').update(body).digest('base64');
      let found = seen.get(key);
      if (found === undefined) {
        found = send(body, object['kind'] as string);
        seen.set(key, found);
      }
      return found;
    },
    get requests() {
      return requests;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// reporting

function example(d: Disagreement, nodes: readonly Json[]): string {
  const key = (d.field.startsWith('Pod:') ? PART_ROOT.Pod : d.field).split(/[.[]/)[1] ?? '';
  const spec = nodes[d.caseIndex]!['spec'] as Json;
  const show = (causes: readonly Judged[]) =>
    causes.length === 0 ? 'admits' : causes.map((x) => `${x.field}: ${x.message}`).join(' | ');
  return [
    `    case ${d.caseIndex}: spec.${key} = ${JSON.stringify(spec[key])}`,
    `    webhook: ${show(d.ours)}`,
    `    API server: ${show(d.theirs)}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

describe('admission agrees with the API server on the embedded Kubernetes parts', () => {
  let cluster: TestCluster;
  let ns: string;
  let agent: https.Agent;

  before(async () => {
    cluster = await testCluster();
    ns = await newNamespace('admission-differential');
    agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  });
  after(async () => {
    agent?.destroy();
    if (ns !== undefined) await apiRequest(cluster.admin, 'DELETE', `/api/v1/namespaces/${ns}`).catch(() => {});
  });

  it('reads its accepted differences from docs/validation.md', () => {
    const rows = acceptedDifferences(readFileSync(DOC, 'utf8'));
    assert.ok(rows.length > 0);
    for (const row of rows) assert.ok(row.patterns.length > 0 && row.why !== '', JSON.stringify(row));
  });

  it(`finds no unlisted disagreement in ${SPECS} generated specs`, async (t) => {
    const accepted = acceptedDifferences(readFileSync(DOC, 'utf8'));
    t.diagnostic(`seed ${propertySeed} (PROPERTY_SEED=${propertySeed} replays it); ADMISSION_DIFF_SPECS=${SPECS}`);
    const started = Date.now();
    const operator = operatorNames(ns);
    const rpcName = rpcServiceName(aNode(ns, {}) as unknown as CosmosFullNode);
    const generated = fc.sample(partsArb, { numRuns: SPECS, seed: propertySeed });
    const runner = dryRunner({ ...cluster.admin, agent }, ns);
    const tally: Record<Part, Record<string, number>> = { Pod: {}, PVC: {}, Service: {} };
    const found: Disagreement[] = [];
    const unexpected: string[] = [];
    /** The CosmosFullNode of every case, for the examples; the built objects are let go. */
    const nodes: Json[] = [];
    let inProcessMs = 0;

    async function judge(c: Case): Promise<void> {
      if (c.buildErrors.length > 0 && c.ours.length === 0) {
        unexpected.push(`case ${c.index}: admitted, but the builders threw: ${c.buildErrors.join('; ')}`);
      }
      const theirs: Judged[] = [];
      const unvalidated = new Set<Part>();
      for (const part of PARTS) {
        const objects = c.built[part];
        if (objects === undefined) {
          unvalidated.add(part);
          continue;
        }
        const verdicts = await Promise.all(objects.map((o) => runner.verdict(o)));
        verdicts.forEach((v, k) => {
          if (![200, 201, 403, 422].includes(v.status)) {
            unexpected.push(`case ${c.index} ${part}: HTTP ${v.status}: ${JSON.stringify(v.causes)}`);
          }
          if (v.status === 403 || (v.causes.length > 0 && v.causes.every(isAllocationCause))) unvalidated.add(part);
          for (const cause of v.causes) {
            const object = objects[k]!;
            const [field, ...also] = v.status === 403
              ? [admissionField(part, cause.message)]
              : part === 'Pod'
              ? podFields(cause, object, c.node, operator)
              : part === 'PVC'
              ? [pvcField(cause, c.node)]
              : [serviceField(cause, object, c.node, rpcName)];
            theirs.push({ part, field: field!, message: cause.message, also });
          }
        });
      }
      // Verdicts by the part of the CosmosFullNode a refusal names (a bad podTemplate.image is
      // refused on the PVC and Services too, through their version label).
      for (const part of PARTS) {
        const names = (j: Judged) => within(j.field, PART_ROOT[part]) || j.field.startsWith(`${part}:`);
        const verdict = `${c.ours.some(names) ? 'refuse' : 'admit'}/${theirs.some(names) ? 'refuse' : 'admit'}`;
        tally[part][verdict] = (tally[part][verdict] ?? 0) + 1;
      }
      found.push(...disagreements(c.index, c.ours, theirs, unvalidated, (f) => overriddenInPod(f, c.node)));
    }

    // In chunks, so the built objects of only one chunk are held at a time.
    for (let start = 0; start < generated.length; start += CHUNK) {
      const before = Date.now();
      const chunk = generated.slice(start, start + CHUNK).map((parts, k) => aCase(start + k, ns, parts as Json));
      inProcessMs += Date.now() - before;
      for (const c of chunk) nodes.push(c.node);
      await Promise.all(chunk.map(judge));
    }
    const finished = Date.now();

    t.diagnostic(
      `${generated.length} specs judged in process (defaulting, validation, building) in ${inProcessMs} ms; ` +
        `${runner.requests} dry-run requests (distinct objects); ${finished - started} ms in all ` +
        `(${Math.round((runner.requests / Math.max(1, finished - started)) * 1000)} requests/s)`,
    );
    for (const part of PARTS) {
      t.diagnostic(`${PART_ROOT[part]}: webhook/API server verdicts ${JSON.stringify(tally[part])}`);
    }
    const groups = new Map<string, Disagreement[]>();
    for (const d of found) {
      const key = `${d.side} refuses ${normalize(d.field)}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    const unlisted: string[] = [];
    const used = new Set<Accepted>();
    for (const [key, all] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const row = listedBy(accepted, all[0]!);
      if (row !== undefined) used.add(row);
      t.diagnostic(`${row === undefined ? 'UNLISTED' : 'listed'}: ${key} (${all.length} times)`);
      if (row === undefined) unlisted.push(`${key} (${all.length} times), e.g.\n${example(all[0]!, nodes)}`);
    }
    for (const row of accepted) {
      if (!used.has(row)) t.diagnostic(`not met in this run: ${row.patterns.join(', ')} (${row.side})`);
    }
    const report = process.env['ADMISSION_DIFF_REPORT'];
    if (report !== undefined && report !== '') {
      const text = [...groups].map(([key, all]) =>
        `${key} (${all.length} times)\n${all.slice(0, 3).map((d) => example(d, nodes)).join('\n')}\n`
      );
      writeFileSync(report, text.join('\n'));
      t.diagnostic(`report written to ${report}`);
    }
    assert.deepEqual(unexpected, []);
    assert.deepEqual(unlisted, [], `disagreements not listed in docs/validation.md:\n${unlisted.join('\n')}`);
  });
});
