import { describe, expect, it } from 'vitest';
import { resultsCsv, learningCurve } from '../../../dev/aoai-emulator/training-curve.js';
import { parseResultsCsv, renderLossChart, renderResultsChart } from '../../../src/runs/loss-chart.js';

describe('loss chart', () => {
  it('reads results.csv with and without validation columns filled', () => {
    const csv = 'step,train_loss,train_mean_token_accuracy,valid_loss,valid_mean_token_accuracy\n1,1.5,0.5,1.7,0.4\n2,1.2,0.6,,\n';
    expect(parseResultsCsv(csv)).toEqual([
      { step: 1, trainLoss: 1.5, validLoss: 1.7 },
      { step: 2, trainLoss: 1.2 },
    ]);
    expect(parseResultsCsv('nothing,here\n1,2\n')).toEqual([]);
  });

  it('draws one polyline per loss with a point per step, scaled into the view box', () => {
    const points = parseResultsCsv(resultsCsv(learningCurve(30, 7, true)));
    const svg = renderLossChart(points, 'sarcasm <lab> & co');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>sarcasm &lt;lab&gt; &amp; co</title>');
    const train = /class="train-loss"[^>]*points="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    const valid = /class="valid-loss"[^>]*points="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    expect(train).toHaveLength(30);
    expect(valid).toHaveLength(30);
    for (const point of [...train, ...valid]) {
      const [x, y] = point.split(',').map(Number);
      expect(x).toBeGreaterThanOrEqual(56);
      expect(x).toBeLessThanOrEqual(624);
      expect(y).toBeGreaterThanOrEqual(32);
      expect(y).toBeLessThanOrEqual(320);
    }
    // Loss falls: the last training point is lower on the chart (larger y) than the first.
    expect(Number(train.at(-1)!.split(',')[1])).toBeGreaterThan(Number(train[0]!.split(',')[1]));
  });

  it('says so when there is nothing to draw, and has no validation line without validation', () => {
    expect(renderLossChart([], 't')).toContain('no loss data');
    expect(renderLossChart([{ step: 1, trainLoss: 1 }], 't')).not.toContain('valid-loss');
  });

  it("draws the method's own metric: RFT reward per step when results.csv has reward columns, DPO loss for a preference run", () => {
    const rft = 'step,train_reward_mean,valid_reward_mean,train_reasoning_tokens_mean\n1,0.1,,900\n2,0.4,0.35,850\n3,0.7,,800\n';
    const svg = renderResultsChart(rft, 'capitals', 'reinforcement');
    const train = /class="train-reward"[^>]*points="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    expect(train).toHaveLength(3);
    expect(/class="valid-reward"[^>]*points="([^"]+)"/.exec(svg)?.[1]?.split(' ')).toHaveLength(1);
    expect(svg).toContain('training reward (mean)');
    expect(svg).not.toContain('loss');
    // Reward rises: the last point is higher on the chart (smaller y) than the first.
    expect(Number(train.at(-1)!.split(',')[1])).toBeLessThan(Number(train[0]!.split(',')[1]));
    // Negative rewards (a score range below 0) stay inside the view box.
    const negative = renderResultsChart('step,train_reward_mean\n1,-2\n2,1\n', 't');
    for (const point of /class="train-reward"[^>]*points="([^"]+)"/.exec(negative)![1]!.split(' ')) expect(Number(point.split(',')[1])).toBeLessThanOrEqual(320);
    expect(negative).toContain('>-2.00<');

    const dpo = renderResultsChart('step,train_loss,valid_loss\n1,0.69,0.7\n2,0.5,\n', 'tone', 'dpo');
    expect(dpo).toContain('training DPO loss');
    expect(/class="train-loss"[^>]*points="([^"]+)"/.exec(dpo)?.[1]?.split(' ')).toHaveLength(2);
    expect(renderResultsChart('step,train_loss\n1,1\n', 'sft')).toContain('>training loss<');
  });
});
