import { describe, expect, it } from 'vitest';
import { ChatError } from '../../src/chat/errors.js';
import { MAX_JSON_DEPTH, parseChatRequest } from '../../src/chat/parse-request.js';
import { readBodyText } from '../../src/chat/read-body.js';

const limits = { maxMessages: 3, maxTokens: 50 };
const user = { role: 'user', content: 'hi' };
const parse = (body: unknown) => parseChatRequest(typeof body === 'string' ? body : JSON.stringify(body), limits);
const rejection = (body: unknown): ChatError => {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof ChatError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
};

describe('parseChatRequest', () => {
  it('accepts a request, keeps unknown parameters for Azure OpenAI to judge, and reads stream', () => {
    const request = parse({ model: 'sarcasm', messages: [user], temperature: 0, stop: ['x'], reasoning_effort: 'low', stream: true });
    expect(request).toMatchObject({ model: 'sarcasm', stream: true });
    expect(request.body['reasoning_effort']).toBe('low');
    expect(parse({ model: 'm', messages: [user], stream: null }).stream).toBe(false);
  });

  it('accepts tool-calling turns (assistant without content) and content parts', () => {
    const messages = [
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
      { role: 'user', content: [{ type: 'text', text: 'and?' }] },
    ];
    expect(parse({ model: 'm', messages, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'auto' }).model).toBe('m');
  });

  it.each([
    ['[1, 2]', null, 400],
    ['', null, 400],
    [{ messages: [user] }, 'model', 400],
    [{ model: '  ', messages: [user] }, 'model', 400],
    [{ model: 'm', messages: [] }, 'messages', 400],
    [{ model: 'm', messages: {} }, 'messages', 400],
    [{ model: 'm', messages: [user, 'hi'] }, 'messages[1]', 400],
    [{ model: 'm', messages: [{ role: 7, content: 'x' }] }, 'messages[0].role', 400],
    [{ model: 'm', messages: [{ role: 'user', content: 42 }] }, 'messages[0].content', 400],
    [{ model: 'm', messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, 'messages[0].content', 400],
    [{ model: 'm', messages: [{ role: 'assistant' }] }, 'messages[0].content', 400],
    [{ model: 'm', messages: [user, user, user, user] }, 'messages', 400],
    [{ model: 'm', messages: [user], top_p: 2 }, 'top_p', 400],
    [{ model: 'm', messages: [user], n: 1.5 }, 'n', 400],
    [{ model: 'm', messages: [user], stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 400],
    [{ model: 'm', messages: [user], tools: [1] }, 'tools', 400],
    [{ model: 'm', messages: [user], response_format: 'json' }, 'response_format', 400],
    [{ model: 'm', messages: [user], max_tokens: 0 }, 'max_tokens', 400],
    [{ model: 'm', messages: [user], max_tokens: 51 }, 'max_tokens', 400],
    [{ model: 'm', messages: [user], max_completion_tokens: 51 }, 'max_completion_tokens', 400],
  ])('rejects %j naming %s', (body, param, status) => {
    const error = rejection(body);
    expect(error.status).toBe(status);
    expect(error.param).toBe(param);
    expect(error.type).toBe('invalid_request_error');
    if (param) expect(error.message).toContain(param);
  });

  it('does not echo long or private values in its messages', () => {
    const secret = 'x'.repeat(100);
    expect(rejection({ model: 'm', messages: [user], user: { secret } }).message).not.toContain(secret);
    expect(rejection({ model: 'm', messages: [user], temperature: secret }).message).toContain('got a string');
  });

  it('accepts the limits themselves', () => {
    expect(parse({ model: 'm', messages: [user, user, user], max_tokens: 50, max_completion_tokens: 50 }).model).toBe('m');
  });
});

describe('readBodyText', () => {
  const streamOf = (...parts: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });

  it('reads a body within the limit, in parts, as UTF-8', async () => {
    expect(await readBodyText(streamOf('{"a":', '"é"}'), null, 1024)).toBe('{"a":"é"}');
    expect(await readBodyText(null, null, 1024)).toBe('');
  });

  it('refuses with 413 a declared length over the limit, and a stream that crosses it without one', async () => {
    await expect(readBodyText(streamOf('x'), '2048', 1024)).rejects.toMatchObject({ status: 413, code: 'request_too_large' });
    await expect(readBodyText(streamOf('x'.repeat(600), 'y'.repeat(600)), null, 1024)).rejects.toMatchObject({ status: 413 });
    expect(await readBodyText(streamOf('x'.repeat(1024)), null, 1024)).toHaveLength(1024);
  });
});

describe('parseChatRequest nesting', () => {
  const nested = (depth: number) => `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  it('refuses a body nested deeper than MAX_JSON_DEPTH with a 400 (deep enough to overflow the SDK\'s serialiser)', () => {
    expect(() => parseChatRequest(nested(200_000), limits)).toThrow(expect.objectContaining({ status: 400, code: 'nesting_too_deep' }));
    expect(() => parseChatRequest(nested(MAX_JSON_DEPTH), limits)).toThrow(expect.objectContaining({ code: 'nesting_too_deep' }));
  });

  it('accepts ordinary nesting (structured-output schemas, tool parameters)', () => {
    expect(parseChatRequest(nested(MAX_JSON_DEPTH - 3), limits).model).toBe('m');
  });
});
