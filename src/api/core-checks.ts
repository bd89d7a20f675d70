// The API server's own checks of embedded Kubernetes types that admission repeats, so a spec whose
// pods, PVCs or Services the API server would refuse is refused at `kubectl apply` instead of at
// reconcile time. Each check mirrors kube-apiserver v1.35 (k8s.io/kubernetes
// pkg/apis/core/validation, apimachinery pkg/api/validate/content): the same field, the same
// message. They are keyed by the OpenAPI type name they apply to, so every place a type is
// embedded (podTemplate, additionalVersionedPods, a StatefulJob's pod spec) gets them
// (k8s-types.ts). Where admission and the API server still differ, and why, is listed in
// docs/validation.md, "Where admission and the API server differ", which
// test/e2e/admission-differential.test.ts reads.
import type { FieldCheck, FieldProblem } from './schema-kit.ts';
import { compareQuantities, formatQuantity, parseQuantity, type Quantity } from '../syntax/quantity.ts';

/** field.NotSupported's detail (as field-errors.ts prints it; not imported, which would be a loop). */
const supportedValues = (values: readonly string[]) =>
  `supported values: ${values.map((value) => JSON.stringify(value)).join(', ')}`;

// ---------------------------------------------------------------------------------------------
// apimachinery pkg/api/validate/content: label keys and values, DNS names

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_KEY_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/**
 * Go's len(): UTF-8 bytes, counted without encoding (a TextEncoder per call was a tenth of a
 * validating review's CPU). A lone surrogate counts 3, as TextEncoder's replacement character.
 */
