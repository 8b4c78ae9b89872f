import { APIConnectionError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { ChatError, fromUpstream } from '../../src/chat/errors.js';
import { knownModelNames, ModelCatalog } from '../../src/chat/model-catalog.js';
import { relaySse } from '../../src/chat/sse.js';
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
    const catalog = new ModelCatalog(async () => (reads++, stored), 1000, () => clock);
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
    const catalog = new ModelCatalog(async () => (reads++, await new Promise((r) => setTimeout(r, 20)), []));
    await Promise.all([catalog.resolve('x'), catalog.resolve('y'), catalog.resolve('z')]);
    expect(reads).toBe(1);
    expect(knownModelNames([])).toMatch(/none yet/);
  });
});

describe('relaySse', () => {
  const read = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();
  const upstreamOf = (parts: Array<string | Error>, onCancel?: () => void): ReadableStream<Uint8Array> => {
    let i = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const part = parts[i++];
        if (part === undefined) controller.close();
        else if (part instanceof Error) controller.error(part);
        else controller.enqueue(new TextEncoder().encode(part));
      },
      cancel: () => onCancel?.(),
    });
  };
  const answer = 'data: {"id":"c1","choices":[{"delta":{"role":"assistant"}}]}\n\ndata: {"id":"c1","choices":[{"delta":{"content":"Hé 東京"}}]}\n\ndata: [DONE]\n\n';

  it('passes the upstream bytes on unchanged, however they were split', async () => {
    for (const cut of [1, 7, 20, answer.length - 3]) {
      expect(await read(relaySse(upstreamOf([answer.slice(0, cut), answer.slice(cut)]), fromUpstream))).toBe(answer);
    }
    const crlf = 'data: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n';
    expect(await read(relaySse(upstreamOf([crlf.slice(0, 5), crlf.slice(5)]), fromUpstream))).toBe(crlf);
  });

  it('passes each complete event on before the rest has arrived', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let sent = 0;
    const upstream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent++ === 0) controller.enqueue(new TextEncoder().encode('data: {"a":1}\n\ndata: {"b"'));
        else {
          await held;
          controller.close();
        }
      },
    });
    const reader = relaySse(upstream, fromUpstream).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"a":1}\n\n');
    release();
  });

  it('ends with an error event, no partial event and no [DONE], when the upstream fails midway', async () => {
    const text = await read(relaySse(upstreamOf(['data: {"a":1}\n\ndata: {"half', new APIConnectionError({ message: 'Connection error.' })]), fromUpstream));
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(events[0]).toBe('data: {"a":1}');
    expect(JSON.parse(events[1]!.slice(6))).toMatchObject({ error: { type: 'api_error', code: 'upstream_unavailable' } });
  });

  it('cancels the upstream when the caller cancels', async () => {
    let cancelled = false;
    const stream = relaySse(upstreamOf(['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'], () => (cancelled = true)), fromUpstream);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(cancelled).toBe(true);
  });
});
