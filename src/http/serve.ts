// Plain-HTTP serving of a Hono app on Node and Deno through one code path: node:http plus
// @hono/node-server's request listener. overrideGlobalObjects stays false so the global
// Request/Response are left alone for other libraries (honojs/node-server#154).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';

export type RunningServer = {
  port: number;
  host: string;
  /**
   * Stops listening and closes every connection. With `graceMs`, as Go's `Server.Shutdown`:
   * idle connections close at once, requests in flight get up to `graceMs` to finish.
   */
  close(graceMs?: number): Promise<void>;
};

export type ServeOptions = {
  /**
   * Go's `http.Server` ReadTimeout and WriteTimeout, in ms (Go's IdleTimeout defaults to
   * ReadTimeout). node:http has no write deadline: the socket's inactivity timeout is the nearest.
   */
  timeoutsMs?: { read: number; write: number };
};

export function serveHttp(app: Hono, host: string, port: number, options: ServeOptions = {}): Promise<RunningServer> {
  const server: Server = createServer(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
  if (options.timeoutsMs) {
    const { read, write } = options.timeoutsMs;
    server.requestTimeout = read;
    server.headersTimeout = read;
    server.keepAliveTimeout = read;
    server.timeout = write;
  }
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
        close: (graceMs = 0) =>
          new Promise<void>((done) => {
            const timer = graceMs > 0 ? setTimeout(() => server.closeAllConnections(), graceMs) : undefined;
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            if (timer === undefined) server.closeAllConnections();
            else server.closeIdleConnections();
          }),
      });
    });
  });
}
