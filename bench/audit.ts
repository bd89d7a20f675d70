// A control plane whose kube-apiserver writes an audit log of every write (create, update, patch,
// delete), so a benchmark can count who wrote what: the operator's requests carry User-Agent
// cosmos-operator.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlPlane, startControlPlane } from '../test/cluster/control-plane.ts';

type AuditEvent = {
  stage: string;
  verb: string;
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string };
  requestReceivedTimestamp: string;
};

export type Writes = {
  total: number;
  byResource: Map<string, number>; /** When the last write of each kind was received. */
  lastAt: Map<string, Date>;
};

export type AuditedPlane = {
  plane: ControlPlane;
  /** Writes whose User-Agent starts with `userAgent`, received in [from, to). */
  writes(userAgent: string, from?: Date, to?: Date): Writes;
};

export async function startAuditedControlPlane(log: (line: string) => void): Promise<AuditedPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'cosmos-bench-audit-'));
  const policy = join(dir, 'audit-policy.json');
  const auditLog = join(dir, 'audit.log');
  writeFileSync(
    policy,
    JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] }, {
        level: 'None',
      }],
    }),
  );
  const plane = await startControlPlane({
    handleSignals: true,
    log,
    extraArgs: {
      'kube-apiserver': [`--audit-policy-file=${policy}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json'],
    },
  });
  return {
    plane,
    writes(userAgent, from = new Date(0), to = new Date(8.64e15)) {
      const byResource = new Map<string, number>();
      const lastAt = new Map<string, Date>();
      let total = 0;
      for (const line of readFileSync(auditLog, 'utf8').split('\n')) {
        if (line === '') continue;
        const e = JSON.parse(line) as AuditEvent;
        if (e.stage !== 'ResponseComplete' || !(e.userAgent ?? '').startsWith(userAgent)) continue;
        const at = new Date(e.requestReceivedTimestamp);
        if (at < from || at >= to) continue;
        const key = `${e.verb} ${e.objectRef?.resource ?? '?'}${
          e.objectRef?.subresource ? '/' + e.objectRef.subresource : ''
        }`;
        byResource.set(key, (byResource.get(key) ?? 0) + 1);
        if (at > (lastAt.get(key) ?? 0)) lastAt.set(key, at);
        total++;
      }
      return { total, byResource, lastAt };
    },
  };
}

/** "  create pods: 300" lines, most first. */
export function writeLines(writes: Writes, indent = '    '): string[] {
  return [...writes.byResource].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${indent}${k}: ${n}`);
}
