// The comparison behind test/e2e/admission-differential.test.ts: the API server's causes on the
// Pod, PVC and Services the operator builds, mapped back to the CosmosFullNode fields they came
// from, and set against our own causes field by field; and the accepted differences, read from
// docs/validation.md. Pure: no I/O but reading that file's text when given it.
import assert from 'node:assert/strict';
import { imageVersion } from '../../src/api/naming.ts';

export type Json = Record<string, unknown>;
export type Part = 'Pod' | 'PVC' | 'Service';
export type Side = 'webhook' | 'API server';
export type Cause = { readonly field: string; readonly message: string };

export const PART_ROOT: Readonly<Record<Part, string>> = {
  Pod: 'spec.podTemplate',
  PVC: 'spec.volumeClaimTemplate',
  Service: 'spec.service',
};

// ---------------------------------------------------------------------------------------------
// fields

export function within(field: string, root: string): boolean {
  return field === root || field.startsWith(`${root}.`) || field.startsWith(`${root}[`);
}

const bare = (field: string) => field.replace(/\[[^\]]*\]/g, '');

/**
 * Either field is the other or lies inside it, also with indices and keys dropped: the API server
 * names a few fields without their index or key (`volumeMounts.subPath`, `metadata.labels`,
 * `resources.requests` for a request above its limit).
 */
export function related(a: string, b: string): boolean {
  return within(a, b) || within(b, a) || within(bare(a), bare(b)) || within(bare(b), bare(a));
}

/** Indices and map keys become `[*]`: one pattern covers every list item and key. */
export function normalize(field: string): string {
  return field.replace(/\[[^\]]*\]/g, '[*]');
}

/** `.a.b[k][0].c` → ['a', 'b', 'k', '0', 'c']. */
function segments(rest: string): string[] {
  return [...rest.matchAll(/\.([^.[\]]+)|\[([^\]]*)\]/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** How many leading steps of `rest` lead to values inside `value` (a name without an index matches any item). */
function depthIn(value: unknown, rest: string): number {
  let current: unknown = value;
  let depth = 0;
  for (const segment of segments(rest)) {
    if (Array.isArray(current)) {
      current = /^\d+$/.test(segment)
        ? current[Number(segment)]
        : current.find((item) => item !== null && typeof item === 'object' && segment in item)?.[segment];
    } else if (current !== null && typeof current === 'object') current = (current as Json)[segment];
    else return depth;
    if (current === undefined) return depth;
    depth++;
  }
  return depth;
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const at = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Json)[key] : undefined;

/** The value of `Invalid value: "x": …`, when there is one. */
function invalidValue(message: string): string | undefined {
  const m = /^Invalid value: ("(?:[^"\\]|\\.)*")/.exec(message);
  return m === null ? undefined : (JSON.parse(m[1]!) as string);
}

/** The app.kubernetes.io/version label comes from podTemplate.image, on every child. */
function isVersionLabel(field: string, message: string, node: Json): boolean {
  if (!field.startsWith('metadata.labels')) return false;
  const image = at(at(node['spec'], 'podTemplate'), 'image');
  return typeof image === 'string' && invalidValue(message) === imageVersion(image);
}

// ---------------------------------------------------------------------------------------------
// API server fields → CosmosFullNode fields

/** Merge keys of the container lists the podTemplate patches (strategic-merge.ts). */
const CONTAINER_LIST_KEYS: Readonly<Record<string, string>> = {
  ports: 'containerPort',
  env: 'name',
  volumeMounts: 'mountPath',
};

/** The names the operator gives its own containers and volumes, by list. */
export type OperatorNames = Readonly<Record<'containers' | 'initContainers' | 'volumes', ReadonlySet<string>>>;

/**
 * `rest` (inside a built container) with list indices of the built container turned into indices
 * of the template `entry`, found by merge key; undefined when an item is the operator's own.
 */
function entryRest(rest: string, built: unknown, entry: Json): string | undefined {
  const inner = /^\.(ports|env|volumeMounts)\[(\d+)\](.*)$/.exec(rest);
  if (inner === null) return rest;
  const [, name, k, tail] = inner as unknown as [string, string, string, string];
  const key = CONTAINER_LIST_KEYS[name]!;
  const element = list(at(built, name))[Number(k)];
  const j = list(entry[name]).findIndex((e) => e[key] === at(element, key));
  return j < 0 ? undefined : `.${name}[${j}]${tail}`;
}

/**
 * A request the API server copied from a limit (SetDefaults_Pod) is named as that limit:
 * `.resources.requests[cpu]` → `.resources.limits[cpu]` when `source` has only the limit.
 */
function requestFromLimit(rest: string, source: unknown): string {
  const m = /^\.resources\.requests\[([^\]]+)\](.*)$/.exec(rest);
  if (m === null) return rest;
  const resources = at(source, 'resources');
  const requested = at(at(resources, 'requests'), m[1]!) !== undefined;
  const limited = at(at(resources, 'limits'), m[1]!) !== undefined;
  return !requested && limited ? `.resources.limits[${m[1]}]${m[2]}` : rest;
}

