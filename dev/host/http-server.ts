import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostLogger } from './logger.js';
import { HEADERS_TIMEOUT_MS, MAX_REQUEST_BYTES, MAX_URL_LENGTH, REQUEST_TIMEOUT_MS, RequestTooLarge } from './request-limits.js';

/** A handler answers (and returns true) or passes the request on (false). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** The host's single HTTP listener on 127.0.0.1: webhooks first, then the app's HTTP routes. */
export async function listen(port: number, handlers: RequestHandler[], logger: HostLogger): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const url = parseRequestUrl(req);
    if (typeof url === 'number') {
      // Refused before any handler sees it, as the real host's front end does.
      req.resume();
      res.writeHead(url, { connection: 'close' }).end();
      return;
    }
    void (async () => {
      for (const handler of handlers) {
        if (await handler(req, res, url)) return;
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      if (error instanceof RequestTooLarge) {
        if (!res.headersSent) res.writeHead(413, { connection: 'close' });
        res.end();
        return;
      }
      logger.error(`Request ${req.method} ${url.pathname} failed: ${String((error as Error)?.stack ?? error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Node's default is 5 minutes: a client that stalls mid-body would hold its handler that long.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
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

/**
 * The request's URL, or the status that refuses it: 414 past the host's URL limit, 413 for a
 * declared body over the request limit, 400 for a path that is not valid percent-encoding (the
 * real host answers `/api/runs/%ZZ` with 400 Bad Request before routing).
 */
function parseRequestUrl(req: IncomingMessage): URL | number {
  const raw = req.url ?? '/';
  if (raw.length > MAX_URL_LENGTH) return 414;
  if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) return 413;
  for (const host of [req.headers.host ?? '127.0.0.1', '127.0.0.1']) {
    try {
      const url = new URL(raw, `http://${host}`);
      decodeURIComponent(url.pathname);
      return url;
    } catch (error) {
      if (error instanceof URIError) return 400;
    }
  }
  return 400;
}
