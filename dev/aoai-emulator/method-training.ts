/**
 * What differs per fine-tuning method once a job trains: the results file (reinforcement jobs
 * report the mean reward per step, as Azure's RFT guide documents its training metrics; supervised
 * and DPO jobs report the loss) and what the fine-tuned model "learned" to answer (a DPO model the
 * preferred output to its prompt).
 */
import type { MethodType } from './azure-facts.js';
import { deriveSeed } from './rng.js';
import { rewardCurve, rewardResultsCsv } from './reward-curve.js';
import type { StoredJob, TrainingPair } from './state.js';
import { contentText, trainingPairs } from './jobs.js';
import { resultsCsv } from './training-curve.js';

/** RFT `eval_interval` when the job leaves it to the service ("auto"): not documented; every few steps here. */
const DEFAULT_EVAL_INTERVAL = 5;

/** results.csv of a finished job. */
export function methodResultsCsv(job: Pick<StoredJob, 'method' | 'curve' | 'seed' | 'hyperparameters'>): string {
  if (job.method !== 'reinforcement') return resultsCsv(job.curve);
  const interval = job.hyperparameters['eval_interval'];
  return rewardResultsCsv(rewardCurve(job.curve.length, deriveSeed(job.seed, 'reward'), typeof interval === 'number' ? interval : DEFAULT_EVAL_INTERVAL));
}

/** Prompt → reply pairs a fine-tuned model answers from: the preferred output for DPO. */
export function methodPairs(method: MethodType, content: Buffer): TrainingPair[] {
  if (method !== 'dpo') return trainingPairs(content);
  const pairs: TrainingPair[] = [];
  for (const line of content.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const example = JSON.parse(line) as { input?: { messages?: Array<{ role?: unknown; content?: unknown }> }; preferred_output?: Array<{ role?: unknown; content?: unknown }> };
      const user = [...(example.input?.messages ?? [])].reverse().find((m) => m.role === 'user');
      const reply = (example.preferred_output ?? []).find((m) => m.role === 'assistant');
      const userText = contentText(user?.content);
      const replyText = contentText(reply?.content);
      if (userText !== null && replyText !== null) pairs.push({ user: userText, assistant: replyText });
    } catch {
      continue;
    }
  }
  return pairs;
}
