/**
 * Format checks for one chat-format training example, following the OpenAI fine-tuning data
 * preparation guidance, extended for tool calling, weights and content parts — and the token count
 * of the example by the OpenAI cookbook's formula. One pass over the example does both.
 */
import type { FindingCode } from './findings.js';
import type { TokenCounter } from './token-counter.js';
import { ImageTally } from './vision-checks.js';

export const ALLOWED_ROLES = ['system', 'user', 'assistant', 'tool', 'function'] as const;
export const ALLOWED_MESSAGE_KEYS = ['role', 'content', 'name', 'weight', 'function_call', 'tool_calls', 'tool_call_id'] as const;
export const ALLOWED_EXAMPLE_KEYS = ['messages', 'tools', 'functions', 'parallel_tool_calls'] as const;

const ROLE_SET: ReadonlySet<string> = new Set(ALLOWED_ROLES);
const MESSAGE_KEY_SET: ReadonlySet<string> = new Set(ALLOWED_MESSAGE_KEYS);
const EXAMPLE_KEY_SET: ReadonlySet<string> = new Set(ALLOWED_EXAMPLE_KEYS);

/** Cookbook constants: every message costs 3 tokens of framing, a name 1 more, every reply 3. */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const TOKENS_PER_EXAMPLE = 3;

export interface ExampleIssue {
  code: FindingCode;
  message: string;
  field?: string;
}

export interface ExampleResult {
  issues: ExampleIssue[];
  /** Token counts, present when the example had a messages list to count. */
  tokens?: { total: number; assistant: number; messages: number };
  /** Image parts in the example. */
  images: number;
}

/**
 * What a chat example must look like: supervised examples by default; the preference and
 * reinforcement formats reuse the same message checks with their own rules.
 */
export interface ExampleRules {
  roles: ReadonlySet<string>;
  /** Keys allowed beside `messages`; null: any (reinforcement lines carry grader fields). */
  exampleKeys: ReadonlySet<string> | null;
  requireAssistant: boolean;
  /** Warn when there is no system message (supervised guidance; Azure forbids it for RFT). */
  expectSystem: boolean;
}

export const SUPERVISED_RULES: ExampleRules = { roles: ROLE_SET, exampleKeys: EXAMPLE_KEY_SET, requireAssistant: true, expectSystem: true };

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function checkExample(example: unknown, counter: TokenCounter, rules: ExampleRules = SUPERVISED_RULES): ExampleResult {
  const issues: ExampleIssue[] = [];
  const images = new ImageTally();
  const issue = (code: FindingCode, message: string, field?: string): void => {
    issues.push(field === undefined ? { code, message } : { code, message, field });
  };

  if (!isObject(example)) {
    issue('data_type', `line is ${kindOf(example)}, expected a JSON object with a "messages" list`);
    return { issues, images: 0 };
  }
  for (const key of rules.exampleKeys ? Object.keys(example) : []) {
    if (!rules.exampleKeys?.has(key)) {
      issue('unrecognized_example_key', `unrecognized key "${key}" (allowed: ${ALLOWED_EXAMPLE_KEYS.join(', ')})`, key);
    }
  }

  let total = TOKENS_PER_EXAMPLE;
  let assistant = 0;
  total += checkToolDefinitions(example, counter, issue);

  const messages = example['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    issue(
      'missing_messages_list',
      messages === undefined ? 'no "messages" list' : `"messages" must be a non-empty list, got ${kindOf(messages)}`,
      'messages',
    );
    return { issues, images: 0 };
  }

  let hasSystem = false;
  let hasUser = false;
  let hasAssistant = false;
  const toolCallIds = new Set<string>();

  messages.forEach((message: unknown, index: number) => {
    const at = `messages[${index}]`;
    if (!isObject(message)) {
      issue('data_type', `message is ${kindOf(message)}, expected an object`, at);
      return;
    }
    total += TOKENS_PER_MESSAGE;
    const role = message['role'];
    let stringContentTokens = 0;
    for (const [key, value] of Object.entries(message)) {
      if (!MESSAGE_KEY_SET.has(key)) {
        issue('message_unrecognized_key', `unrecognized key "${key}" (allowed: ${ALLOWED_MESSAGE_KEYS.join(', ')})`, `${at}.${key}`);
      }
      if (typeof value === 'string') {
        const tokens = counter.count(value);
        total += tokens;
        if (key === 'content') stringContentTokens = tokens;
        if (key === 'name') total += TOKENS_PER_NAME;
      }
    }

    if (role === undefined) {
      issue('message_missing_key', 'message has no "role"', `${at}.role`);
    } else if (typeof role !== 'string' || !rules.roles.has(role)) {
      issue('unrecognized_role', `role ${JSON.stringify(role)} is not one of ${[...rules.roles].join(', ')}`, `${at}.role`);
    }
    if (role === 'system') hasSystem = true;
    if (role === 'user') hasUser = true;

    const callTokens = checkCalls(message, role, at, counter, toolCallIds, issue);
    total += callTokens;
    const partTokens = checkContent(message, role, at, counter, images, issue);
    total += partTokens;

    if (role === 'assistant') {
      hasAssistant = true;
      assistant += stringContentTokens + partTokens + callTokens;
    }
    checkWeight(message, role, at, issue);
    if (role === 'tool') checkToolReply(message, at, toolCallIds, issue);
    if (role === 'function' && typeof message['name'] !== 'string') {
      issue('message_missing_key', 'a "function" message needs the "name" of the function', `${at}.name`);
    }
  });

  images.finish(issue);
  if (!hasAssistant && rules.requireAssistant) issue('example_missing_assistant_message', 'example has no assistant message to learn from', 'messages');
  if (!hasSystem && rules.expectSystem) issue('missing_system_message', 'example has no system message', 'messages');
  if (!hasUser) issue('missing_user_message', 'example has no user message', 'messages');
  return { issues, tokens: { total, assistant, messages: messages.length }, images: images.count };
}

