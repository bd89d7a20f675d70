import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from '../../../src/cli/flags.ts';
import { managerFlags, managerOptionsFromFlags } from '../../../src/cli/manager-flags.ts';

function optionsFor(argv: string[]) {
  const parsed = parseFlags(managerFlags, argv);
  assert.ok(parsed.ok);
  return managerOptionsFromFlags(parsed.values);
}

describe('manager flags', () => {
  it("default to controller-runtime's ports, the Go operator's Lease and a webhook server on 9443", () => {
    assert.deepEqual(optionsFor([]), {
      metricsAddress: { host: '0.0.0.0', port: 8080 },
      healthAddress: { host: '0.0.0.0', port: 8081 },
      leaderElect: false,
      leaderElectionId: '16e1bc09.strange.love',
      leaderElectionNamespace: '',
      kubeconfig: '',
      watchNamespace: '',
      webhook: { host: '', port: 9443, certDir: '/tmp/k8s-webhook-server/serving-certs' },
      logLevel: 'info',
      logFormat: 'json',
    });
  });

  it("accept the Go operator's Deployment arguments unchanged", () => {
    const o = optionsFor([
      '--health-probe-bind-address=:8081',
      '--metrics-bind-address=127.0.0.1:8080',
      '--leader-elect',
    ]);
    assert.ok(!('error' in o));
    assert.deepEqual(o.metricsAddress, { host: '127.0.0.1', port: 8080 });
    assert.equal(o.leaderElect, true);
  });

  it('turn the webhook server off with --webhook-port=0', () => {
    const o = optionsFor(['--webhook-port=0']);
    assert.ok(!('error' in o));
    assert.equal(o.webhook, undefined);
  });

  it('refuse a webhook port that is not a number, naming the flag', () => {
    assert.deepEqual(optionsFor(['--webhook-port=https']), {
      error: 'invalid --webhook-port: "https" is not a port from 0 to 65535 (0 disables the webhook server)',
    });
  });

  it('refuse a metrics address that is not host:port, naming the flag', () => {
    const o = optionsFor(['--metrics-bind-address=8080']);
    assert.ok('error' in o);
    assert.match(o.error, /^invalid --metrics-bind-address: "8080" is not a listen address/);
  });
});
