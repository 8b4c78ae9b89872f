/**
 * Preference (DPO) lines, as Azure documents them
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning-direct-preference-optimization,
 * "Direct preference optimization dataset format"): three top-level fields `input`
 * (`messages`, optional `tools` and `parallel_tool_calls`), `preferred_output` and
 * `non_preferred_output`; each output is a list of messages with roles assistant or tool only and
 * at least one assistant message.
 *
 * The messages are checked by the supervised checks (same message rules): the input once, then each
 * output after the input's tool-calling assistant messages (so a tool reply in an output finds the
 * call it answers), and the findings are reported at their place in the line
 * (`input.messages[1].content`, `preferred_output[0].content`). Each message is walked once per
 * output at most, not the whole input again.
 *
 * Tokens follow the OpenAI cookbook formula the supervised checks use (3 per message, 1 per name,
 * 3 to prime the reply, tools as their JSON text): the pair input + preferred output and the pair
 * input + non-preferred output are each one conversation the model trains on, so each must fit
 * the model's per-example limit; the file's billed tokens count the input once plus both outputs.
 */
import {
  ALLOWED_EXAMPLE_KEYS,
  ALLOWED_ROLES,
  checkExample,
  isObject,
  kindOf,
  TOKENS_PER_EXAMPLE,
  type ExampleIssue,
  type ExampleResult,
  type ExampleRules,
  type Json,
} from './example-checks.js';
import type { LineChecker, LineOutcome } from './line-outcome.js';
import type { TokenCounter } from './token-counter.js';

export const DPO_KEYS = ['input', 'preferred_output', 'non_preferred_output'] as const;
const OUTPUT_KEYS = ['preferred_output', 'non_preferred_output'] as const;
type OutputKey = (typeof OUTPUT_KEYS)[number];
const OUTPUT_ROLES = new Set(['assistant', 'tool']);

const INPUT_RULES: ExampleRules = {
  roles: new Set(ALLOWED_ROLES),
  exampleKeys: new Set(ALLOWED_EXAMPLE_KEYS),
  requireAssistant: false,
  expectSystem: true,
};
/** Outputs are checked on their own (with the input's tool callers before them): no example-level expectations. */
const OUTPUT_RULES: ExampleRules = { ...INPUT_RULES, expectSystem: false };

/** Whether a parsed line has the shape of a preference pair. */
export function looksLikePreference(example: unknown): boolean {
  return isObject(example) && DPO_KEYS.some((k) => k in example);
}

export class PreferenceChecker implements LineChecker {
  readonly rows = [
    'total tokens (input + both outputs)',
    'input tokens',
    'preferred output tokens',
    'non-preferred output tokens',
    'input + longer output',
    'input messages',
  ] as const;
  readonly limitNote = ' (input + longer output)';

  constructor(private readonly counter: TokenCounter) {}

