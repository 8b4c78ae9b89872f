/**
 * A plausible, deterministic learning curve for an emulated fine-tuning job: loss decays
 * exponentially towards a floor with a little seeded noise, token accuracy rises. Same seed,
 * same curve, so tests and demos are reproducible.
 */
import { Rng } from './rng.js';
import type { MetricPoint } from './state.js';

export const RESULTS_CSV_HEADER = 'step,train_loss,train_mean_token_accuracy,valid_loss,valid_mean_token_accuracy';

function round(value: number): number {
  return Math.round(value * 100_000) / 100_000;
}

export function learningCurve(steps: number, seed: number, withValidation: boolean): MetricPoint[] {
  const rng = new Rng(seed);
  const start = 1.6 + rng.next();
  const floor = 0.05 + 0.2 * rng.next();
  const gap = 0.05 + 0.15 * rng.next();
  const points: MetricPoint[] = [];
  for (let step = 1; step <= steps; step++) {
    const progress = step / steps;
    const decay = Math.exp(-4 * progress);
    const noise = (rng.next() - 0.5) * 0.12 * (1 - progress / 2);
    const trainLoss = Math.max(0.001, floor + (start - floor) * decay + noise);
    const accuracy = Math.min(0.999, 0.55 + 0.44 * (1 - decay) + (rng.next() - 0.5) * 0.03);
    const point: MetricPoint = { step, train_loss: round(trainLoss), train_mean_token_accuracy: round(accuracy) };
    if (withValidation) {
      point.valid_loss = round(Math.max(0.001, trainLoss + gap + (rng.next() - 0.5) * 0.1));
      point.valid_mean_token_accuracy = round(Math.max(0, accuracy - gap / 4 + (rng.next() - 0.5) * 0.03));
    }
    points.push(point);
  }
  return points;
}

/** The `results.csv` Azure attaches to a finished job: one row per step. */
export function resultsCsv(points: readonly MetricPoint[]): string {
  const rows = points.map((p) =>
    [p.step, p.train_loss, p.train_mean_token_accuracy, p.valid_loss ?? '', p.valid_mean_token_accuracy ?? ''].join(','),
  );
  return `${RESULTS_CSV_HEADER}\n${rows.join('\n')}\n`;
}
