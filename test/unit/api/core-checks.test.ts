// The API server's rules for embedded Kubernetes types that admission repeats (src/api/core-checks.ts),
// through validateCosmosFullNode so the field paths are the ones kubectl prints. Tolerations have
// their own block in validate-cosmosfullnode.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateCosmosFullNode } from '../../../src/api/validate-cosmosfullnode.ts';
import { validateStatefulJob } from '../../../src/api/validate-statefuljob.ts';
import { byteLength, dns1123LabelErrors, labelKeyErrors, labelValueErrors } from '../../../src/api/core-checks.ts';
import type { FieldCause } from '../../../src/api/field-errors.ts';
import { aFullNode, aStatefulJob, withValue } from '../../fixtures/api/objects.ts';

function causes(...changes: Parameters<typeof withValue>[]): FieldCause[] {
  return validateCosmosFullNode(aFullNode('x', ...changes.map(([path, value]) => withValue(path, value)))).causes;
}

const fields = (...changes: Parameters<typeof withValue>[]) => causes(...changes).map((c) => c.field);

describe('label keys, label values and DNS labels (apimachinery content)', () => {
  it('accepts prefixed keys and refuses an empty prefix, two slashes and a bad name part', () => {
    assert.deepEqual(labelKeyErrors('example.com/role'), []);
    assert.deepEqual(labelKeyErrors('/app'), ['prefix part must be non-empty']);
    assert.match(labelKeyErrors('a/b/c')[0]!, /^a valid label key must consist of/);
    assert.match(labelKeyErrors('app-')[0]!, /^name part must consist of alphanumeric characters/);
  });

  it('counts bytes, not characters, as Go does', () => {
    assert.deepEqual(labelValueErrors('é'.repeat(32)).slice(0, 1), ['must be no more than 63 bytes']);
  });

  it('says "must not contain dots" of a DNS subdomain given for a DNS label', () => {
    assert.deepEqual(dns1123LabelErrors('bad.name'), ['must not contain dots']);
  });
});

describe('affinity (validateAffinity)', () => {
  const nodeTerm = (expression: Record<string, unknown>) => ({
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expression] }] },
    },
  });
  const required = 'spec.podTemplate.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution';

  it('accepts what a scheduler would', () => {
    assert.deepEqual(
      causes(['spec.podTemplate.affinity', {
        ...nodeTerm({ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }),
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' },
          }],
        },
      }]),
      [],
    );
  });

  it('needs a node selector term in a required node affinity', () => {
    assert.deepEqual(
      causes(['spec.podTemplate.affinity', {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
      }]),
      [{ type: 'FieldValueRequired', field: `${required}.nodeSelectorTerms`, message: 'Required value' }],
    );
  });

  it('refuses an unknown operator, values missing for In, values given for Exists', () => {
    assert.deepEqual(fields(['spec.podTemplate.affinity', nodeTerm({ key: 'a', operator: 'in', values: ['x'] })]), [
      `${required}.nodeSelectorTerms[0].matchExpressions[0].operator`,
    ]);
    assert.deepEqual(fields(['spec.podTemplate.affinity', nodeTerm({ key: 'a', operator: 'In' })]), [
      `${required}.nodeSelectorTerms[0].matchExpressions[0].values`,
    ]);
    assert.equal(
      causes(['spec.podTemplate.affinity', nodeTerm({ key: 'a', operator: 'Exists', values: ['x'] })])[0]!.message,
      "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    );
  });

  it('refuses bad label values in required terms but not in preferred ones', () => {
    assert.deepEqual(fields(['spec.podTemplate.affinity', nodeTerm({ key: 'a', operator: 'In', values: ['a b'] })]), [
      `${required}.nodeSelectorTerms[0].matchExpressions[0].values[0]`,
    ]);
    assert.deepEqual(
      causes(['spec.podTemplate.affinity', {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 1,
            preference: { matchExpressions: [{ key: 'a', operator: 'In', values: ['a b'] }] },
          }],
        },
      }]),
      [],
    );
  });

  it('keeps weights within 1-100 and needs a topologyKey', () => {
    const found = causes(['spec.podTemplate.affinity', {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, podAffinityTerm: { topologyKey: '' } }],
      },
    }]);
    const term = 'spec.podTemplate.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]';
    assert.deepEqual(found.map((c) => c.field), [
      `${term}.weight`,
      `${term}.podAffinityTerm.topologyKey`,
      `${term}.podAffinityTerm.topologyKey`,
      `${term}.podAffinityTerm.topologyKey`,
    ]);
    assert.equal(found[0]!.message, 'Invalid value: 101: must be in the range 1-100');
  });

  it('allows only metadata.name in matchFields', () => {
    assert.deepEqual(
      fields(['spec.podTemplate.affinity', {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'spec.nodeName', operator: 'In', values: ['n'] }] }],
          },
        },
      }]),
      [`${required}.nodeSelectorTerms[0].matchFields[0].key`],
    );
  });

  it('applies to a StatefulJob pod spec too', () => {
    const job = aStatefulJob(withValue('spec.podTemplate.spec.affinity', nodeTerm({ key: 'a', operator: 'Gt' })));
    assert.deepEqual(validateStatefulJob(job).causes.map((c) => c.field), [
      'spec.podTemplate.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values',
    ]);
  });
});