  check(example: unknown): LineOutcome {
    const issues: ExampleIssue[] = [];
    const issue = (code: ExampleIssue['code'], message: string, field?: string): void => {
      issues.push(field === undefined ? { code, message } : { code, message, field });
    };
    if (!isObject(example)) {
      issue('data_type', `line is ${kindOf(example)}, expected a JSON object with "input", "preferred_output" and "non_preferred_output"`);
      return { issues, images: 0 };
    }
    for (const key of Object.keys(example)) {
      if (!(DPO_KEYS as readonly string[]).includes(key)) {
        issue('unrecognized_example_key', `unrecognized key "${key}" (a preference line has ${DPO_KEYS.join(', ')})`, key);
      }
    }
    const input = example['input'];
    const inputOk = isObject(input) && Array.isArray(input['messages']) && input['messages'].length > 0;
    if (!isObject(input)) {
      issue('dpo_invalid_input', input === undefined ? 'no "input" object' : `"input" must be an object with a "messages" list, got ${kindOf(input)}`, 'input');
    } else if (!inputOk) {
      issue('dpo_invalid_input', '"input" needs a non-empty "messages" list (the prompt)', 'input.messages');
    }
    const outputsOk = OUTPUT_KEYS.map((key) => checkOutputShape(example[key], key, issue));
    if (!inputOk) return { issues, images: 0 };

    const inputMessages = (input as Json)['messages'] as unknown[];
    const alone = checkExample(input, this.counter, INPUT_RULES);
    issues.push(...alone.issues.map((i) => relocate(i, inputMessages.length)));
    const lastInput = inputMessages[inputMessages.length - 1];
    // An input may end with the assistant's tool call when the outputs go on with the tool's reply.
    if (isObject(lastInput) && lastInput['role'] === 'assistant' && lastInput['tool_calls'] === undefined) {
      issue('dpo_invalid_input', 'the input ends with an assistant message; the outputs are the replies to it, so end the input with the prompt', `input.messages[${inputMessages.length - 1}].role`);
    }
    if (JSON.stringify(example['preferred_output']) === JSON.stringify(example['non_preferred_output']) && outputsOk.every(Boolean)) {
      issue('dpo_identical_outputs', 'preferred and non-preferred outputs are identical: the pair teaches nothing', 'non_preferred_output');
    }

    // The input's tool calls, which tool messages in an output may answer, and their tokens.
    const callers = inputMessages.filter((m) => isObject(m) && m['role'] === 'assistant' && m['tool_calls'] !== undefined);
    const callerTokens = callers.length > 0 ? (checkExample({ messages: callers }, this.counter, OUTPUT_RULES).tokens?.total ?? 0) : TOKENS_PER_EXAMPLE;
    const outputs: Array<ExampleResult | undefined> = OUTPUT_KEYS.map((key, i) => {
      if (!outputsOk[i]) return undefined;
      const result = checkExample({ messages: [...callers, ...(example[key] as unknown[])] }, this.counter, OUTPUT_RULES);
      // Findings about the input were reported from the input alone; keep only those inside this output.
      issues.push(...result.issues.map((x) => relocate(x, callers.length, key)).filter((x) => x.field?.startsWith(key)));
      return result;
    });
    const inputTokens = alone.tokens?.total ?? 0;
    const [preferred, nonPreferred] = outputs.map((r) => (r?.tokens ? r.tokens.total - callerTokens : 0)) as [number, number];
    const images = outputs.reduce((n, r) => n + (r?.images ?? 0), alone.images);
    const billed = inputTokens + preferred + nonPreferred;
    const limited = inputTokens + Math.max(preferred, nonPreferred);
    return {
      issues,
      values: [billed, inputTokens, preferred, nonPreferred, limited, inputMessages.length],
      billed,
      limited,
      trained: preferred + nonPreferred,
      images,
    };
  }
}

/** An output: a non-empty list of assistant/tool messages with at least one assistant message. */
function checkOutputShape(output: unknown, key: OutputKey, issue: (code: ExampleIssue['code'], message: string, field?: string) => void): boolean {
  if (!Array.isArray(output) || output.length === 0) {
    issue('dpo_invalid_output', output === undefined ? `no "${key}" list` : `"${key}" must be a non-empty list of messages, got ${kindOf(output)}`, key);
    return false;
  }
  let ok = true;
  let assistant = false;
  output.forEach((message: unknown, index) => {
    const role = isObject(message) ? message['role'] : undefined;
    if (role === 'assistant') assistant = true;
    if (!isObject(message)) {
      issue('dpo_invalid_output', `message is ${kindOf(message)}, expected an object`, `${key}[${index}]`);
      ok = false;
    } else if (typeof role !== 'string' || !OUTPUT_ROLES.has(role)) {
      issue('dpo_invalid_output', `an output message has role assistant or tool, got ${JSON.stringify(role)}`, `${key}[${index}].role`);
      ok = false;
    }
  });
  if (ok && !assistant) issue('dpo_invalid_output', `"${key}" has no assistant message`, key);
  return ok && assistant;
}

/**
 * Maps a field back to its place in the preference line: the input's (`input.messages[1]…`), or an
 * output's, whose messages follow `before` other messages in the list that was checked.
 */
function relocate(found: ExampleIssue, before: number, output?: OutputKey): ExampleIssue {
  const field = found.field;
  if (field === undefined) return found;
  const message = /^messages\[(\d+)\](.*)$/.exec(field);
  if (message) {
    const index = Number(message[1]);
    const place = !output ? `input.messages[${index}]` : index < before ? 'input.messages' : `${output}[${index - before}]`;
    return { ...found, field: `${place}${message[2]}` };
  }
  return { ...found, field: `input.${field}` };
}
