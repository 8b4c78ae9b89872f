/**
 * Training-cost estimate with the OpenAI cookbook's constants: the service's default number of
 * epochs depends on the dataset size, and every example is billed up to the model's limit.
 */
export const TARGET_EPOCHS = 3;
export const MIN_TARGET_EXAMPLES = 100;
export const MAX_TARGET_EXAMPLES = 25_000;
export const MIN_DEFAULT_EPOCHS = 1;
export const MAX_DEFAULT_EPOCHS = 25;

export function defaultEpochs(examples: number): number {
  if (examples <= 0) return TARGET_EPOCHS;
  if (examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES) {
    return Math.min(MAX_DEFAULT_EPOCHS, Math.floor(MIN_TARGET_EXAMPLES / examples));
  }
  if (examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES) {
    return Math.max(MIN_DEFAULT_EPOCHS, Math.floor(MAX_TARGET_EXAMPLES / examples));
  }
  return TARGET_EPOCHS;
}

export interface Estimate {
  epochs: number;
  /** Tokens billed for one pass over the training file (each example capped at the model's limit). */
  tokensPerEpoch: number;
  billedTokens: number;
}

export function estimateTraining(examples: number, tokensPerEpoch: number, epochs?: number): Estimate {
  const n = epochs ?? defaultEpochs(examples);
  return { epochs: n, tokensPerEpoch, billedTokens: n * tokensPerEpoch };
}
