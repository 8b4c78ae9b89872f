import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/azure/service-errors.js';
import { signBody, verifySignature } from '../../../src/notify/signature.js';
import { runEvent } from '../../../src/notify/events.js';
import { PermanentFailure, runActivity } from '../../../src/orchestrators/activity-result.js';
import { promptFromExample } from '../../../src/orchestrators/activities/smoke-test.js';

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256> of the exact body, and verification rejects any change', () => {
    const body = JSON.stringify(runEvent({ runId: 'r-1', dataset: 'd', status: 'succeeded' }, 'run.succeeded', '2026-01-01T00:00:00.000Z', {}));
    expect(signBody(body, 'k')).toBe(`sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
    expect(verifySignature(body, 'k', signBody(body, 'k'))).toBe(true);
    expect(verifySignature(`${body} `, 'k', signBody(body, 'k'))).toBe(false);
    expect(verifySignature(body, 'other', signBody(body, 'k'))).toBe(false);
    expect(verifySignature(body, 'k', undefined)).toBe(false);
  });

  it('event ids are stable per run and type', () => {
    expect(runEvent({ runId: 'r-1', dataset: 'd', status: 'failed' }, 'run.failed', 'x', {}).id).toBe('r-1:run.failed');
  });
});

describe('classifyError', () => {
  it('retries 429, 408, 5xx and network errors; not other 4xx', () => {
    expect(classifyError({ status: 429, error: { code: '429', message: 'slow down' } })).toEqual({
      permanent: false,
      failure: { code: '429', message: 'slow down', status: 429 },
    });
    expect(classifyError({ statusCode: 503, code: 'ServiceUnavailable', message: 'busy' }).permanent).toBe(false);
    expect(classifyError({ status: 408, message: 'timeout' }).permanent).toBe(false);
    expect(classifyError(new TypeError('fetch failed'))).toMatchObject({ permanent: false, failure: { code: 'network_error' } });
    expect(classifyError(new TypeError('terminated', { cause: new Error('other side closed') })).permanent).toBe(false);
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toMatchObject({ permanent: false, failure: { code: 'ECONNREFUSED' } });
    expect(classifyError({ status: 400, error: { code: 'invalidPayload', message: "Invalid 'suffix'" } })).toEqual({
      permanent: true,
      failure: { code: 'invalidPayload', message: "Invalid 'suffix'", status: 400 },
    });
    expect(classifyError({ statusCode: 403, code: 'AuthorizationFailed', message: 'no' }).permanent).toBe(true);
  });

  it("does not retry (or wait out as an outage) a bug in the app's own code", () => {
    let bug: unknown;
    try {
      (undefined as unknown as { status: string }).status.trim();
    } catch (error) {
      bug = error;
    }
    expect(classifyError(bug)).toMatchObject({ permanent: true, failure: { code: 'internal_error' } });
    expect(classifyError(new RangeError('Invalid time value')).permanent).toBe(true);
  });
});

describe('runActivity', () => {
  it('returns permanent failures instead of throwing them', async () => {
    expect(await runActivity(async () => { throw new PermanentFailure('bad', 'no good'); })).toEqual({ ok: false, error: { code: 'bad', message: 'no good' } });
    expect(await runActivity(async () => { throw { status: 404, error: { code: 'NotFound', message: 'gone' } }; })).toEqual({
      ok: false,
      error: { code: 'NotFound', message: 'gone', status: 404 },
    });
  });

  it('runs the body once and throws a transient failure for the orchestration to retry (quick retries are the SDKs\' own)', async () => {
    let calls = 0;
    await expect(runActivity(async () => { calls++; throw { status: 503, message: 'down' }; })).rejects.toThrow('transient: http_503: down');
    expect(calls).toBe(1);
    calls = 0;
    const started = Date.now();
    await expect(runActivity(async () => { calls++; throw { status: 429, message: 'slow down', headers: { 'retry-after': '20' } }; })).rejects.toThrow('transient: http_429: slow down');
    // No Retry-After sleep in the activity: the SDK has already honoured it on its own retries.
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('smoke-test prompt', () => {
  it('is the first example without its last assistant message (and without weights)', () => {
    const line = JSON.stringify({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }, { role: 'assistant', content: 'a', weight: 1 }] });
    expect(promptFromExample(line)).toEqual([{ role: 'system', content: 's' }, { role: 'user', content: 'q' }]);
    expect(promptFromExample('not json')).toEqual([{ role: 'user', content: 'Hello! Reply with one short sentence.' }]);
    expect(promptFromExample(undefined)).toHaveLength(1);
  });
});
