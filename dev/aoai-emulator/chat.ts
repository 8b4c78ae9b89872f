/**
 * Chat completions for deployed models, with and without streaming (server-sent events ending in
 * `data: [DONE]`), in Azure's shapes (content filter results included), with `usage` counted by
 * the model's tokenizer using the OpenAI cookbook's per-message formula.
 */
import { getEncoding, type Tiktoken, type TiktokenEncoding } from 'js-tiktoken';
import { baseModelReply, closestReply } from './answers.js';
import { ApiError, invalidRequest } from './errors.js';
import { findServingDeployment } from './deployments.js';
import { json, jsonBody, type RequestContext, type Reply } from './http.js';
import { contentText } from './jobs.js';
import { unixSeconds, type EmulatorState } from './state.js';

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const TOKENS_PER_REPLY = 3;

const NOT_FILTERED = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

/** Counts tokens with OpenAI's own tokenizer (js-tiktoken), never the app's counter. */
interface TokenCounter {
  count(text: string): number;
}

const counters = new Map<TiktokenEncoding, TokenCounter>();

/** gpt-35-turbo and gpt-4 (not 4o/4.1) use cl100k_base; the newer models o200k_base (OpenAI's tiktoken model table). */
function encodingOf(model: string): TiktokenEncoding {
  return /^(gpt-35-turbo|gpt-3\.5-turbo|gpt-4-|gpt-4$)/.test(model) ? 'cl100k_base' : 'o200k_base';
}

function counterFor(model: string): TokenCounter {
  const encoding = encodingOf(model);
  let counter = counters.get(encoding);
  if (!counter) {
    const tokenizer: Tiktoken = getEncoding(encoding);
    counter = { count: (text) => tokenizer.encode(text, [], []).length };
    counters.set(encoding, counter);
  }
  return counter;
}

interface ChatMessage {
  role: string;
  content: string;
  name?: string;
}

function parseMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest("'messages' is a required property and must be a non-empty array.", 'messages');
  }
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) throw invalidRequest(`'messages[${index}]' must be an object.`, `messages[${index}]`);
    const { role, content, name } = item as Record<string, unknown>;
    if (typeof role !== 'string' || role === '') {
      throw invalidRequest(`'messages[${index}].role' is a required property.`, `messages[${index}].role`);
    }
    const text = content === null || content === undefined ? '' : contentText(content);
    if (text === null) throw invalidRequest(`'messages[${index}].content' must be a string or a list of text parts.`, `messages[${index}].content`);
    return typeof name === 'string' ? { role, content: text, name } : { role, content: text };
  });
}

function promptTokens(counter: TokenCounter, messages: readonly ChatMessage[]): number {
  let total = TOKENS_PER_REPLY;
  for (const m of messages) {
    total += TOKENS_PER_MESSAGE + counter.count(m.role) + counter.count(m.content);
    if (m.name !== undefined) total += TOKENS_PER_NAME + counter.count(m.name);
  }
  return total;
}

function tokenLimit(body: Record<string, unknown>): number | null {
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw invalidRequest(`Invalid value for '${field}': expected a whole number of at least 1.`, field);
    }
    return value;
  }
  return null;
}

/** Splits a reply into the pieces a stream sends: each word with the whitespace before it. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? (text === '' ? [] : [text]);
}

/** Cuts the reply to at most `limit` tokens at a word boundary, as a truncated completion. */
function truncate(counter: TokenCounter, text: string, limit: number): string {
  let out = '';
  for (const piece of pieces(text)) {
    if (counter.count(out + piece) > limit) break;
    out += piece;
  }
  return out;
}

function reply(state: EmulatorState, model: string, messages: readonly ChatMessage[]): string {
  const question = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const fineTuned = state.models.get(model);
  if (fineTuned) return closestReply(fineTuned.pairs, question) ?? baseModelReply(model, question);
  return baseModelReply(model, question);
}

export function chatCompletions(ctx: RequestContext): Reply {
  const { state, now } = ctx;
  const body = jsonBody(ctx);
  const deploymentName = ctx.params['deployment'] ?? (typeof body['model'] === 'string' ? body['model'] : '');
  if (!deploymentName) throw invalidRequest("'model' is a required property (the deployment name).", 'model');
  const deployed = findServingDeployment(state, deploymentName);
  if (!deployed) {
    throw new ApiError(404, {
      code: 'DeploymentNotFound',
      message:
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, ' +
        'please wait a moment and try again.',
    });
  }
  const messages = parseMessages(body['messages']);
  const limit = tokenLimit(body);
  const model = deployed.name;
  const counter = counterFor(model);
  const full = reply(state, model, messages);
  const content = limit === null ? full : truncate(counter, full, limit);
  const finishReason = content.length < full.length ? 'length' : 'stop';
  const usage = {
    prompt_tokens: promptTokens(counter, messages),
    completion_tokens: counter.count(content),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = `chatcmpl-${state.ids.hex(29)}`;
  const created = unixSeconds(now);
  const fingerprint = `fp_${state.ids.hex(10)}`;

  if (body['stream'] === true) {
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: fingerprint };
    const chunks: unknown[] = [
      // Azure's first chunk carries only the prompt filter results, with no choices.
      { id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: NOT_FILTERED }] },
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null, logprobs: null }] },
      ...pieces(content).map((piece) => ({
        ...base,
        choices: [{ index: 0, delta: { content: piece }, finish_reason: null, logprobs: null, content_filter_results: NOT_FILTERED }],
      })),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason, logprobs: null }] },
    ];
    if (options?.include_usage === true) chunks.push({ ...base, choices: [], usage });
    return { status: 200, events: sse(chunks) };
  }

  return json(200, {
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: fingerprint,
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: NOT_FILTERED }],
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: finishReason,
        logprobs: null,
        content_filter_results: NOT_FILTERED,
      },
    ],
    usage,
  });
}

async function* sse(chunks: readonly unknown[]): AsyncIterable<string> {
  for (const chunk of chunks) yield `data: ${JSON.stringify(chunk)}\n\n`;
  yield 'data: [DONE]\n\n';
}