/**
 * A field of the built Pod as fields of the CosmosFullNode, or `Pod:<field>` for what the
 * operator built on its own. Usually one; two where a merged container's value may come from the
 * template and from a `containers` entry alike (the node container's resources).
 */
export function podFields(cause: Cause, pod: Json, node: Json, operator: OperatorNames): string[] {
  const { field, message } = cause;
  const template = at(node['spec'], 'podTemplate') as Json;
  const spec = at(pod, 'spec');
  const root = PART_ROOT.Pod;
  if (isVersionLabel(field, message, node)) return [`${root}.image`];
  if (field.startsWith('metadata.labels') || field.startsWith('metadata.annotations')) return [`${root}.${field}`];
  // A mount of the operator's naming a volume the template replaced with an invalid one: the
  // API server does not count invalid volumes, so the mount's volume is "Not found".
  const missing = /^Not found: "(.*)"$/.exec(message);
  if (missing !== null && /\.volumeMounts\[\d+\]\.name$/.test(field)) {
    const i = list(at(template, 'volumes')).findIndex((v) => v['name'] === missing[1]);
    if (i >= 0) return [`${root}.volumes[${i}]`];
  }
  // A container entry named like one of the operator's init containers: the API server finds
  // the name twice at the init container.
  const twice = /^Duplicate value: "(.*)"$/.exec(message);
  if (twice !== null && /^spec\.initContainers\[\d+\]\.name$/.test(field)) {
    const i = list(at(template, 'containers')).findIndex((c) => c['name'] === twice[1]);
    if (i >= 0 && !list(at(template, 'initContainers')).some((c) => c['name'] === twice[1])) {
      return [`${root}.containers[${i}].name`];
    }
  }
  const containers = /^spec\.(containers|initContainers)\[(\d+)\](.*)$/.exec(field);
  if (containers !== null) {
    const [, which, index, raw] = containers as unknown as ['', 'containers' | 'initContainers', string, string];
    const built = list(at(spec, which))[Number(index)];
    const name = at(built, 'name') as string;
    // The template-wide fields the operator copies onto its containers.
    const shared: Json = { imagePullPolicy: at(template, 'imagePullPolicy') };
    // The chain image goes on node and chain-init (pod-builder.ts), the resources on node.
    if (which === 'containers' && name === 'node') {
      Object.assign(shared, { resources: at(template, 'resources'), image: at(template, 'image') });
    }
    if (which === 'initContainers' && name === 'chain-init') shared['image'] = at(template, 'image');
    const sharedRest = requestFromLimit(raw, shared);
    let best: { path: string; depth: number } | undefined;
    list(at(template, which)).forEach((entry, i) => {
      if (entry['name'] !== name) return;
      const rest = entryRest(requestFromLimit(raw, entry), built, entry);
      // An entry that sets the whole field wins over the shared one, which it replaces.
      const depth = rest === undefined
        ? 0
        : depthIn(entry, rest) === segments(rest).length
        ? Number.MAX_SAFE_INTEGER
        : depthIn(entry, rest);
      // Later entries of one name are applied later, so they win ties.
      if (best === undefined || depth >= best.depth) {
        best = { path: `${root}.${which}[${i}]${rest ?? ''}`, depth: rest === undefined ? -1 : depth };
      }
    });
    const sharedDepth = depthIn(shared, sharedRest);
    const entry = best as { path: string; depth: number } | undefined;
    // An entry that names a field without setting it (`resources: {}`) leaves the template's.
    // Where an entry and the template both give the node container resources, the API server
    // judges them merged: a request of one may lack the limit of the other. Either is meant.
    const merged = raw.startsWith('.resources') && sharedDepth > 0 && entry !== undefined && entry.depth > 0;
    const both = (
      first: string,
    ) => [first, `${root}.resources`, `${entry!.path.replace(/\.resources\b.*$/, '')}.resources`];
    if (sharedDepth > 0 && sharedDepth >= (entry?.depth ?? 0)) {
      return merged ? both(`${root}${sharedRest}`) : [`${root}${sharedRest}`];
    }
    if (entry !== undefined && (entry.depth > 0 || !operator[which].has(name))) {
      return merged ? both(entry.path) : [entry.path];
    }
    // The operator's own part of a container the template patched: the patch as a whole.
    if (entry !== undefined) return [entry.path.replace(/^(.*?\[\d+\]).*$/, '$1')];
    return [`Pod:${field}`];
  }
  const byName = /^spec\.(volumes|imagePullSecrets)\[(\d+)\](.*)$/.exec(field);
  if (byName !== null) {
    const [, which, index, rest] = byName as unknown as [string, string, string, string];
    const name = at(list(at(spec, which))[Number(index)], 'name');
    const i = list(at(template, which)).findIndex((e) => e['name'] === name);
    return [i >= 0 ? `${root}.${which}[${i}]${rest}` : `Pod:${field}`];
  }
  const added = addedFromPodLabels(field, template);
  if (added !== undefined) return [added];
  const direct =
    /^spec\.(tolerations|affinity|nodeSelector|terminationGracePeriodSeconds|priority|priorityClassName)\b/;
  if (direct.test(field)) return [`${root}.${field.slice('spec.'.length)}`];
  return [`Pod:${field}`];
}