type Report = (code: FindingCode, message: string, field?: string) => void;

/** Content: a non-empty string, or a list of content parts. Returns tokens of text parts. */
function checkContent(message: Json, role: unknown, at: string, counter: TokenCounter, images: ImageTally, issue: Report): number {
  const content = message['content'];
  const callsInstead = role === 'assistant' && (message['tool_calls'] !== undefined || message['function_call'] !== undefined);
  if (!('content' in message)) {
    if (!callsInstead) issue('message_missing_key', 'message has no "content"', `${at}.content`);
    return 0;
  }
  if (typeof content === 'string') {
    if (content.length === 0 && !callsInstead) issue('missing_content', 'content is empty', `${at}.content`);
    return 0; // string content is counted with the message's other string values
  }
  if (content === null) {
    if (!callsInstead) issue('missing_content', 'content is null', `${at}.content`);
    return 0;
  }
  if (!Array.isArray(content)) {
    issue('missing_content', `content must be a string or a list of content parts, got ${kindOf(content)}`, `${at}.content`);
    return 0;
  }
  if (content.length === 0 && !callsInstead) {
    issue('missing_content', 'content is an empty list', `${at}.content`);
    return 0;
  }
  let tokens = 0;
  content.forEach((part: unknown, index: number) => {
    const where = `${at}.content[${index}]`;
    if (!isObject(part) || typeof part['type'] !== 'string') {
      issue('missing_content', 'content part must be an object with a "type"', where);
    } else if (part['type'] === 'text') {
      if (typeof part['text'] !== 'string') issue('missing_content', 'text part needs a string "text"', `${where}.text`);
      else tokens += counter.count(part['text']);
    } else if (part['type'] === 'image_url') {
      images.check(part, where, role, issue);
    } else {
      issue('missing_content', `unsupported content part type ${JSON.stringify(part['type'])} (text or image_url)`, `${where}.type`);
    }
  });
  return tokens;
}

