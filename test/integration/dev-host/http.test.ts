import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
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
    expect((await fetch(`${host.url}/api/echo`)).status).toBe(405);
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

  it('returns 404 for unknown routes', async () => {
    expect((await fetch(`${host.url}/api/nope`)).status).toBe(404);
  });
});
