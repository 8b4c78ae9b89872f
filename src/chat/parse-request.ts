/**
 * Checks a chat-completions request before anything is sent to Azure OpenAI: the JSON shape,
 * the types of the parameters we know, and the app's limits (message count, token budget). Each
 * problem is a 400 naming the field the way OpenAI does (`messages[1].role`), so a caller can fix
 * it without guessing. Parameters we do not know are forwarded untouched: Azure OpenAI is the
 * judge of new ones, and its 400 is passed back with its own message.
 */
import { ChatError, invalidField } from './errors.js';

/**
 * Deepest JSON nesting accepted. Unknown parameters are forwarded as received, and a body nested
 * thousands deep parses fine but overflows the stack when the SDK serialises it again; real
 * requests stay far below this (OpenAI's structured outputs allow 10 levels of schema nesting,
 * a few JSON levels each).
 */
export const MAX_JSON_DEPTH = 100;

export interface ChatLimits {
  maxMessages: number;
  maxTokens: number;
}

export interface ChatRequest {
  /** What the caller asked for: a dataset alias or a deployment name. */
  model: string;
  stream: boolean;
  /** The request as received (unknown fields included), to forward with `model` replaced. */
  body: Record<string, unknown>;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

type Check = (value: unknown) => string | undefined;

const number = (min: number, max: number): Check => (v) =>
  typeof v !== 'number' || !Number.isFinite(v) ? 'a number' : v < min || v > max ? `a number from ${min} to ${max}` : undefined;
const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v) =>
  typeof v !== 'number' || !Number.isInteger(v) ? 'an integer' : v < min || v > max ? `an integer from ${min} to ${max}` : undefined;
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
const string: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
const object: Check = (v) => (isObject(v) ? undefined : 'an object');
const arrayOfObjects: Check = (v) => (Array.isArray(v) && v.every(isObject) ? undefined : 'an array of objects');
const stringOrObject: Check = (v) => (typeof v === 'string' || isObject(v) ? undefined : 'a string or an object');
const stop: Check = (v) =>
  typeof v === 'string' || (Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === 'string')) ? undefined : 'a string or an array of at most 4 strings';

/** Types of the usual optional parameters; `null` means "not set" for each, as in OpenAI's API. */
const PARAMETERS: Readonly<Record<string, Check>> = {
  temperature: number(0, 2),
  top_p: number(0, 1),
  n: integer(1, 128),
  stream: boolean,
  stream_options: object,
  stop,
  presence_penalty: number(-2, 2),
  frequency_penalty: number(-2, 2),
  seed: integer(Number.MIN_SAFE_INTEGER),
  user: string,
  response_format: object,
  tools: arrayOfObjects,
  tool_choice: stringOrObject,
  parallel_tool_calls: boolean,
  logprobs: boolean,
  top_logprobs: integer(0, 20),
  logit_bias: object,
  max_tokens: integer(1),
  max_completion_tokens: integer(1),
};

/** Parses the raw body text; every failure is a ChatError with status 400. */
export function parseChatRequest(text: string, limits: ChatLimits): ChatRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ChatError(400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json', null);
  }
  if (!isObject(body)) throw new ChatError(400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_json', null);
  const depth = jsonDepth(body, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new ChatError(400, `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, 'invalid_request_error', 'nesting_too_deep', null);
  }

  const model = body['model'];
  if (model === undefined || model === null) throw invalidField('model', "Missing required parameter: 'model'.", 'missing_required_parameter');
  if (typeof model !== 'string' || model.trim() === '') throw invalidField('model', `Invalid value for 'model': expected a non-empty string, got ${describe(model)}.`, 'invalid_type');

  checkMessages(body['messages'], limits.maxMessages);

  for (const [name, check] of Object.entries(PARAMETERS)) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    const expected = check(value);
    if (expected) throw invalidField(name, `Invalid value for '${name}': expected ${expected}, got ${describe(value)}.`, 'invalid_type');
  }
  for (const name of ['max_tokens', 'max_completion_tokens']) {
    const value = body[name];
    if (typeof value === 'number' && value > limits.maxTokens) {
      throw invalidField(name, `'${name}' is ${value}; this endpoint allows at most ${limits.maxTokens} (CHAT_MAX_TOKENS).`, 'limit_exceeded');
    }
  }
  return { model, stream: body['stream'] === true, body };
}

function checkMessages(messages: unknown, maxMessages: number): void {
  if (messages === undefined || messages === null) throw invalidField('messages', "Missing required parameter: 'messages'.", 'missing_required_parameter');
  if (!Array.isArray(messages)) throw invalidField('messages', `Invalid type for 'messages': expected an array of messages, got ${describe(messages)}.`, 'invalid_type');
  if (messages.length === 0) throw invalidField('messages', "Invalid value for 'messages': expected at least one message.", 'empty_array');
  if (messages.length > maxMessages) {
    throw invalidField('messages', `'messages' has ${messages.length} messages; this endpoint allows at most ${maxMessages} (CHAT_MAX_MESSAGES).`, 'limit_exceeded');
  }
  messages.forEach((message: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isObject(message)) throw invalidField(at, `Invalid type for '${at}': expected an object, got ${describe(message)}.`, 'invalid_type');
    const role = message['role'];
    if (role === undefined || role === null) throw invalidField(`${at}.role`, `Missing required parameter: '${at}.role'.`, 'missing_required_parameter');
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw invalidField(`${at}.role`, `Invalid value for '${at}.role': expected one of ${ROLES.join(', ')}, got ${describe(role)}.`, 'invalid_value');
    }
    const content = message['content'];
    // An assistant turn that only calls tools has no content (`null` or absent), as in OpenAI's API.
    const callsTools = role === 'assistant' && (message['tool_calls'] !== undefined || message['function_call'] !== undefined);
    if (content === undefined || content === null) {
      if (callsTools) return;
      throw invalidField(`${at}.content`, `Missing required parameter: '${at}.content'.`, 'missing_required_parameter');
    }
    if (typeof content === 'string') return;
    if (!Array.isArray(content) || !content.every((part) => isObject(part) && typeof part['type'] === 'string')) {
      throw invalidField(`${at}.content`, `Invalid type for '${at}.content': expected a string or an array of content parts with a 'type', got ${describe(content)}.`, 'invalid_type');
    }
  });
}

/** Nesting depth of a parsed JSON value, without recursion; stops counting past `limit`. */
function jsonDepth(root: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of what was sent, without echoing (possibly long or private) content. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : 'a string';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `an ${typeof value}`;
}