/**
 * A pod affinity term's `matchLabelKeys` and `mismatchLabelKeys` add requirements to its label
 * selector from the pod's own labels before validation (MatchLabelKeysInPodAffinity): a refused
 * requirement past the template's own is about the pod label it was made from.
 */
function addedFromPodLabels(field: string, template: Json): string | undefined {
  const m = /^spec\.(affinity\..*\.labelSelector)\.matchExpressions\[(\d+)\]/.exec(field);
  if (m === null) return undefined;
  let current: unknown = template;
  for (const segment of segments(`.${m[1]}`)) {
    current = Array.isArray(current) ? current[Number(segment)] : at(current, segment);
  }
  const own = list(at(current, 'matchExpressions')).length;
  return Number(m[2]) >= own ? `${PART_ROOT.Pod}.metadata.labels` : undefined;
}

export function pvcField(cause: Cause, node: Json): string {
  const { field, message } = cause;
  const root = PART_ROOT.PVC;
  if (isVersionLabel(field, message, node)) return `${PART_ROOT.Pod}.image`;
  if (field.startsWith('metadata.labels') || field.startsWith('metadata.annotations')) return `${root}.${field}`;
  // ValidatePersistentVolumeClaimSpec names the request `spec.resources[storage]`.
  if (field === 'spec.resources[storage]') return `${root}.resources.requests[storage]`;
  if (field.startsWith('spec.dataSourceRef')) return `${root}.dataSource${field.slice('spec.dataSourceRef'.length)}`;
  if (field.startsWith('spec.')) return `${root}.${field.slice('spec.'.length)}`;
  return `PVC:${field}`;
}

/** The fixed ports the operator puts before rpcTemplate.ports on the RPC Service. */
const RPC_FIXED_PORTS = 5;

export function serviceField(cause: Cause, service: Json, node: Json, rpcName: string): string {
  const { field, message } = cause;
  const which = at(at(service, 'metadata'), 'name') === rpcName ? 'rpcTemplate' : 'p2pTemplate';
  const root = `${PART_ROOT.Service}.${which}`;
  if (isVersionLabel(field, message, node)) return `${PART_ROOT.Pod}.image`;
  if (field.startsWith('metadata.labels') || field.startsWith('metadata.annotations')) return `${root}.${field}`;
  const port = /^spec\.ports\[(\d+)\](.*)$/.exec(field);
  if (port !== null) {
    const k = Number(port[1]);
    return which === 'rpcTemplate' && k >= RPC_FIXED_PORTS ? `${root}.ports[${k - RPC_FIXED_PORTS}]${port[2]}` : root;
  }
  // The operator gives the external p2p Services an externalTrafficPolicy whatever the template
  // says, so a refused policy there is a refused type.
  if (which === 'p2pTemplate' && field === 'spec.externalTrafficPolicy') return `${root}.type`;
  const own = /^spec\.(type|externalTrafficPolicy|clusterIPs?)\b/.exec(field);
  if (own !== null) return `${root}.${own[1] === 'clusterIPs' ? 'clusterIP' : own[1]}`;
  // Fields the template does not have, refused because of one it has (externalName for type
  // ExternalName, …): the template as a whole.
  return root;
}

/** An admission plugin's refusal (403, no field) as the field it is about. */
export function admissionField(part: Part, message: string): string {
  if (part === 'Pod' && /no PriorityClass with name/.test(message)) return `${PART_ROOT.Pod}.priorityClassName`;
  if (part === 'Pod' && /the integer value of priority/.test(message)) return `${PART_ROOT.Pod}.priority`;
  return `${part}:admission`;
}

