/** The shapes of `runs/<runId>/evaluation.json` and of the summary copied into run.json. */
import type { Decision } from './promotion.js';

/** `checkpoint-<step>`: one of the job's checkpoints (option `promotion.checkpoints`), in its own deployment. */
export type ContenderRole = 'candidate' | 'champion' | 'base' | `checkpoint-${number}`;

export interface Contender {
  role: ContenderRole;
  deployment: string;
  model?: string;
  runId?: string;
  /** For a checkpoint: its step and `fine_tuned_model_checkpoint` name (the deployment serves its `ftchkpt-…` id). */
  step?: number;
  checkpoint?: string;
}

/** The run's contender that went to the promotion rule: the final model, or the checkpoint that beat it. */
export interface Winner {
  role: ContenderRole;
  deployment: string;
  model: string;
  step?: number;
  /** Why it, in one line (scores of the run's own contenders). */
  reason: string;
}

export interface EvalSetSource {
  /** `eval`: `<name>.eval.jsonl`; `validation`: the validation file; `holdout`: lines held out of the training file. */
  kind: 'eval' | 'validation' | 'holdout' | 'training';
  /** Snapshot blob in the runs container. */
  blob: string;
  /** What a reader should know about it (held-out line range, caveats). */
  note: string;
}

export interface ExampleResult {
  line: number;
  prompt: string;
  reference: string;
  answers: Partial<Record<ContenderRole, { text: string | null; error?: string; scores: Record<string, number | null> }>>;
}

/** Mean score per grader, per contender; null when no example could be scored. */
export type Aggregates = Partial<Record<ContenderRole, Record<string, number | null>>>;

export interface EvaluationResult {
  set: EvalSetSource & { examples: number; skippedLines: Array<{ line: number; message: string }> };
  graders: string[];
  metric: string;
  contenders: Contender[];
  aggregates: Aggregates;
  examples: ExampleResult[];
  decision: Decision;
  /** Present when checkpoints were evaluated too (option `promotion.checkpoints`). */
  winner?: Winner;
  /** Checkpoints that were chosen but could not be evaluated, and why. */
  skippedCheckpoints?: Array<{ step: number; reason: string }>;
  evaluatedAt: string;
}

export interface EvaluationSummary {
  set: EvalSetSource & { examples: number };
  metric: string;
  aggregates: Aggregates;
  contenders: Contender[];
  decision: Decision;
  winner?: Winner;
  artifacts: string[];
}

/**
 * The scores of the contender the run went on with: the checkpoint that won its own evaluation,
 * else the final model. One reading for the release, the alias API and the console.
 */
export function winnerScores(evaluation: Pick<EvaluationSummary, 'aggregates' | 'winner'>): Record<string, number | null> | undefined {
  return evaluation.aggregates[evaluation.winner?.role ?? 'candidate'];
}
