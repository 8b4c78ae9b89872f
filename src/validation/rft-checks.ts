/**
 * Reinforcement fine-tuning (RFT) lines, as Azure documents them
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning, "Requirements"):
 * chat-format `messages` whose final message has the `user` role, extra top-level fields a grader
 * reads as `{{ item.<field> }}`, both a training and a validation file. System messages are not
 * supported for o4-mini RFT (learn.microsoft.com/azure/ai-services/openai/how-to/reinforcement-fine-tuning,
 * "Process": "system messages aren't supported"); the documented example uses the `developer`
 * role for instructions instead.
 *
 * Tokens: the prompt by the cookbook formula (the supervised checks count it); there is no
 * assistant turn to learn from — the model's own samples are graded.
 */
import { checkExample, isObject, kindOf, type ExampleIssue, type ExampleRules, type Json } from './example-checks.js';
import type { LineChecker, LineOutcome } from './line-outcome.js';
import type { TokenCounter } from './token-counter.js';

const RFT_RULES: ExampleRules = {
  roles: new Set(['developer', 'system', 'user', 'assistant', 'tool']),
  exampleKeys: null,
  requireAssistant: false,
  expectSystem: false,
};

/** The value at a path of item fields (`["ground_truth", "date"]`), or undefined. */
export function valueAt(item: unknown, path: readonly string[]): unknown {
  let value: unknown = item;
  for (const key of path) {
    if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
    else if (isObject(value)) value = value[key];
    else return undefined;
  }
  return value;
}

export class ReinforcementChecker implements LineChecker {
  readonly rows = ['prompt tokens', 'messages'] as const;
  readonly limitNote = ' of prompt';
  /** The first few valid items, for the grader's dry run. */
  readonly samples: Array<{ line: number; item: Json }> = [];

  /** `itemPaths`: the item fields the grader reads, each as its path (`["answer"]`). */
  constructor(
    private readonly counter: TokenCounter,
    private readonly itemPaths: ReadonlyArray<readonly string[]>,
    private readonly keepSamples = 3,
  ) {}

  check(example: unknown, line: number): LineOutcome {
    const result = checkExample(example, this.counter, RFT_RULES);
    const issues: ExampleIssue[] = result.issues;
    if (!isObject(example) || !result.tokens) return { issues, images: result.images };
    const messages = example['messages'] as unknown[];
    messages.forEach((message, index) => {
      if (isObject(message) && message['role'] === 'system') {
        issues.push({
          code: 'rft_system_message',
          message: 'reinforcement fine-tuning does not accept system messages; put instructions in a "developer" message',
          field: `messages[${index}].role`,
        });
      }
    });
    const last = messages[messages.length - 1];
    const lastRole = isObject(last) ? last['role'] : undefined;
    if (lastRole !== 'user') {
      issues.push({
        code: 'rft_last_message_not_user',
        message: `the last message must be the user's prompt (role "user"), got ${typeof lastRole === 'string' ? `"${lastRole}"` : kindOf(last)}; the model's answer is sampled and graded, not given`,
        field: `messages[${messages.length - 1}].role`,
      });
    }
    let missing = false;
    for (const path of this.itemPaths) {
      if (valueAt(example, path) === undefined) {
        missing = true;
        issues.push({
          code: 'rft_missing_reference_field',
          message: `the grader reads {{ item.${path.join('.')} }} but this line has no "${path.join('.')}"`,
          field: path.join('.'),
        });
      }
    }
    if (!missing && this.samples.length < this.keepSamples && !issues.some((i) => i.code !== 'missing_user_message')) this.samples.push({ line, item: example });
    const prompt = result.tokens.total;
    return { issues, values: [prompt, messages.length], billed: prompt, limited: prompt, trained: 0, images: result.images };
  }
}
