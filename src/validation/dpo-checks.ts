/**
 * Preference (DPO) lines, as Azure documents them
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning-direct-preference-optimization,
 * "Direct preference optimization dataset format"): three top-level fields `input`
 * (`messages`, optional `tools` and `parallel_tool_calls`), `preferred_output` and
 * `non_preferred_output`; each output is a list of messages with roles assistant or tool only and
 * at least one assistant message.
 *
 * The messages are checked by the supervised checks (same message rules), once for the input and
 * once for input + each output so tool calls in an output are matched against the input's, and
 * the findings are reported at their place in the line (`input.messages[1].content`,
 * `preferred_output[0].content`).
 *
 * Tokens follow the OpenAI cookbook formula the supervised checks use (3 per message, 1 per name,
 * 3 to prime the reply, tools as their JSON text): the pair input + preferred output and the pair
 * input + non-preferred output are each one conversation the model trains on, so each must fit
 * the model's per-example limit; the file's billed tokens count the input once plus both outputs.
 */
import { ALLOWED_EXAMPLE_KEYS, ALLOWED_ROLES, checkExample, isObject, kindOf, type ExampleIssue, type ExampleResult, type ExampleRules, type Json } from './example-checks.js';
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
    if (isObject(lastInput) && lastInput['role'] === 'assistant') {
      issue('dpo_invalid_input', 'the input ends with an assistant message; the outputs are the replies to it, so end the input with the prompt', `input.messages[${inputMessages.length - 1}].role`);
    }
    if (JSON.stringify(example['preferred_output']) === JSON.stringify(example['non_preferred_output']) && outputsOk.every(Boolean)) {
      issue('dpo_identical_outputs', 'preferred and non-preferred outputs are identical: the pair teaches nothing', 'non_preferred_output');
    }

    const pairs: Array<ExampleResult | undefined> = OUTPUT_KEYS.map((key, i) => {
      if (!outputsOk[i]) return undefined;
      const pair = checkExample({ ...(input as Json), messages: [...inputMessages, ...(example[key] as unknown[])] }, this.counter, INPUT_RULES);
      // Input findings were reported from the input alone; keep only those inside this output.
      issues.push(...pair.issues.map((x) => relocate(x, inputMessages.length, key)).filter((x) => x.field?.startsWith(key)));
      return pair;
    });
    const inputTokens = alone.tokens?.total ?? 0;
    const [preferred, nonPreferred] = pairs.map((p) => (p?.tokens ? p.tokens.total - inputTokens : 0)) as [number, number];
    const images = pairs.reduce((n, p) => n + (p ? p.images - alone.images : 0), alone.images);
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

/** Maps a field of the combined conversation back to its place in the preference line. */
function relocate(found: ExampleIssue, inputLength: number, output?: OutputKey): ExampleIssue {
  const field = found.field;
  if (field === undefined) return found;
  const message = /^messages\[(\d+)\](.*)$/.exec(field);
  if (message) {
    const index = Number(message[1]);
    const place = index < inputLength || !output ? `input.messages[${index}]` : `${output}[${index - inputLength}]`;
    return { ...found, field: `${place}${message[2]}` };
  }
  return { ...found, field: `input.${field}` };
}