export function byteLength(value: string): number {
  let bytes = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // 4 bytes for the pair's two code units
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

function regexError(message: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${fmt}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`;
}

const maxLenError = (length: number) => `must be no more than ${length} bytes`;

/** content.IsDNS1123Subdomain: object names such as a StorageClass's. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 253) errors.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(regexError(DNS1123_SUBDOMAIN_MESSAGE, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errors;
}

const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

/** content.IsDNS1123Label: container, port, volume and namespace names. */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      DNS1123_SUBDOMAIN.test(value)
        ? 'must not contain dots'
        : regexError(DNS1123_LABEL_MESSAGE, DNS1123_LABEL_FMT, 'my-name', '123-abc'),
    );
  }
  return errors;
}

/** content.IsLabelKey (= IsQualifiedName): `[prefix/]name`. */
export function labelKeyErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  } else {
    return [
      `a valid label key ${
        regexError(LABEL_KEY_MESSAGE, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')
      } with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (byteLength(name) > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!LABEL_KEY.test(name)) {
    errors.push(`name part ${regexError(LABEL_KEY_MESSAGE, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errors;
}

/** content.IsLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError(LABEL_VALUE_MESSAGE, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// core/v1 Toleration (validation.ValidateTolerations)

const TOLERATION_OPERATORS = ['Equal', 'Exists'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

interface TolerationLike {
  key?: string | null;
  operator?: string | null;
  value?: string | null;
  effect?: string | null;
  tolerationSeconds?: number | null;
}

/**
 * One toleration, as ValidateTolerations checks it for a Pod (the TaintTolerationComparisonOperators
 * gate, alpha in v1.35, off: `Lt` and `Gt` are refused). Empty operator means Equal, empty effect
 * every effect. The API server reports a bad value under `operator`, not `value`; so do we.
 */
const validToleration: FieldCheck<TolerationLike> = (toleration) => {
  const problems: FieldProblem[] = [];
  const key = toleration.key ?? '';
  const operator = toleration.operator ?? '';
  const value = toleration.value ?? '';
  const effect = toleration.effect ?? '';
  if (key !== '') {
    for (const detail of labelKeyErrors(key)) problems.push({ path: ['key'], value: key, detail });
  }
  if (key === '' && operator !== 'Exists') {
    problems.push({
      path: ['operator'],
      value: operator,
      detail: 'operator must be Exists when `key` is empty, which means "match all values and all keys"',
    });
  }
  if (toleration.tolerationSeconds !== undefined && toleration.tolerationSeconds !== null && effect !== 'NoExecute') {
    problems.push({
      path: ['effect'],
      value: effect,
      detail: "effect must be 'NoExecute' when `tolerationSeconds` is set",
    });
  }
  if (operator === '' || operator === 'Equal') {
    const errors = labelValueErrors(value);
    if (errors.length > 0) problems.push({ path: ['operator'], value, detail: errors.join(';') });
  } else if (operator === 'Exists') {
    if (value !== '') {
      problems.push({ path: ['operator'], value, detail: "value must be empty when `operator` is 'Exists'" });
    }
  } else {
    problems.push({
      type: 'FieldValueNotSupported',
      path: ['operator'],
      value: operator,
      detail: supportedValues(TOLERATION_OPERATORS),
    });
  }
  if (effect !== '' && !(TAINT_EFFECTS as readonly string[]).includes(effect)) {
    problems.push({
      type: 'FieldValueNotSupported',
      path: ['effect'],
      value: effect,
      detail: supportedValues(TAINT_EFFECTS),
    });
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------
// label maps (ValidateLabels): metadata.labels, nodeSelector, matchLabels

type Path = readonly (string | number)[];

/**
 * A map of labels. The API server names only the map (`spec.nodeSelector`); we name the key
 * (`spec.podTemplate.nodeSelector[bad key]`), as for every other map.
 */
function labelMapProblems(labels: Readonly<Record<string, string>>, path: Path = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const detail of labelKeyErrors(key)) problems.push({ path: [...path, key], value: key, detail });
    for (const detail of labelValueErrors(value)) problems.push({ path: [...path, key], value, detail });
  }
  return problems;
}

/** nodeSelector and the like: a map of label keys to label values. */
export const validLabelMap: FieldCheck<Readonly<Record<string, string>>> = (labels) => labelMapProblems(labels);

// ---------------------------------------------------------------------------------------------
// core/v1 Affinity (validateAffinity; label values in required terms and pod selectors are
// checked, as for a new Pod)

interface Requirement {
  key?: string | null;
  operator?: string | null;
  values?: readonly string[] | null;
}

interface NodeSelectorTerm {
  matchExpressions?: readonly Requirement[] | null;
  matchFields?: readonly Requirement[] | null;
}

interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>> | null;
  matchExpressions?: readonly Requirement[] | null;
}

interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  namespaces?: readonly string[] | null;
  topologyKey?: string | null;
  matchLabelKeys?: readonly string[] | null;
  mismatchLabelKeys?: readonly string[] | null;
}

interface WeightedPodAffinityTerm {
  weight?: number | null;
  podAffinityTerm?: PodAffinityTerm | null;
}

interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[] | null;
  preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[] | null;
}

interface AffinityLike {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: readonly NodeSelectorTerm[] | null } | null;
    preferredDuringSchedulingIgnoredDuringExecution?:
      | readonly { weight?: number | null; preference?: NodeSelectorTerm | null }[]
      | null;
  } | null;
  podAffinity?: PodAffinity | null;
  podAntiAffinity?: PodAffinity | null;
}

const listOf = <T>(value: readonly T[] | null | undefined): readonly T[] => value ?? [];

function labelKeyProblems(key: string, path: Path): FieldProblem[] {
  return labelKeyErrors(key).map((detail) => ({ path, value: key, detail }));
}

function valuesForOperator(operator: string, values: readonly string[], path: Path, lessGreater: boolean) {
  const problems: FieldProblem[] = [];
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length === 0) {
      problems.push({
        type: 'FieldValueRequired',
        path: [...path, 'values'],
        detail: "must be specified when `operator` is 'In' or 'NotIn'",
      });
    }
  } else if (operator === 'Exists' || operator === 'DoesNotExist') {
    if (values.length > 0) {
      problems.push({
        type: 'FieldValueForbidden',
        path: [...path, 'values'],
        detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      });
    }
  } else if (lessGreater && (operator === 'Gt' || operator === 'Lt')) {
    if (values.length !== 1) {
      problems.push({
        type: 'FieldValueRequired',
        path: [...path, 'values'],
        detail: "must be specified single value when `operator` is 'Lt' or 'Gt'",
      });
    }
  } else {
    problems.push({ path: [...path, 'operator'], value: operator, detail: 'not a valid selector operator' });
  }
  return problems;
}

function labelValuesProblems(values: readonly string[], path: Path): FieldProblem[] {
  return values.flatMap((value, i) => labelValueErrors(value).map((detail) => ({ path: [...path, i], value, detail })));
}

/** ValidateNodeSelectorRequirement. */
function nodeSelectorRequirementProblems(rq: Requirement, anyValue: boolean, path: Path): FieldProblem[] {
  const values = listOf(rq.values);
  return [
    ...valuesForOperator(rq.operator ?? '', values, path, true),
    ...labelKeyProblems(rq.key ?? '', [...path, 'key']),
    ...(anyValue ? [] : labelValuesProblems(values, [...path, 'values'])),
  ];
}

/** ValidateNodeFieldSelectorRequirement: only metadata.name, with In or NotIn and one node name. */
function nodeFieldRequirementProblems(rq: Requirement, path: Path): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const operator = rq.operator ?? '';
  const values = listOf(rq.values);
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length !== 1) {
      problems.push({
        type: 'FieldValueRequired',
        path: [...path, 'values'],
        detail: "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
      });
    }
  } else {
    problems.push({ path: [...path, 'operator'], value: operator, detail: 'not a valid selector operator' });
  }
  if (rq.key !== 'metadata.name') {
    problems.push({ path: [...path, 'key'], value: rq.key ?? '', detail: 'not a valid field selector key' });
  } else {
    values.forEach((value, i) => {
      for (const detail of dns1123SubdomainErrors(value)) {
        problems.push({ path: [...path, 'values', i], value, detail });
      }
    });
  }
  return problems;
}

function nodeSelectorTermProblems(term: NodeSelectorTerm, anyValue: boolean, path: Path): FieldProblem[] {
  return [
    ...listOf(term.matchExpressions).flatMap((rq, j) =>
      nodeSelectorRequirementProblems(rq, anyValue, [...path, 'matchExpressions', j])
    ),
    ...listOf(term.matchFields).flatMap((rq, j) => nodeFieldRequirementProblems(rq, [...path, 'matchFields', j])),
  ];
}

function weightProblems(weight: number | null | undefined, path: Path): FieldProblem[] {
  const w = weight ?? 0;
  return w <= 0 || w > 100 ? [{ path, value: w, detail: 'must be in the range 1-100' }] : [];
}

/** metav1 ValidateLabelSelector. */
function labelSelectorProblems(selector: LabelSelector | null | undefined, path: Path): FieldProblem[] {
  if (selector === null || selector === undefined) return [];
  return [
    ...labelMapProblems(selector.matchLabels ?? {}, [...path, 'matchLabels']),
    ...listOf(selector.matchExpressions).flatMap((rq, i) => {
      const at = [...path, 'matchExpressions', i];
      const values = listOf(rq.values);
      return [
        ...valuesForOperator(rq.operator ?? '', values, at, false),
        ...labelKeyProblems(rq.key ?? '', [...at, 'key']),
        ...labelValuesProblems(values, [...at, 'values']),
      ];
    }),
  ];
}

/** validatePodAffinityTerm, but for the keys that clash only once the pod's labels are merged in. */
function podAffinityTermProblems(term: PodAffinityTerm, path: Path): FieldProblem[] {
  const problems: FieldProblem[] = [
    ...labelSelectorProblems(term.labelSelector, [...path, 'labelSelector']),
    ...labelSelectorProblems(term.namespaceSelector, [...path, 'namespaceSelector']),
  ];
  for (const namespace of listOf(term.namespaces)) {
    // The API server names the list `namespace`, without the index.
    for (const detail of dns1123LabelErrors(namespace)) {
      problems.push({ path: [...path, 'namespace'], value: namespace, detail });
    }
  }
  for (const which of ['matchLabelKeys', 'mismatchLabelKeys'] as const) {
    const keys = listOf(term[which]);
    if (keys.length === 0) continue;
    if (term.labelSelector === null || term.labelSelector === undefined) {
      problems.push({
        type: 'FieldValueForbidden',
        path: [...path, which],
        detail: 'must not be specified when labelSelector is not set',
      });
    } else keys.forEach((key, i) => problems.push(...labelKeyProblems(key, [...path, which, i])));
  }
  const mismatch = new Set(listOf(term.mismatchLabelKeys));
  listOf(term.matchLabelKeys).forEach((key, i) => {
    if (mismatch.has(key)) {
      problems.push({
        path: [...path, 'matchLabelKeys', i],
        value: key,
        detail: 'exists in both matchLabelKeys and mismatchLabelKeys',
      });
    }
  });
  const topologyKey = term.topologyKey ?? '';
  if (topologyKey === '') problems.push({ type: 'FieldValueRequired', path: [...path, 'topologyKey'], detail: '' });
  problems.push(...labelKeyProblems(topologyKey, [...path, 'topologyKey']));
  return problems;
}

function podAffinityProblems(affinity: PodAffinity | null | undefined, path: Path): FieldProblem[] {
  if (affinity === null || affinity === undefined) return [];
  const required = 'requiredDuringSchedulingIgnoredDuringExecution';
  const preferred = 'preferredDuringSchedulingIgnoredDuringExecution';
  return [
    ...listOf(affinity[required]).flatMap((term, i) => podAffinityTermProblems(term, [...path, required, i])),
    ...listOf(affinity[preferred]).flatMap((weighted, i) => [
      ...weightProblems(weighted.weight, [...path, preferred, i, 'weight']),
      ...podAffinityTermProblems(weighted.podAffinityTerm ?? {}, [...path, preferred, i, 'podAffinityTerm']),
    ]),
  ];
}

/** validateAffinity for a new Pod. */
const validAffinity: FieldCheck<AffinityLike> = (affinity) => {
  const problems: FieldProblem[] = [];
  const node = affinity.nodeAffinity;
  if (node !== null && node !== undefined) {
    const required = node.requiredDuringSchedulingIgnoredDuringExecution;
    if (required !== null && required !== undefined) {
      const terms = listOf(required.nodeSelectorTerms);
      const path = ['nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms'];
      if (terms.length === 0) {
        problems.push({ type: 'FieldValueRequired', path, detail: 'must have at least one node selector term' });
      }
      terms.forEach((term, i) => problems.push(...nodeSelectorTermProblems(term, false, [...path, i])));
    }
    listOf(node.preferredDuringSchedulingIgnoredDuringExecution).forEach((term, i) => {
      const path = ['nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution', i];
      problems.push(...weightProblems(term.weight, [...path, 'weight']));
      // Preferred terms may name label values that do not exist (Kubernetes allows any value).
      problems.push(...nodeSelectorTermProblems(term.preference ?? {}, true, [...path, 'preference']));
    });
  }
  problems.push(...podAffinityProblems(affinity.podAffinity, ['podAffinity']));
  problems.push(...podAffinityProblems(affinity.podAntiAffinity, ['podAntiAffinity']));
  return problems;
};

// ---------------------------------------------------------------------------------------------
// core/v1 ResourceRequirements of a container (ValidateContainerResourceRequirements). Claims
// are checked where the pod's resourceClaims are known (validate-fullnode-children.ts).

type QuantityText = string | number;

interface ResourcesLike {
  limits?: Readonly<Record<string, QuantityText>> | null;
  requests?: Readonly<Record<string, QuantityText>> | null;
}

const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
  'requests.storage',
]);
const HUGE_PAGES = 'hugepages-';

const isHugePages = (name: string) => name.startsWith(HUGE_PAGES);
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtended = (name: string) =>
  !isNative(name) && !name.startsWith('requests.') && labelKeyErrors(`requests.${name}`).length === 0;
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

/** validateContainerResourceName. */
function resourceNameErrors(name: string): string[] {
  const errors = labelKeyErrors(name);
  if (errors.length > 0) return errors;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name) && !name.startsWith(`requests.${HUGE_PAGES}`)) {
      errors.push('must be a standard resource type or fully qualified');
    }
    if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !isHugePages(name)) {
      errors.push('must be a standard resource for containers');
    }
  } else if (!isNative(name) && !isExtended(name)) {
    errors.push("doesn't follow extended resource name standard");
  }
  return errors;
}

function quantityOf(value: QuantityText): Quantity | undefined {
  const parsed = parseQuantity(String(value));
  return parsed.ok ? parsed.quantity : undefined;
}

const NANO = 1_000_000_000n;
/** Go's MilliValue(): rounded up. */
const milliValue = (q: Quantity) => (q.nanos > 0n ? (q.nanos + 999_999n) / 1_000_000n : q.nanos / 1_000_000n);
/** Go's Value(): rounded up. */
const unitValue = (q: Quantity) => (q.nanos > 0n ? (q.nanos + NANO - 1n) / NANO : q.nanos / NANO);

/** ValidateResourceQuantityValue, and the huge page size for hugepages-<size>. */
function quantityErrors(name: string, quantity: Quantity): string[] {
  const errors: string[] = [];
  if (quantity.nanos < 0n) errors.push('must be greater than or equal to 0');
  if ((INTEGER_RESOURCES.has(name) || isExtended(name)) && milliValue(quantity) % 1000n !== 0n) {
    errors.push('must be an integer');
  }
  if (isHugePages(name)) {
    const page = quantityOf(name.slice(HUGE_PAGES.length));
    const divisible = page !== undefined && page.nanos > 0n && milliValue(page) % 1000n === 0n &&
      unitValue(quantity) % unitValue(page) === 0n;
    if (!divisible) errors.push(`${formatQuantity(quantity)} is not positive integer multiple of ${name}`);
  }
  return errors;
}

const validResourceRequirements: FieldCheck<ResourcesLike> = (resources) => {
  const problems: FieldProblem[] = [];
  const limits = resources.limits ?? {};
  const requests = resources.requests ?? {};
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [which, list] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, text] of Object.entries(list)) {
      for (const detail of resourceNameErrors(name)) problems.push({ path: [which, name], value: name, detail });
      const quantity = quantityOf(text);
      if (quantity !== undefined) {
        for (const detail of quantityErrors(name, quantity)) {
          problems.push({ path: [which, name], value: text, detail });
        }
      }
      if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
      if (isHugePages(name)) hugePages = true;
    }
  }
  // Requests left out are set to the limits (SetDefaults_Pod), so only given requests compare.
  for (const [name, text] of Object.entries(requests)) {
    const request = quantityOf(text);
    const limitText = limits[name];
    if (limitText === undefined) {
      if (!overcommitAllowed(name)) {
        problems.push({
          type: 'FieldValueRequired',
          path: ['limits'],
          detail: 'Limit must be set for non overcommitable resources',
        });
      }
      continue;
    }
    const limit = quantityOf(limitText);
    if (request === undefined || limit === undefined) continue;
    const order = compareQuantities(request, limit);
    if (order !== 0 && !overcommitAllowed(name)) {
      problems.push({
        path: ['requests', name],
        value: text,
        detail: `must be equal to ${name} limit of ${formatQuantity(limit)}`,
      });
    } else if (order > 0) {
      problems.push({
        path: ['requests', name],
        value: text,
        detail: `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`,
      });
    }
  }
  if (hugePages && !cpuOrMemory) {
    problems.push({ type: 'FieldValueForbidden', detail: 'HugePages require cpu or memory' });
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------
// core/v1 Container: what holds for any container, whole or a patch of one (validateContainers,
// validateContainerPorts, validateEnv). Probes, the security context and volume mounts are left
// out: in a podTemplate entry they merge with the operator's (docs/validation.md).

/** validation.IsValidPortName: an IANA service name (a named port, a Service's targetPort). */
export function portNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 15) errors.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errors.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errors.push('must not contain consecutive hyphens');
  if (name.length > 0 && (name.startsWith('-') || name.endsWith('-'))) {
    errors.push('must not begin or end with a hyphen');
  }
  return errors;
}

export const PORT_RANGE = 'must be between 1 and 65535, inclusive';
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;

interface ContainerLike {
  name?: string | null;
  image?: string | null;
  imagePullPolicy?: string | null;
  terminationMessagePolicy?: string | null;
  ports?:
    | readonly {
      containerPort?: number | null;
      hostPort?: number | null;
      protocol?: string | null;
      name?: string | null;
    }[]
    | null;
  env?: readonly { name?: string | null }[] | null;
}

function enumProblem(path: Path, value: string | null | undefined, supported: readonly string[]): FieldProblem[] {
  // Empty means the default (SetDefaults_Container).
  if (value === undefined || value === null || value === '' || supported.includes(value)) return [];
  return [{ type: 'FieldValueNotSupported', path, value, detail: supportedValues(supported) }];
}

const validContainer: FieldCheck<ContainerLike> = (container) => {
  const problems: FieldProblem[] = [];
  const name = container.name ?? '';
  if (name === '') problems.push({ type: 'FieldValueRequired', path: ['name'], detail: '' });
  else for (const detail of dns1123LabelErrors(name)) problems.push({ path: ['name'], value: name, detail });
  const image = container.image;
  // A Pod's rule; a workload's pod template is refused the same way once its pods are made.
  if (typeof image === 'string' && image !== image.trim()) {
    problems.push({ path: ['image'], value: image, detail: 'must not have leading or trailing whitespace' });
  }
  problems.push(...enumProblem(['imagePullPolicy'], container.imagePullPolicy, PULL_POLICIES));
  problems.push(...enumProblem(['terminationMessagePolicy'], container.terminationMessagePolicy, MESSAGE_POLICIES));
  const portNames = new Set<string>();
  listOf(container.ports).forEach((port, i) => {
    const containerPort = port.containerPort ?? 0;
    if (containerPort === 0) {
      problems.push({ type: 'FieldValueRequired', path: ['ports', i, 'containerPort'], detail: '' });
    } else if (containerPort < 1 || containerPort > 65535) {
      problems.push({ path: ['ports', i, 'containerPort'], value: containerPort, detail: PORT_RANGE });
    }
    const hostPort = port.hostPort ?? 0;
    if (hostPort !== 0 && (hostPort < 1 || hostPort > 65535)) {
      problems.push({ path: ['ports', i, 'hostPort'], value: hostPort, detail: PORT_RANGE });
    }
    problems.push(...enumProblem(['ports', i, 'protocol'], port.protocol, PORT_PROTOCOLS));
    const portName = port.name ?? '';
    if (portName !== '') {
      for (const detail of portNameErrors(portName)) {
        problems.push({ path: ['ports', i, 'name'], value: portName, detail });
      }
      if (portNames.has(portName)) {
        problems.push({ type: 'FieldValueDuplicate', path: ['ports', i, 'name'], value: portName, detail: '' });
      }
      portNames.add(portName);
    }
  });
  listOf(container.env).forEach((variable, i) => {
    const variableName = variable.name ?? '';
    if (variableName === '') problems.push({ type: 'FieldValueRequired', path: ['env', i, 'name'], detail: '' });
    else if (!/^[\x20-\x7e]+$/.test(variableName) || variableName.includes('=')) {
      problems.push({
        path: ['env', i, 'name'],
        value: variableName,
        detail: "a valid environment variable name must consist only of printable ASCII characters other than '='",
      });
    }
  });
  return problems;
};

/** core/v1 Volume: its name. Its sources merge with the operator's (validate-fullnode-children.ts). */
const validVolume: FieldCheck<{ name?: string | null }> = (volume) => {
  const name = volume.name ?? '';
  if (name === '') return [{ type: 'FieldValueRequired', path: ['name'], detail: '' }];
  return dns1123LabelErrors(name).map((detail) => ({ path: ['name'], value: name, detail }));
};

// ---------------------------------------------------------------------------------------------

/** The checks by Kubernetes OpenAPI type name; k8s-types.ts runs them after the type's schema. */
export const CORE_CHECKS: Readonly<Record<string, FieldCheck<never>>> = {
  'io.k8s.api.core.v1.Toleration': validToleration,
  'io.k8s.api.core.v1.Affinity': validAffinity,
  'io.k8s.api.core.v1.ResourceRequirements': validResourceRequirements,
  'io.k8s.api.core.v1.Container': validContainer,
  'io.k8s.api.core.v1.Volume': validVolume,
};
