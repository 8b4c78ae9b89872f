/**
 * A recording HTTP proxy for contract tests: put it between the app and the emulator, and every
 * request the app really sends (and every answer) is kept for checking against the API
 * descriptions. Loopback only; bodies of multipart uploads are kept up to a cap.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  url: URL;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  responseBody: Buffer;
}

export interface RecordingProxy {
  url: string;
  exchanges: Exchange[];
  setTarget(url: string): void;
  close(): Promise<void>;
}

const MAX_KEPT_BYTES = 1024 * 1024;

export async function startRecordingProxy(): Promise<RecordingProxy> {
  let target: URL | undefined;
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    if (!target) {
      res.writeHead(502).end('no target');
      return;
    }
    const chunks: Buffer[] = [];
    let kept = 0;
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const body: Buffer[] = [];
      answer.on('data', (c: Buffer) => body.push(c));
      answer.on('end', () => {
        const responseBody = Buffer.concat(body);
        exchanges.push({
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://proxy.invalid'),
          requestHeaders: req.headers,
          requestBody: Buffer.concat(chunks),
          status: answer.statusCode ?? 0,
          responseHeaders: answer.headers,
          responseBody,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(responseBody);
      });
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.on('data', (chunk: Buffer) => {
      if (kept < MAX_KEPT_BYTES) chunks.push(chunk);
      kept += chunk.length;
      upstream.write(chunk);
    });
    req.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    setTarget: (url) => {
      target = new URL(url);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
