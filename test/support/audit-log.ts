// What a ServiceAccount did, from kube-apiserver's audit log (the test control plane writes one:
// policy in test/cluster/control-plane.ts), between two marker requests.
//
// Why this exists: "the operator writes nothing while nothing changes" used to be checked by
// comparing resourceVersions before and after a fixed sleep. That mixed in writes by kwok or the
// controller-manager, and on a busy machine a write of the convergence that landed late was
// taken for an idle one. The audit log names who wrote, and markers (requests of ours the API
// server logs like any other) bound the window by events on the server's own clock, not by
// how long the test process happened to sleep.
//
//   const from = await auditMark(cluster);
//   … the operator runs …
//   const to = await auditMark(cluster);
//   const writes = auditEvents(cluster, { user: serviceAccountUser(ns, 'cosmos-operator'), from, to, writes: true });
//
// Runs on Node and Deno.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { apiRequest } from '../cluster/kube-http.ts';
import type { TestCluster } from '../cluster/connect.ts';
import { AUDIT_MARKER_PATH } from '../cluster/cluster-state.ts';

export type AuditEvent = {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  /** RFC 3339 with microseconds, kube-apiserver's clock. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
};

/** A point in the audit log: when the API server received one of our marker requests. */
export type AuditMark = { id: string; at: string };

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export const serviceAccountUser = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

function auditFile(cluster: TestCluster): string {
  const file = cluster.state().auditLog;
  if (!file) {
    throw new Error(
      `the control plane at ${cluster.dir} writes no audit log (started before auditing was added?): restart it`,
    );
  }
  return file;
}

/** Every ResponseComplete event in the log so far (a half-written last line is skipped). */
export function readAuditLog(cluster: TestCluster): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const line of readFileSync(auditFile(cluster), 'utf8').split('\n')) {
    if (line === '') continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      continue; // a kube-apiserver killed mid-line
    }
    if (event.stage === 'ResponseComplete') events.push(event);
  }
  return events;
}

/**
 * Sends a marker request and waits until the audit log holds it: every request the API server
 * finished before receiving the marker is then in the log too (each request's event is written
 * when it completes, so one still running may come later: stop what you watch first if that matters).
 */
export async function auditMark(cluster: TestCluster, timeoutMs = 60_000): Promise<AuditMark> {
  const id = randomUUID();
  const uri = `${AUDIT_MARKER_PATH}/${id}`;
  await apiRequest(cluster.admin, 'GET', uri); // 404, and logged
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = readAuditLog(cluster).find((e) => e.requestURI === uri);
    if (found) return { id, at: found.requestReceivedTimestamp };
    if (Date.now() > deadline) {
      throw new Error(`audit marker ${uri} not in ${auditFile(cluster)} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Events of `user` received strictly between the markers `from` and `to` (either may be left
 * out), only writes when `writes` is set, and none of the markers themselves.
 */
export function auditEvents(
  cluster: TestCluster,
  filter: { user?: string; from?: AuditMark; to?: AuditMark; writes?: boolean; resource?: string } = {},
): AuditEvent[] {
  return readAuditLog(cluster).filter((e) =>
    !e.requestURI.startsWith(`${AUDIT_MARKER_PATH}/`) &&
    (filter.user === undefined || e.user.username === filter.user) &&
    (filter.from === undefined || e.requestReceivedTimestamp > filter.from.at) &&
    (filter.to === undefined || e.requestReceivedTimestamp < filter.to.at) &&
    (!filter.writes || WRITE_VERBS.has(e.verb)) &&
    (filter.resource === undefined || e.objectRef?.resource === filter.resource)
  );
}

/** "patch cosmosfullnodes/status ns/name (200) at …" lines, for failure messages. */
export function describeAudit(events: readonly AuditEvent[]): string {
  return events.map((e) => {
    const r = e.objectRef ?? {};
    const what = `${r.resource ?? e.requestURI}${r.subresource ? '/' + r.subresource : ''}`;
    return `${e.verb} ${what} ${r.namespace ?? ''}/${r.name ?? ''} (${
      e.responseStatus?.code ?? '?'
    }) at ${e.requestReceivedTimestamp}`;
  }).join('\n') || '(none)';
}
