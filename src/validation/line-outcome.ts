import type { ExampleIssue } from './example-checks.js';

/** What checking one line of a method's data found, and the numbers its statistics need. */
export interface LineOutcome {
  issues: ExampleIssue[];
  /** Token and message numbers in the order of the checker's `rows`; absent when nothing could be counted. */
  values?: number[];
  /** Tokens compared with the model's per-example limit. */
  limited?: number;
  /** Tokens this example adds to the training file's billed tokens per epoch. */
  billed?: number;
  /** Tokens the model learns to produce (supervised assistant turns, DPO outputs). */
  trained?: number;
  images: number;
}

/** One method's line format: its statistics rows and its per-line check. */
export interface LineChecker {
  readonly rows: readonly string[];
  /** Says which tokens `limited` counts, in a too_many_tokens message (' of prompt'). */
  readonly limitNote: string;
  /** Checks one parsed line; `line` is its 1-based number. */
  check(example: unknown, line: number): LineOutcome;
}
