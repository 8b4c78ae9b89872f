import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveFetch } from '../../src/chat/http-fetch.js';

describe('keepAliveFetch (the chat proxy transport)', () => {
  let server: http.Server;
  let base = '';
  const seen: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/empty') return void res.writeHead(204).end();
        if (req.url === '/hang') return; // never answers
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and a string body with its byte length; returns status, headers and body', async () => {
    const response = await keepAliveFetch(`${base}/x?api-version=1`, { method: 'POST', headers: { 'api-key': 'k', 'content-type': 'application/json' }, body: '{"q":"東京"}' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ echo: '{"q":"東京"}' });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', body: '{"q":"東京"}' });
    expect(request.headers['api-key']).toBe('k');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"q":"東京"}')));
  });

  it('accepts Headers and answers 204 with no body', async () => {
    const response = await keepAliveFetch(new URL(`${base}/empty`), { method: 'DELETE', headers: new Headers({ 'x-a': '1' }) });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(seen.at(-1)!.headers['x-a']).toBe('1');
  });

  it('rejects with an AbortError when the signal aborts (the SDK times requests out this way)', async () => {
    const controller = new AbortController();
    const pending = keepAliveFetch(`${base}/hang`, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
