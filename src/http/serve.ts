// Plain-HTTP serving of a Hono app on Node and Deno through one code path: node:http plus
// @hono/node-server's request listener. overrideGlobalObjects stays false so the global
// Request/Response are left alone for other libraries (honojs/node-server#154).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';

export type RunningServer = { port: number; host: string; close(): Promise<void> };

export function serveHttp(app: Hono, host: string, port: number): Promise<RunningServer> {
  const server: Server = createServer(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
  return new Promise((resolve, reject) => {
    server.once(
      'error',
      (err) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err })),
    );
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      resolve({
        port: addr.port,
        host,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
