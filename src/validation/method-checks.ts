/**
 * The line format of each fine-tuning method, and how the method is chosen when nobody said:
 * preference pairs are recognizable by their keys; reinforcement when a grader is given or the
 * model only trains that way; supervised otherwise.
 */
import { checkExample, isObject } from './example-checks.js';
import { looksLikePreference, PreferenceChecker } from './dpo-checks.js';
import type { LineChecker, LineOutcome } from './line-outcome.js';
import type { CatalogEntry, FineTuningMethod } from './models.js';
import { ReinforcementChecker } from './rft-checks.js';
import type { TokenCounter } from './token-counter.js';

export class SupervisedChecker implements LineChecker {
  readonly rows = ['total tokens', 'assistant tokens', 'messages'] as const;
  readonly limitNote = '';

  constructor(private readonly counter: TokenCounter) {}

  check(example: unknown): LineOutcome {
    const { issues, tokens, images } = checkExample(example, this.counter);
    if (!tokens) return { issues, images };
    return { issues, values: [tokens.total, tokens.assistant, tokens.messages], billed: tokens.total, limited: tokens.total, trained: tokens.assistant, images };
  }
}

export function lineChecker(method: FineTuningMethod, counter: TokenCounter, itemPaths: ReadonlyArray<readonly string[]> = []): LineChecker {
  if (method === 'dpo') return new PreferenceChecker(counter);
  if (method === 'reinforcement') return new ReinforcementChecker(counter, itemPaths);
  return new SupervisedChecker(counter);
}

/** The method a parsed line's shape suggests. */
export function detectMethod(example: unknown, hasGrader: boolean, model: CatalogEntry | undefined): FineTuningMethod {
  if (looksLikePreference(example)) return 'dpo';
  if (hasGrader) return 'reinforcement';
  if (model && model.methods.length === 1 && model.methods[0] === 'reinforcement' && isObject(example) && Array.isArray(example['messages'])) {
    const last = example['messages'][example['messages'].length - 1] as unknown;
    if (isObject(last) && last['role'] === 'user') return 'reinforcement';
  }
  return 'supervised';
}
