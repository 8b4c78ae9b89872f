/**
 * Runs the evaluation set through every contender and grades the answers. The completions go
 * through `ask` (the caller's OpenAI client), so this module holds the logic only: concurrency,
 * grading, aggregation. A contender's failed completion is recorded on that example (scored
 * null), never thrown: one 429 must not void the gate; a contender that fails on every example
 * ends with null aggregates, which the promotion rule treats as "no score".
 */
import { gradeText, graderName, modelGraderPrompt, parseModelGrade, type GraderSpec } from './graders.js';
import type { EvalExample, EvalMessage } from './eval-set.js';
import type { Aggregates, Contender, ContenderRole, ExampleResult } from './evaluation-result.js';

export type Ask = (deployment: string, messages: EvalMessage[], maxTokens: number) => Promise<string>;

/** Completions in flight at once, across contenders: enough to finish quickly, few enough not to trip rate limits. */
const CONCURRENCY = 4;
const ANSWER_MAX_TOKENS = 512;
const GRADE_MAX_TOKENS = 8;

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

function questionOf(prompt: readonly EvalMessage[]): string {
  return [...prompt].reverse().find((m) => m.role === 'user')?.content ?? prompt.at(-1)?.content ?? '';
}

export async function evaluateContenders(
  examples: readonly EvalExample[],
  contenders: readonly Contender[],
  graders: readonly GraderSpec[],
  ask: Ask,
): Promise<{ examples: ExampleResult[]; aggregates: Aggregates }> {
  const results: ExampleResult[] = examples.map((e) => ({ line: e.line, prompt: questionOf(e.prompt), reference: e.reference, answers: {} }));
  const jobs = examples.flatMap((example, index) => contenders.map((contender) => ({ example, index, contender })));
  await pool(jobs, CONCURRENCY, async ({ example, index, contender }) => {
    const scores: Record<string, number | null> = {};
    let answer: string | null = null;
    let error: string | undefined;
    try {
      answer = await ask(contender.deployment, example.prompt, ANSWER_MAX_TOKENS);
    } catch (e) {
      error = (e as Error).message;
    }
    for (const grader of graders) {
      const name = graderName(grader);
      if (answer === null) scores[name] = null;
      else if (grader.type === 'model') {
        try {
          scores[name] = parseModelGrade(await ask(grader.deployment, modelGraderPrompt(results[index]!.prompt, example.reference, answer), GRADE_MAX_TOKENS));
        } catch {
          scores[name] = null;
        }
      } else scores[name] = gradeText(grader.type, answer, example.reference);
    }
    results[index]!.answers[contender.role] = { text: answer, ...(error ? { error } : {}), scores };
  });
  return { examples: results, aggregates: aggregate(results, contenders.map((c) => c.role), graders.map(graderName)) };
}

/** Mean per grader over the examples that have a score (null when none has). */
export function aggregate(results: readonly ExampleResult[], roles: readonly ContenderRole[], graders: readonly string[]): Aggregates {
  const out: Aggregates = {};
  for (const role of roles) {
    const row: Record<string, number | null> = {};
    for (const grader of graders) {
      const values = results.map((r) => r.answers[role]?.scores[grader]).filter((v): v is number => typeof v === 'number');
      row[grader] = values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10_000) / 10_000;
    }
    out[role] = row;
  }
  return out;
}

/** The metric's aggregate for a role: the model grader is addressed as `model` (its first one). */
export function metricScore(aggregates: Aggregates, role: ContenderRole, metric: string): number | null | undefined {
  const row = aggregates[role];
  if (!row) return undefined;
  if (metric in row) return row[metric] ?? null;
  const key = Object.keys(row).find((k) => k.startsWith(`${metric}:`));
  return key ? (row[key] ?? null) : null;
}
