/**
 * The promotion rule: does a candidate earn the alias? Pure; the orchestration applies the answer.
 *
 * A candidate is promoted when the alias has no champion yet, or when its score on the chosen
 * metric beats the champion's by more than nothing and by at least `minImprovement` (scores are
 * 0-1, so 0.02 means two points). A tie does not beat the champion: replacing a model costs a
 * deployment and risks regressions the metric does not see. In `manual` mode nothing switches
 * by itself; the decision is recorded as a recommendation for `POST /api/aliases/{alias}/promote`.
 */
import type { GraderSpec } from './graders.js';

export const PROMOTION_MODES = ['auto', 'manual'] as const;
export type PromotionMode = (typeof PROMOTION_MODES)[number];

export interface PromotionOptions {
  mode: PromotionMode;
  /** A grader name (`exact_match`, `contains`, `similarity`, `json_valid`, `model`). */
  metric: string;
  minImprovement: number;
  graders: GraderSpec[];
  /** A deployment of the base model to compare against too (optional; reported, not a gate). */
  baseDeployment?: string;
  /** Keep the deployment of a candidate that was not promoted (it costs hosting hours). */
  keepRejected: boolean;
  /** Most evaluation examples used (each one costs a completion per contender). */
  maxExamples: number;
  /**
   * How many of the job's last checkpoints (before the final model) to deploy and evaluate too;
   * the best of the run's contenders goes to the promotion rule (evaluation/checkpoints.ts). 0: none.
   */
  checkpoints: number;
}

export const DEFAULT_PROMOTION: PromotionOptions = {
  mode: 'auto',
  metric: 'similarity',
  minImprovement: 0,
  graders: [{ type: 'exact_match' }, { type: 'similarity' }],
  keepRejected: false,
  maxExamples: 50,
  checkpoints: 0,
};

export type Decision =
  | { promote: true; reason: string }
  | { promote: false; recommended: boolean; reason: string };

export function decidePromotion(input: {
  mode: PromotionMode;
  metric: string;
  minImprovement: number;
  candidate: number | null;
  /** The champion's score; undefined when the alias has no champion. */
  champion?: number | null;
}): Decision {
  const { metric, minImprovement, candidate, champion } = input;
  const fmt = (n: number): string => n.toFixed(3);
  let verdict: { beats: boolean; reason: string };
  if (champion === undefined) verdict = { beats: true, reason: 'the alias has no champion yet' };
  else if (candidate === null) verdict = { beats: false, reason: `the candidate has no ${metric} score` };
  // The champion could not answer (its deployment gone, an outage): no comparison, no blind switch.
  else if (champion === null) verdict = { beats: false, reason: `the champion could not be scored on ${metric} (the candidate scored ${fmt(candidate)}); promote by hand if intended` };
  else {
    const delta = candidate - champion;
    const beats = delta > 0 && delta >= minImprovement - 1e-12;
    verdict = {
      beats,
      reason: `${metric}: candidate ${fmt(candidate)} vs champion ${fmt(champion)} (${delta >= 0 ? '+' : ''}${fmt(delta)}; ` +
        `needed more than 0${minImprovement > 0 ? ` and at least +${fmt(minImprovement)}` : ''})`,
    };
  }
  if (input.mode === 'manual') return { promote: false, recommended: verdict.beats, reason: `manual promotion; ${verdict.reason}` };
  return verdict.beats ? { promote: true, reason: verdict.reason } : { promote: false, recommended: false, reason: verdict.reason };
}