describe('container resources (ValidateContainerResourceRequirements)', () => {
  const resources = (value: unknown) => causes(['spec.podTemplate.resources', value]);

  it('accepts standard and extended resources with matching limits', () => {
    assert.deepEqual(
      resources({
        requests: { cpu: '500m', memory: '1Gi', 'nvidia.com/gpu': 1 },
        limits: { cpu: 1, memory: '2Gi', 'nvidia.com/gpu': '1' },
      }),
      [],
    );
  });

  it('refuses names that are neither standard nor fully qualified', () => {
    assert.deepEqual(resources({ requests: { foo: '1' } }).map((c) => c.message), [
      'Invalid value: "foo": must be a standard resource type or fully qualified',
      'Invalid value: "foo": must be a standard resource for containers',
    ]);
    assert.deepEqual(resources({ limits: { storage: '1Gi' } }).map((c) => c.message), [
      'Invalid value: "storage": must be a standard resource for containers',
    ]);
  });

  it('refuses negative quantities and fractional extended resources', () => {
    assert.deepEqual(resources({ limits: { memory: '-1Gi' } }), [{
      type: 'FieldValueInvalid',
      field: 'spec.podTemplate.resources.limits[memory]',
      message: 'Invalid value: "-1Gi": must be greater than or equal to 0',
    }]);
    assert.equal(
      resources({ requests: { 'example.com/foo': '500m' }, limits: { 'example.com/foo': '500m' } })[0]!.message,
      'Invalid value: "500m": must be an integer',
    );
  });

  it('refuses a request above its limit', () => {
    assert.deepEqual(resources({ requests: { cpu: '2' }, limits: { cpu: '1' } }), [{
      type: 'FieldValueInvalid',
      field: 'spec.podTemplate.resources.requests[cpu]',
      message: 'Invalid value: "2": must be less than or equal to cpu limit of 1',
    }]);
  });

  it('needs a limit equal to the request for extended resources', () => {
    assert.deepEqual(fields(['spec.podTemplate.resources', { requests: { 'nvidia.com/gpu': 1 } }]), [
      'spec.podTemplate.resources.limits',
    ]);
    assert.equal(
      resources({ requests: { 'nvidia.com/gpu': 1 }, limits: { 'nvidia.com/gpu': 2 } })[0]!.message,
      'Invalid value: 1: must be equal to nvidia.com/gpu limit of 2',
    );
  });

  it('takes a limit alone as the request too (SetDefaults_Pod)', () => {
    assert.deepEqual(resources({ limits: { 'nvidia.com/gpu': 2, cpu: '1' } }), []);
  });

  it('needs huge pages in whole pages and beside cpu or memory', () => {
    assert.deepEqual(resources({ limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' } }), []);
    assert.deepEqual(resources({ limits: { 'hugepages-2Mi': '3Mi' } }).map((c) => c.message), [
      'Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
      'Forbidden: HugePages require cpu or memory',
    ]);
  });
});

describe('containers and volumes (any container or volume, whole or a podTemplate patch)', () => {
  const container = (value: Record<string, unknown>) =>
    causes(['spec.podTemplate.containers', [{ name: 'node', ...value }]]);

  it('refuses a container name that is no DNS label', () => {
    assert.deepEqual(fields(['spec.podTemplate.containers', [{ name: 'Side_Car', image: 'busybox' }]]), [
      'spec.podTemplate.containers[0].name',
    ]);
  });

  it('refuses an image with surrounding whitespace', () => {
    assert.equal(
      container({ image: 'busybox ' })[0]!.message,
      'Invalid value: "busybox ": must not have leading or trailing whitespace',
    );
  });

  it('refuses unknown pull and termination message policies', () => {
    assert.deepEqual(
      container({ imagePullPolicy: 'Sometimes', terminationMessagePolicy: 'Log' }).map((c) => c.message),
      [
        'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
        'Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError"',
      ],
    );
  });

  it('checks port numbers, protocols and names', () => {
    const found = container({
      ports: [
        { containerPort: 65536, protocol: 'tcp' },
        { containerPort: 80, hostPort: -1, name: 'HTTP' },
      ],
    });
    assert.deepEqual(found.map((c) => `${c.field}: ${c.message}`), [
      'spec.podTemplate.containers[0].ports[0].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive',
      'spec.podTemplate.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"',
      'spec.podTemplate.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive',
      'spec.podTemplate.containers[0].ports[1].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.podTemplate.containers[0].ports[1].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ]);
  });

  it('allows any printable ASCII in an environment variable name but "="', () => {
    assert.deepEqual(container({ env: [{ name: 'foo.bar-1', value: 'x' }] }), []);
    assert.deepEqual(
      fields(['spec.podTemplate.containers', [{ name: 'node', env: [{ name: 'A=B' }, { name: '' }] }]]),
      [
        'spec.podTemplate.containers[0].env[0].name',
        'spec.podTemplate.containers[0].env[1].name',
      ],
    );
  });

  it('refuses a volume name that is no DNS label', () => {
    assert.deepEqual(fields(['spec.podTemplate.volumes', [{ name: 'Data', emptyDir: {} }]]), [
      'spec.podTemplate.volumes[0].name',
    ]);
  });
});

describe('nodeSelector (ValidateLabels)', () => {
  it('refuses keys and values that are not labels, naming the key', () => {
    assert.deepEqual(fields(['spec.podTemplate.nodeSelector', { 'bad key': 'v', ok: 'a b' }]), [
      'spec.podTemplate.nodeSelector[bad key]',
      'spec.podTemplate.nodeSelector[ok]',
    ]);
    assert.deepEqual(
      fields(['spec.instanceOverrides', { 'x-0': { nodeSelector: { 'a/b/c': 'v' } } }]),
      ['spec.instanceOverrides[x-0].nodeSelector[a/b/c]'],
    );
  });
});

describe('template metadata, as the operator writes it onto the children', () => {
  it('accepts a key the operator normalises into a valid one', () => {
    assert.deepEqual(causes(['spec.podTemplate.metadata', { labels: { 'team name': 'infra' } }]), []);
  });

  it('refuses a value normalisation cannot repair', () => {
    assert.deepEqual(causes(['spec.podTemplate.metadata', { labels: { team: 'a b' } }]).map((c) => c.field), [
      'spec.podTemplate.metadata.labels[team]',
    ]);
  });

  it('ignores keys the operator sets itself, whose template values are dropped', () => {
    assert.deepEqual(
      causes(['spec.volumeClaimTemplate.metadata', { labels: { 'app.kubernetes.io/name': 'a b' } }]),
      [],
    );
  });

  it('judges a key that normalises like a later one by the later one', () => {
    assert.deepEqual(causes(['spec.podTemplate.metadata', { labels: { '/app': 'a b', app: 'ok' } }]), []);
  });

  it("takes the p2p Services' template as given", () => {
    assert.deepEqual(fields(['spec.service.p2pTemplate.metadata', { labels: { 'team name': 'infra' } }]), [
      'spec.service.p2pTemplate.metadata.labels[team name]',
    ]);
    assert.deepEqual(fields(['spec.service.rpcTemplate.metadata', { labels: { 'team name': 'infra' } }]), []);
  });

  it('compares annotation keys in lower case', () => {
    assert.deepEqual(causes(['spec.podTemplate.metadata', { annotations: { 'Example.com/Owner': 'x' } }]), []);
    assert.deepEqual(fields(['spec.service.p2pTemplate.metadata', { annotations: { 'a/b/c': 'x' } }]), [
      'spec.service.p2pTemplate.metadata.annotations[a/b/c]',
    ]);
  });
});

describe('byteLength (Go len() of a string)', () => {
  const encoded = (s: string) => new TextEncoder().encode(s).length;

  it('counts UTF-8 bytes as TextEncoder does, lone surrogates included', () => {
    const anyCodeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
      .map((units) => String.fromCharCode(...units));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), anyCodeUnits), (s) => byteLength(s) === encoded(s)));
  });

  it('counts 1, 2, 3 and 4 byte characters', () => {
    assert.deepEqual(['a', 'é', '€', '𝄞', '\ud800x'].map(byteLength), [1, 2, 3, 4, 4]);
  });
});
