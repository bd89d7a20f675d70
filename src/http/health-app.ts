// /healthz (liveness) and /readyz (readiness), in controller-runtime's healthz format:
// "ok" when every check passes; otherwise 500 with one `[-]name failed: reason` line per
// failing check. `?verbose` lists the passing checks too. Liveness never depends on
// leadership: a standby replica is healthy (docs/architecture.md §5.11).
import { Hono } from 'hono';

export type Check = () => Promise<true | string> | true | string;

export type HealthChecks = {
  addHealthz(name: string, check: Check): void;
  addReadyz(name: string, check: Check): void;
};

export function createHealthApp(): { app: Hono; checks: HealthChecks } {
  const healthz = new Map<string, Check>([['ping', () => true]]);
  const readyz = new Map<string, Check>([['ping', () => true]]);
  const app = new Hono();

  const handler =
    (checks: Map<string, Check>, label: string) =>
    async (c: { req: { query(k: string): string | undefined }; text(body: string, status?: 200 | 500): Response }) => {
      const verbose = c.req.query('verbose') !== undefined;
      const lines: string[] = [];
      let failed = false;
      for (const [name, check] of checks) {
        let result: true | string;
        try {
          result = await check();
        } catch (err) {
          result = err instanceof Error ? err.message : String(err);
        }
        if (result === true) lines.push(`[+]${name} ok`);
        else {
          failed = true;
          lines.push(`[-]${name} failed: ${result}`);
        }
      }
      if (failed) return c.text(`${lines.join('\n')}\n${label} check failed\n`, 500);
      return c.text(verbose ? `${lines.join('\n')}\n${label} check passed\n` : 'ok', 200);
    };

  app.get('/healthz', handler(healthz, 'healthz'));
  app.get('/readyz', handler(readyz, 'readyz'));
  return {
    app,
    checks: {
      addHealthz: (name, check) => void healthz.set(name, check),
      addReadyz: (name, check) => void readyz.set(name, check),
    },
  };
}
