import { APIConnectionError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { ChatError, fromUpstream } from '../../src/chat/errors.js';
import { knownModelNames, ModelCatalog } from '../../src/chat/model-catalog.js';
import { SSE_DONE, sseStream } from '../../src/chat/sse.js';
import type { DeploymentRecord } from '../../src/runs/deployment-registry.js';

/** An error as the openai SDK builds it from an Azure OpenAI answer. */
const upstream = (status: number, body: unknown, headers: Record<string, string> = {}) => APIError.generate(status, body as object, undefined, new Headers(headers));

describe('fromUpstream', () => {
  it('keeps a 429 with its Retry-After headers', () => {
    const error = fromUpstream(upstream(429, { error: { code: '429', message: 'Requests have exceeded call rate limit.' } }, { 'retry-after': '3', 'retry-after-ms': '2500', 'api-key': 'k' }));
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', code: '429', message: 'Requests have exceeded call rate limit.' });
    expect(error.headers).toEqual({ 'retry-after': '3', 'retry-after-ms': '2500' });
  });

  it('keeps a 4xx status, message, code and param', () => {
    const error = fromUpstream(upstream(400, { error: { code: 'context_length_exceeded', message: 'Too long.', param: 'messages' } }));
    expect(error.envelope).toEqual({ error: { message: 'Too long.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } });
  });

  it('turns the app credentials being refused into a 502 without the upstream message', () => {
    const error = fromUpstream(upstream(401, { error: { code: '401', message: 'Access denied due to invalid subscription key abc123.' } }));
    expect(error.status).toBe(502);
    expect(error.message).not.toContain('abc123');
  });

  it('maps 5xx, lost connections and stream error events to 502', () => {
    expect(fromUpstream(upstream(503, { error: { message: 'busy' } }))).toMatchObject({ status: 502, code: 'upstream_error' });
    expect(fromUpstream(new APIConnectionError({ message: 'Connection error.' }))).toMatchObject({ status: 502, code: 'upstream_unavailable' });
    expect(fromUpstream(new APIError(undefined, { message: 'server had an error' }, undefined, undefined))).toMatchObject({ status: 502, message: expect.stringContaining('server had an error') });
    expect(fromUpstream(new TypeError('fetch failed'))).toMatchObject({ status: 502 });
    const own = new ChatError(404, 'x', 'invalid_request_error');
    expect(fromUpstream(own)).toBe(own);
  });
});

const record = (deploymentName: string, dataset: string): DeploymentRecord => ({ deploymentName, dataset, model: 'ft:m', runId: 'r', updatedAt: '' });

describe('ModelCatalog', () => {
  it('serves from memory within the TTL, refreshes after it, and re-reads once on a miss', async () => {
    let clock = 0;
    let reads = 0;
    let stored = [record('a-dep', 'a')];
    const catalog = new ModelCatalog(async () => (reads++, { deployments: stored, aliases: [] }), 1000, () => clock);
    expect((await catalog.resolve('a')).record?.deploymentName).toBe('a-dep');
    expect((await catalog.resolve('a-dep')).record?.dataset).toBe('a');
    expect(reads).toBe(1);
    stored = [...stored, record('b-dep', 'b')];
    expect((await catalog.resolve('b')).record?.deploymentName).toBe('b-dep');
    expect(reads).toBe(2);
    const miss = await catalog.resolve('zzz');
    expect(miss.record).toBeUndefined();
    expect(reads).toBe(3);
    if (!miss.record) expect(knownModelNames(miss.known)).toBe('a, a-dep, b, b-dep');
    clock = 1001;
    await catalog.resolve('a');
    expect(reads).toBe(4);
  });

  it('shares one read between concurrent misses', async () => {
    let reads = 0;
    const catalog = new ModelCatalog(async () => (reads++, await new Promise((r) => setTimeout(r, 20)), { deployments: [], aliases: [] }));
    await Promise.all([catalog.resolve('x'), catalog.resolve('y'), catalog.resolve('z')]);
    expect(reads).toBe(1);
    expect(knownModelNames({ deployments: [], aliases: [] })).toMatch(/none yet/);
  });
});

describe('sseStream', () => {
  const read = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

  it('writes each chunk as a data event and ends with [DONE]', async () => {
    const text = await read(sseStream({ chunks: (async function* () { yield { a: 1 }; yield { b: 2 }; })(), abort: () => {} }, fromUpstream));
    expect(text).toBe(`data: {"a":1}\n\ndata: {"b":2}\n\n${new TextDecoder().decode(SSE_DONE)}`);
  });

  it('ends with an error event and no [DONE] when the upstream fails midway', async () => {
    const chunks = (async function* () {
      yield { a: 1 };
      throw new APIConnectionError({ message: 'Connection error.' });
    })();
    const text = await read(sseStream({ chunks, abort: () => {} }, fromUpstream));
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1]!.slice(6))).toMatchObject({ error: { type: 'api_error', code: 'upstream_unavailable' } });
  });

  it('aborts the upstream when the caller cancels', async () => {
    let aborted = false;
    const stream = sseStream({ chunks: (async function* () { yield 1; await new Promise(() => {}); })(), abort: () => (aborted = true) }, fromUpstream);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(aborted).toBe(true);
  });
});
