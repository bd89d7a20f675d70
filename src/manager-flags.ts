// The manager's flags: controller-runtime's names and defaults (spec §10), so the Go
// operator's Deployment args work unchanged, plus what running outside a cluster needs.
import type { FlagSpec } from './cli/flags.ts';
import { levels } from './log.ts';

export const managerFlags: readonly FlagSpec[] = [
  { name: 'metrics-bind-address', type: 'string', default: ':8080', help: 'Address the /metrics endpoint binds to; "0" disables it.' },
  { name: 'health-probe-bind-address', type: 'string', default: ':8081', help: 'Address the /healthz and /readyz endpoints bind to; "0" disables them.' },
  { name: 'leader-elect', type: 'bool', default: false, help: 'Elect a leader through a Lease so only one replica reconciles; required when running more than one replica.' },
  { name: 'leader-election-id', type: 'string', default: '16e1bc09.strange.love', help: 'Name of the Lease; the Go operator uses the same one, so the two never reconcile at once.' },
  { name: 'leader-election-namespace', type: 'string', default: '', help: 'Namespace of the Lease (default: the pod namespace in a cluster, else "default").' },
  { name: 'kubeconfig', type: 'string', default: '', help: 'Path to a kubeconfig (default: $KUBECONFIG, in-cluster credentials, then ~/.kube/config).' },
  { name: 'log-level', type: 'string', default: 'info', choices: levels, help: 'Lowest level logged: debug, info, warn or error.' },
  { name: 'log-format', type: 'string', default: 'json', choices: ['json', 'console'], help: 'json (one JSON object per line) or console (for a person at a terminal).' },
  { name: 'help', type: 'bool', default: false, help: 'Show this help.' },
];
