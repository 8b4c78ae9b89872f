import { describe, expect, it } from 'vitest';
import { defaultEpochs, estimateTraining } from '../../src/validation/estimate.js';

describe('training estimate (OpenAI cookbook constants)', () => {
  it.each([
    [10, 10], // 10 × 3 < 100 → min(25, 100 // 10)
    [3, 25], // capped at 25 epochs
    [34, 3], // 102 ≥ 100 → target 3
    [8_333, 3], // 24,999 ≤ 25,000
    [10_000, 2], // 30,000 > 25,000 → max(1, 25,000 // 10,000)
    [50_000, 1],
  ])('%i examples → %i epochs', (examples, epochs) => {
    expect(defaultEpochs(examples)).toBe(epochs);
  });

  it('bills epochs × capped tokens, and honours requested epochs', () => {
    expect(estimateTraining(10, 498)).toEqual({ epochs: 10, tokensPerEpoch: 498, billedTokens: 4980 });
    expect(estimateTraining(10, 498, 2)).toEqual({ epochs: 2, tokensPerEpoch: 498, billedTokens: 996 });
  });
});