/**
 * Causes from before validation, which then does not run: a Service's cluster IP and node ports
 * are allocated (and their syntax checked) first (pkg/registry/core/service/storage/alloc.go).
 */
export function isAllocationCause(cause: Cause): boolean {
  return /^spec\.(clusterIPs?|ports\[\d+\]\.nodePort)\b/.test(cause.field) &&
    /allocate|valid range|already allocated|must be a valid IP/.test(cause.message);
}

/**
 * Whether a `podTemplate.containers` entry named node replaces this podTemplate field in the pod
 * (its own image, resources, claims): then the pod never carries the template's value, and the
 * API server cannot say anything about it.
 */
export function overriddenInPod(field: string, node: Json): boolean {
  const m = /^spec\.podTemplate(\.(image|resources)\b.*)$/.exec(field);
  if (m === null) return false;
  const rest = m[1]!;
  const depth = segments(rest).length;
  return list(at(at(node['spec'], 'podTemplate'), 'containers')).some((entry) =>
    entry['name'] === 'node' && depthIn(entry, rest.replace(/\[\d+\].*$/, '')) >= Math.min(depth, 2)
  );
}

// ---------------------------------------------------------------------------------------------
// comparison

export type Judged = {
  readonly part: Part;
  readonly field: string;
  readonly message: string;
  /** Other fields the cause may be about (podFields). */
  readonly also?: readonly string[];
};

const fieldsOf = (j: Judged) => [j.field, ...(j.also ?? [])];

export type Disagreement = {
  readonly side: Side;
  readonly part: Part;
  readonly field: string;
  readonly caseIndex: number;
  readonly ours: readonly Judged[];
  readonly theirs: readonly Judged[];
};

/**
 * Every field one side refuses and the other does not. Our causes of a part whose objects the
 * API server did not validate (`unvalidated`: refused by an admission plugin or at allocation),
 * and of fields the built objects do not carry (`unjudged`), cannot be confirmed and are left out.
 */
export function disagreements(
  caseIndex: number,
  ours: readonly Judged[],
  theirs: readonly Judged[],
  unvalidated: ReadonlySet<Part>,
  unjudged: (field: string) => boolean = () => false,
): Disagreement[] {
  const out: Disagreement[] = [];
  for (const t of theirs) {
    if (!ours.some((o) => fieldsOf(t).some((f) => related(o.field, f)))) {
      out.push({ side: 'API server', part: t.part, field: t.field, caseIndex, ours, theirs });
    }
  }
  for (const o of ours) {
    if (unvalidated.has(o.part) || unjudged(o.field)) continue;
    if (!theirs.some((t) => fieldsOf(t).some((f) => related(o.field, f)))) {
      out.push({ side: 'webhook', part: o.part, field: o.field, caseIndex, ours, theirs });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the accepted differences: a table in docs/validation.md

export type Accepted = {
  readonly patterns: readonly string[];
  readonly side: Side;
  readonly why: string;
  readonly regexes: readonly RegExp[];
};

export const ACCEPTED_HEADING = '## Where admission and the API server differ';

/** The rows of the table under ACCEPTED_HEADING: `pattern`[, `pattern`…] | webhook or API server | why. */
export function acceptedDifferences(markdown: string): Accepted[] {
  const start = markdown.indexOf(`\n${ACCEPTED_HEADING}\n`);
  assert.ok(start >= 0, `docs/validation.md has no "${ACCEPTED_HEADING}" section`);
  const rest = markdown.slice(start + ACCEPTED_HEADING.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const rows: Accepted[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 3, `a row of "${ACCEPTED_HEADING}" needs 3 cells: ${line}`);
    const patterns = [...cells[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const side = cells[1] === 'webhook' ? 'webhook' : cells[1] === 'API server' ? 'API server' : undefined;
    assert.ok(side !== undefined, `"Refused by" must be "webhook" or "API server": ${line}`);
    rows.push({ patterns, side, why: cells[2]!, regexes: patterns.map(globRegex) });
  }
  return rows;
}

/** `[*]` is any index or key; `*` any run of characters but `.`; `**` anything. */
function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern.startsWith('[*]', i)) {
      re += '\\[\\*\\]';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (pattern[i] === '*') re += '[^.]*';
    else re += pattern[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The row that lists a disagreement, if one does. */
export function listedBy(accepted: readonly Accepted[], d: Pick<Disagreement, 'side' | 'field'>): Accepted | undefined {
  return accepted.find((a) => a.side === d.side && a.regexes.some((re) => re.test(normalize(d.field))));
}
