import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { loadApp } from '../../../dev/host/load-app.js';
import { collectingLogger } from '../../support/collecting-logger.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/http-app/index.mjs');

describe('dev/host HTTP triggers (streaming app)', () => {
  let host: RunningHost;
  const logger = collectingLogger();

  beforeAll(async () => {
    host = await startHost({ app: appEntry, port: 0, logger, keys: { master: 'master-key', function: ['fn-key'] } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('matches constrained parameters and prefers the matching constraint', async () => {
    const byId = await fetch(`${host.url}/api/items/42`);
    expect(await byId.json()).toEqual({ route: 'itemById', id: '42' });
    const byName = await fetch(`${host.url}/api/items/widget`);
    expect(await byName.json()).toEqual({ route: 'itemByName', name: 'widget' });
    expect((await fetch(`${host.url}/api/items/4x2`)).status).toBe(404);
  });

  it('supports optional parameters', async () => {
    expect(await (await fetch(`${host.url}/api/files/report.md`)).json()).toEqual({ name: 'report.md' });
    expect(await (await fetch(`${host.url}/api/files`)).json()).toEqual({ name: null });
  });

  it('passes method, body, query and headers through HttpRequest and returns the HttpResponse', async () => {
    const response = await fetch(`${host.url}/api/echo?who=tester`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'header-value' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('header-value');
    expect(await response.json()).toEqual({ body: { hello: 'world' }, who: 'tester', method: 'POST' });
    // The real host routes with ASP.NET: a method the route does not allow is 404.
    expect((await fetch(`${host.url}/api/echo`)).status).toBe(404);
    expect(logger.lines).toContain('echo invoked for tester');
    expect(logger.lines.some((l) => /^Executed 'Functions\.echo' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)$/.test(l))).toBe(true);
  });

  it('requires a function key or the master key for authLevel function', async () => {
    expect((await fetch(`${host.url}/api/secret`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/secret?code=wrong`)).status).toBe(401);
    expect(await (await fetch(`${host.url}/api/secret?code=fn-key`)).text()).toBe('function-level ok');
    expect((await fetch(`${host.url}/api/secret`, { headers: { 'x-functions-key': 'master-key' } })).status).toBe(200);
  });

  it('requires the master key for authLevel admin', async () => {
    expect((await fetch(`${host.url}/api/admin-only?code=fn-key`)).status).toBe(401);
    expect(await (await fetch(`${host.url}/api/admin-only`, { headers: { 'x-functions-key': 'master-key' } })).text()).toBe('admin ok');
  });

  it('answers 500 and logs the stack when the handler throws', async () => {
    expect((await fetch(`${host.url}/api/boom`)).status).toBe(500);
    expect(logger.lines.some((l) => l.includes('boom from the handler') && l.includes('index.mjs'))).toBe(true);
    expect(logger.lines.some((l) => /^Executed 'Functions\.boom' \(Failed, Id=/.test(l))).toBe(true);
  });

  it('streams the response: the first part arrives before the second is produced', async () => {
    const response = await fetch(`${host.url}/api/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('first part\n');
    expect(await (await fetch(`${host.url}/api/release`)).text()).toBe('released');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('second part\n');
  });

  it('refuses malformed paths, oversized requests and unkeyed webhooks like the real host', async () => {
    expect((await fetch(`${host.url}/api/files/%ZZ`)).status).toBe(400);
    expect((await fetch(`${host.url}/api/${'x'.repeat(5000)}`)).status).toBe(414);
    const declared = await rawRequest(host.port, `POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${104_857_601}\r\n\r\n`);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    // The unauthenticated-looking webhooks still count bytes and still need a key once keys exist.
    expect((await fetch(`${host.url}/runtime/webhooks/blobs?functionName=x`, { method: 'POST', body: '[]' })).status).toBe(401);
    expect((await fetch(`${host.url}/runtime/webhooks/blobs?functionName=x&code=fn-key`, { method: 'POST', body: '[]' })).status).toBe(401);
    expect((await fetch(`${host.url}/runtime/webhooks/blobs?functionName=x&code=master-key`, { method: 'POST', body: '[]' })).status).toBe(404);
  });

  it('frees the handler when a client leaves in the middle of its request body', async () => {
    const socket = connect(host.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /api/echo?who=leaver HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"partial":');
    await waitUntil(() => logger.lines.includes('echo invoked for leaver'));
    socket.destroy();
    // The invocation ends (failed: its body never came) within moments, not after minutes.
    await waitUntil(() => logger.lines.some((l) => /^Executed 'Functions\.echo' \(Failed/.test(l)));
  });

  it('hands a request with a declared length to the library in-process, a chunked one over its proxy; no invocation id leaks', async () => {
    // loadApp is memoised per app: this is the host's own load, and its HTTP-stream proxy server.
    const server = (await loadApp(appEntry)).httpStreamServer;
    expect(server).toBeDefined();
    let connections = 0;
    const count = (): void => void connections++;
    server!.on('connection', count);
    try {
      const post = (body: string | ReadableStream<Uint8Array>) =>
        fetch(`${host.url}/api/echo?who=handover`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'h' }, body, duplex: 'half' } as RequestInit);
      const declared = await post(JSON.stringify({ n: 1 }));
      expect(declared.status).toBe(201);
      expect(declared.headers.get('x-echo')).toBe('h');
      expect(declared.headers.has('x-ms-invocation-id')).toBe(false);
      expect(await declared.json()).toEqual({ body: { n: 1 }, who: 'handover', method: 'POST' });
      expect(connections).toBe(0);
      const chunked = await post(new Blob([JSON.stringify({ n: 2 })]).stream());
      expect(chunked.status).toBe(201);
      expect(chunked.headers.has('x-ms-invocation-id')).toBe(false);
      expect(await chunked.json()).toEqual({ body: { n: 2 }, who: 'handover', method: 'POST' });
      expect(connections).toBeGreaterThan(0);
    } finally {
      server!.off('connection', count);
    }
  });

  it('returns 404 for unknown routes', async () => {
    expect((await fetch(`${host.url}/api/nope`)).status).toBe(404);
  });
});

/** Sends raw bytes (to declare sizes fetch would refuse to fake) and returns the response head. */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
  });
}

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