/** `tool_calls` / `function_call` on assistant messages. Returns the tokens of names and arguments. */
function checkCalls(
  message: Json,
  role: unknown,
  at: string,
  counter: TokenCounter,
  toolCallIds: Set<string>,
  issue: Report,
): number {
  let tokens = 0;
  const toolCalls = message['tool_calls'];
  if (toolCalls !== undefined) {
    if (role !== 'assistant') issue('invalid_tool_call', 'only assistant messages may have "tool_calls"', `${at}.tool_calls`);
    if (!Array.isArray(toolCalls) || toolCalls.length === 0) {
      issue('invalid_tool_call', `"tool_calls" must be a non-empty list, got ${kindOf(toolCalls)}`, `${at}.tool_calls`);
    } else {
      toolCalls.forEach((call: unknown, index: number) => {
        const where = `${at}.tool_calls[${index}]`;
        if (!isObject(call)) {
          issue('invalid_tool_call', `tool call is ${kindOf(call)}, expected an object`, where);
          return;
        }
        if (typeof call['id'] !== 'string' || call['id'] === '') issue('invalid_tool_call', 'tool call needs a string "id"', `${where}.id`);
        else toolCallIds.add(call['id']);
        if (call['type'] !== 'function') issue('invalid_tool_call', 'tool call "type" must be "function"', `${where}.type`);
        tokens += checkFunctionCall(call['function'], `${where}.function`, counter, issue);
      });
    }
  }
  const functionCall = message['function_call'];
  if (functionCall !== undefined) {
    if (role !== 'assistant') issue('invalid_tool_call', 'only assistant messages may have "function_call"', `${at}.function_call`);
    tokens += checkFunctionCall(functionCall, `${at}.function_call`, counter, issue);
  }
  return tokens;
}

function checkFunctionCall(call: unknown, where: string, counter: TokenCounter, issue: Report): number {
  if (!isObject(call)) {
    issue('invalid_tool_call', `function call must be an object with "name" and "arguments", got ${kindOf(call)}`, where);
    return 0;
  }
  let tokens = 0;
  const name = call['name'];
  const args = call['arguments'];
  if (typeof name !== 'string' || name === '') issue('invalid_tool_call', 'function call needs a string "name"', `${where}.name`);
  else tokens += counter.count(name);
  if (typeof args !== 'string') {
    issue('invalid_tool_call', 'function call "arguments" must be a string of JSON', `${where}.arguments`);
  } else {
    tokens += counter.count(args);
    try {
      JSON.parse(args);
    } catch {
      issue('invalid_tool_call', 'function call "arguments" is not valid JSON', `${where}.arguments`);
    }
  }
  return tokens;
}

function checkToolReply(message: Json, at: string, toolCallIds: ReadonlySet<string>, issue: Report): void {
  const id = message['tool_call_id'];
  if (id === undefined) issue('message_missing_key', 'a "tool" message needs "tool_call_id"', `${at}.tool_call_id`);
  else if (typeof id !== 'string' || !toolCallIds.has(id)) {
    issue('invalid_tool_call', `tool_call_id ${JSON.stringify(id)} answers no earlier assistant tool call`, `${at}.tool_call_id`);
  }
}

function checkWeight(message: Json, role: unknown, at: string, issue: Report): void {
  if (!('weight' in message)) return;
  const weight = message['weight'];
  if (weight !== 0 && weight !== 1) issue('invalid_weight', `weight must be 0 or 1, got ${JSON.stringify(weight)}`, `${at}.weight`);
  else if (role !== 'assistant') issue('invalid_weight', 'weight is only allowed on assistant messages', `${at}.weight`);
}

/** Example-level `tools` / `functions`: definitions the model sees, counted as their JSON text. */
function checkToolDefinitions(example: Json, counter: TokenCounter, issue: Report): number {
  let tokens = 0;
  for (const key of ['tools', 'functions'] as const) {
    const definitions = example[key];
    if (definitions === undefined) continue;
    if (!Array.isArray(definitions)) {
      issue('invalid_tool_call', `"${key}" must be a list, got ${kindOf(definitions)}`, key);
      continue;
    }
    definitions.forEach((definition: unknown, index: number) => {
      const fn = key === 'tools' && isObject(definition) ? definition['function'] : definition;
      if (key === 'tools' && (!isObject(definition) || definition['type'] !== 'function')) {
        issue('invalid_tool_call', 'tool definition needs "type": "function"', `${key}[${index}].type`);
      }
      if (!isObject(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') {
        issue('invalid_tool_call', 'function definition needs a string "name"', `${key}[${index}]${key === 'tools' ? '.function' : ''}.name`);
      } else if (fn['parameters'] !== undefined && !isObject(fn['parameters'])) {
        issue('invalid_tool_call', '"parameters" must be a JSON schema object', `${key}[${index}]${key === 'tools' ? '.function' : ''}.parameters`);
      }
    });
    tokens += counter.count(JSON.stringify(definitions));
  }
  return tokens;
}
