// The manager's flags: controller-runtime's names and defaults (docs/compatibility.md §10), so the Go
// operator's Deployment args work unchanged, plus what running outside a cluster needs.
import { type BindAddress, type FlagSpec, type FlagValues, parseBindAddress } from './flags.ts';
import { defaultLeaseName } from '../kube/leader-election.ts';
import { type Level, levels, type LogFormat } from '../log/log.ts';
import type { ManagerOptions } from './manager.ts';

export const managerFlags: readonly FlagSpec[] = [
  {
    name: 'metrics-bind-address',
    type: 'string',
    default: ':8080',
    help: 'Address the /metrics endpoint binds to; "0" disables it.',
  },
  {
    name: 'health-probe-bind-address',
    type: 'string',
    default: ':8081',
    help: 'Address the /healthz and /readyz endpoints bind to; "0" disables them.',
  },
  {
    name: 'leader-elect',
    type: 'bool',
    default: false,
    help: 'Elect a leader through a Lease so only one replica reconciles; required when running more than one replica.',
  },
  {
    name: 'leader-election-id',
    type: 'string',
    default: defaultLeaseName,
    help: 'Name of the Lease; the Go operator uses the same one, so the two never reconcile at once.',
  },
  {
    name: 'leader-election-namespace',
    type: 'string',
    default: '',
    help: 'Namespace of the Lease (default: the pod namespace in a cluster, else "default").',
  },
  {
    name: 'webhook-port',
    type: 'string',
    default: '9443',
    help: 'Port of the HTTPS admission webhook server, served on every replica; "0" disables it.',
  },
  {
    name: 'webhook-host',
    type: 'string',
    default: '',
    help: 'Address the webhook server binds to (default: every interface).',
  },
  {
    name: 'webhook-cert-dir',
    type: 'string',
    default: '/tmp/k8s-webhook-server/serving-certs',
    help:
      'Directory holding tls.crt and tls.key for the webhook server; reloaded when they change (cert-manager rotation).',
  },
  {
    name: 'watch-namespace',
    type: 'string',
    default: '',
    help:
      'Reconcile objects in this namespace only (default: every namespace). Webhooks still serve every namespace their configuration routes to them.',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    default: '',
    help: 'Path to a kubeconfig (default: $KUBECONFIG, in-cluster credentials, then ~/.kube/config).',
  },
  {
    name: 'log-level',
    type: 'string',
    default: 'info',
    choices: levels,
    help: 'Lowest level logged: debug, info, warn or error.',
  },
  {
    name: 'log-format',
    type: 'string',
    default: 'json',
    choices: ['json', 'console'],
    help: 'json (one JSON object per line) or console (for a person at a terminal).',
  },
  { name: 'help', type: 'bool', default: false, help: 'Show this help.' },
];

export type ManagerFlagOptions = Omit<ManagerOptions, 'log'> & { logLevel: Level; logFormat: LogFormat };

/** Turns parsed flag values into manager options, or an error naming the flag and what is allowed. */
export function managerOptionsFromFlags(v: FlagValues): ManagerFlagOptions | { error: string } {
  const address = (flag: string): BindAddress | { error: string } => {
    const parsed = parseBindAddress(String(v[flag]));
    return typeof parsed === 'object' && 'error' in parsed ? { error: `invalid --${flag}: ${parsed.error}` } : parsed;
  };
  const metricsAddress = address('metrics-bind-address');
  if (typeof metricsAddress === 'object' && 'error' in metricsAddress) return metricsAddress;
  const healthAddress = address('health-probe-bind-address');
  if (typeof healthAddress === 'object' && 'error' in healthAddress) return healthAddress;
  const webhookPort = Number(v['webhook-port']);
  if (!/^\d+$/.test(String(v['webhook-port'])) || webhookPort > 65535) {
    return {
      error: `invalid --webhook-port: "${
        String(v['webhook-port'])
      }" is not a port from 0 to 65535 (0 disables the webhook server)`,
    };
  }
  return {
    metricsAddress,
    healthAddress,
    leaderElect: Boolean(v['leader-elect']),
    leaderElectionId: String(v['leader-election-id']),
    leaderElectionNamespace: String(v['leader-election-namespace']),
    kubeconfig: String(v['kubeconfig']),
    watchNamespace: String(v['watch-namespace']),
    webhook: webhookPort === 0
      ? undefined
      : { host: String(v['webhook-host']), port: webhookPort, certDir: String(v['webhook-cert-dir']) },
    logLevel: v['log-level'] as Level,
    logFormat: v['log-format'] as LogFormat,
  };
}
