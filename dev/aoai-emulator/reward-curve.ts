/**
 * The metrics of an emulated reinforcement fine-tuning job: the mean reward rises from a low
 * start towards a ceiling with seeded noise, the reasoning tokens drift down; validation rows every
 * few steps (`eval_interval`). Column names are the training metrics Azure's RFT guide documents
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning, "Training metrics":
 * train_reward_mean, valid_reward_mean, train_reasoning_tokens_mean, valid_reasoning_tokens_mean).
 */
import { Rng } from './rng.js';

export const RFT_RESULTS_CSV_HEADER = 'step,train_reward_mean,valid_reward_mean,train_reasoning_tokens_mean,valid_reasoning_tokens_mean';

export interface RewardPoint {
  step: number;
  train_reward_mean: number;
  train_reasoning_tokens_mean: number;
  valid_reward_mean?: number;
  valid_reasoning_tokens_mean?: number;
}

const round = (value: number): number => Math.round(value * 100_000) / 100_000;

export function rewardCurve(steps: number, seed: number, evalInterval: number): RewardPoint[] {
  const rng = new Rng(seed);
  const start = 0.1 + 0.2 * rng.next();
  const ceiling = 0.7 + 0.25 * rng.next();
  const tokens = 900 + 400 * rng.next();
  const points: RewardPoint[] = [];
  for (let step = 1; step <= steps; step++) {
    const progress = 1 - Math.exp((-3 * step) / steps);
    const reward = Math.min(1, Math.max(0, start + (ceiling - start) * progress + (rng.next() - 0.5) * 0.08));
    const point: RewardPoint = { step, train_reward_mean: round(reward), train_reasoning_tokens_mean: Math.round(tokens * (1 - 0.3 * progress) + (rng.next() - 0.5) * 40) };
    if (step % evalInterval === 0 || step === steps) {
      point.valid_reward_mean = round(Math.max(0, reward - 0.05 + (rng.next() - 0.5) * 0.06));
      point.valid_reasoning_tokens_mean = Math.round(point.train_reasoning_tokens_mean * (1 + (rng.next() - 0.5) * 0.1));
    }
    points.push(point);
  }
  return points;
}

export function rewardResultsCsv(points: readonly RewardPoint[]): string {
  const rows = points.map((p) => [p.step, p.train_reward_mean, p.valid_reward_mean ?? '', p.train_reasoning_tokens_mean, p.valid_reasoning_tokens_mean ?? ''].join(','));
  return `${RFT_RESULTS_CSV_HEADER}\n${rows.join('\n')}\n`;
}
