/**
 * Checkpoints as contenders (option `promotion.checkpoints`): which of the job's checkpoints to
 * evaluate, and which contender of the run — the final model or one of its checkpoints — goes
 * forward to the promotion rule. Pure; the orchestration deploys and the activity evaluates.
 *
 * Azure keeps a checkpoint at the end of each of the last epochs (`GET /fine_tuning/jobs/{id}/
 * checkpoints`, "created at the end of successful epochs"), and its guidance is to compare them
 * on held-out data rather than trust the last one: a later epoch can overfit. The newest
 * checkpoint is taken at the last step, which is where the job's own fine-tuned model comes from,
 * so it is not deployed a second time: "the last N checkpoints" are the N before it.
 */
import { metricScore } from './evaluate.js';
import type { Aggregates, Contender, ContenderRole, Winner } from './evaluation-result.js';

/** The most checkpoints a run may evaluate: the list endpoint's default page (each one is a deployment while it is judged). */
export const MAX_CHECKPOINTS = 10;

export interface JobCheckpoint {
  /** `ftchkpt-…`: the name a deployment takes to serve the checkpoint (Azure's fine-tuning how-to: "deploy a checkpoint, by passing the checkpoint ID"). */
  id: string;
  /** `fine_tuned_model_checkpoint`: the checkpoint model's name, for people. */
  name: string;
  step: number;
}

export function checkpointRole(step: number): ContenderRole {
  return `checkpoint-${step}`;
}

/** The `count` newest checkpoints before the final one, newest first. */
export function chooseCheckpoints(checkpoints: readonly JobCheckpoint[], count: number): JobCheckpoint[] {
  if (count <= 0 || checkpoints.length === 0) return [];
  const byStep = [...checkpoints].sort((a, b) => b.step - a.step || a.id.localeCompare(b.id));
  return byStep.slice(1, 1 + count);
}

export interface ScoredContender {
  role: ContenderRole;
  /** The promotion metric's aggregate; null when it could not be scored. */
  score: number | null;
}

/**
 * The run's best contender on the promotion metric. Ties go to the earlier one in `contenders`
 * (the caller lists the final model first, then checkpoints newest first): a checkpoint replaces
 * the job's own model only when it is strictly better, since the final model is what Azure and
 * the run's loss curve present as the result. When nothing could be scored, the final model
 * stays the candidate (and the promotion rule reports the missing score).
 */
export function bestContender(contenders: readonly ScoredContender[]): ScoredContender | undefined {
  let best: ScoredContender | undefined;
  for (const c of contenders) {
    if (!best) best = c;
    else if (c.score !== null && (best.score === null || c.score > best.score)) best = c;
  }
  return best;
}

/**
 * The run's own contenders (the candidate and its checkpoints, in the order evaluated) scored on
 * the metric: the best one's score goes to the promotion rule, and with checkpoints in play the
 * winner is named (absent when the final model was the only one). No examples: no score.
 */
export function runWinner(contenders: readonly Contender[], aggregates: Aggregates, metric: string, hasExamples: boolean): { score: number | null; winner?: Winner } {
  const own = contenders.filter((c) => c.role === 'candidate' || c.step !== undefined);
  const scored = own.map((c) => ({ role: c.role, score: hasExamples ? (metricScore(aggregates, c.role, metric) ?? null) : null }));
  const best = bestContender(scored);
  if (!best) return { score: null };
  if (own.length < 2) return { score: best.score };
  const of = own.find((c) => c.role === best.role)!;
  const fmt = (v: number | null): string => (v === null ? 'no score' : v.toFixed(3));
  return {
    score: best.score,
    winner: {
      role: best.role,
      deployment: of.deployment,
      model: of.model ?? of.deployment,
      ...(of.step !== undefined ? { step: of.step } : {}),
      reason:
        `${metric}: ${scored.map((s) => `${s.role} ${fmt(s.score)}`).join(', ')}; ` +
        (best.role === 'candidate' ? 'the final model (a checkpoint must be strictly better to replace it)' : `${best.role} beats the final model`),
    },
  };
}
