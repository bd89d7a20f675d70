// Health probes of the control plane's components, and a wait that reports the failing
// component's log when it gives up.
import http from 'node:http';
import https from 'node:https';
import type { ApiAuth } from './kube-http.ts';
import { apiRequest } from './kube-http.ts';
import type { ClusterState, Component } from './cluster-state.ts';

function get(url: string, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when `component` is healthy right now; throws a reason otherwise. */
export async function probe(state: ClusterState, admin: ApiAuth, component: Component): Promise<void> {
  if (!alive(state.pids[component])) throw new Error(`${component} (pid ${state.pids[component]}) is not running`);
  const url = state.health[component];
  if (!url) return;
  let res: { status: number; body: string };
  if (component === 'kube-apiserver') {
    // /readyz with credentials: anonymous requests get 401/403 while RBAC bootstraps.
    res = await apiRequest(admin, 'GET', '/readyz', { timeoutMs: 5000 });
  } else {
    // kube-controller-manager and kube-scheduler serve /healthz with a self-signed certificate.
    res = await get(url, { rejectUnauthorized: false });
  }
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  if (component === 'etcd' && !/"health":\s*"true"/.test(res.body)) throw new Error(`${url}: ${res.body}`);
}

const ERROR_LINE = /^(Error|error|E\d{4} |F\d{4} )|"level":"(error|fatal)"|--- harness: .* exited/;

/**
 * The last `n` lines of a log, preceded by the last few error-like lines from before them
 * (a program that dies on a bad flag prints the error, then a long usage text).
 */
export function logTail(text: string, n = 30): string {
  const lines = text.trimEnd().split('\n');
  const tail = lines.slice(-n);
  const earlier = lines.slice(0, -n).filter((l) => ERROR_LINE.test(l)).slice(-5);
  return (earlier.length > 0 ? [...earlier, '[...]'] : []).concat(tail).join('\n');
}

export type WaitOptions = {
  timeoutMs: number;
  intervalMs?: number;
  /** Component whose log tail goes into the error. */
  component?: string;
  logTail?: (component: string) => string;
  /** Give up early when this returns a reason (e.g. the component keeps crashing). */
  abort?: () => string | undefined;
};

/** Calls `check` until it resolves; on timeout throws with the last failure and the log tail. */
export async function waitFor<T>(what: string, check: () => Promise<T>, opts: WaitOptions): Promise<T> {
  const start = Date.now();
  let last: unknown = 'never checked';
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    const aborted = opts.abort?.();
    if (aborted || Date.now() - start > opts.timeoutMs) {
      const reason = aborted ?? `not ready after ${Math.round((Date.now() - start) / 1000)} s`;
      const tail = opts.component && opts.logTail
        ? `\n--- last 30 lines of ${opts.component}'s log ---\n${opts.logTail(opts.component)}`
        : '';
      throw new Error(`${what}: ${reason}; last check: ${(last as Error)?.message ?? String(last)}${tail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
