/**
 * Deterministic answers. A fine-tuned model answers with the assistant reply of the training
 * example whose user message is closest to the question (word-set Jaccard similarity, first
 * example on ties), so a local run shows the model "learned" its data. A base model answers with
 * a fixed sentence that quotes the question.
 */
import type { TrainingPair } from './state.js';

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(WORD) ?? []);
}

export function similarity(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  if (left.size === 0 && right.size === 0) return 0;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared++;
  return shared / (left.size + right.size - shared);
}

export function closestReply(pairs: readonly TrainingPair[], question: string): string | null {
  let best: TrainingPair | null = null;
  let bestScore = -1;
  for (const pair of pairs) {
    const score = similarity(pair.user, question);
    if (score > bestScore) {
      best = pair;
      bestScore = score;
    }
  }
  return best?.assistant ?? null;
}

export function baseModelReply(model: string, question: string): string {
  const quoted = question.length > 200 ? `${question.slice(0, 200)}…` : question;
  return `This is an emulated reply from ${model}. You asked: "${quoted}"`;
}
