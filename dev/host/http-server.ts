import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostLogger } from './logger.js';

/** A handler answers (and returns true) or passes the request on (false). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** The host's single HTTP listener on 127.0.0.1: webhooks first, then the app's HTTP routes. */
export async function listen(port: number, handlers: RequestHandler[], logger: HostLogger): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    void (async () => {
      for (const handler of handlers) {
        if (await handler(req, res, url)) return;
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      logger.error(`Request ${req.method} ${url.pathname} failed: ${String((error as Error)?.stack ?? error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use (is another host running?).`) : error),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
