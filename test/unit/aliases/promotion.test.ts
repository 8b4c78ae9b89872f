import { describe, expect, it } from 'vitest';
import { candidateDeploymentName, checkpointDeploymentName, isValidDeploymentName } from '../../../src/aliases/deployment-name.js';
import { isFineTunedModel } from '../../../src/aliases/deployment-ops.js';
import { bestContender, chooseCheckpoints, runWinner, type JobCheckpoint } from '../../../src/evaluation/checkpoints.js';
import { winnerScores } from '../../../src/evaluation/evaluation-result.js';
import { decidePromotion } from '../../../src/evaluation/promotion.js';
import { parsePromotion, parseBudget, parseLifecycle } from '../../../src/runs/release-options.js';
import type { OptionsProblem } from '../../../src/runs/run-options.js';

const auto = { mode: 'auto' as const, metric: 'similarity', minImprovement: 0 };

describe('the promotion rule', () => {
  it('promotes when the alias has no champion', () => {
    expect(decidePromotion({ ...auto, candidate: 0.1 })).toMatchObject({ promote: true, reason: 'the alias has no champion yet' });
  });

  it('promotes only a strict improvement of at least minImprovement', () => {
    expect(decidePromotion({ ...auto, candidate: 0.61, champion: 0.6 }).promote).toBe(true);
    expect(decidePromotion({ ...auto, candidate: 0.6, champion: 0.6 }).promote).toBe(false);
    expect(decidePromotion({ ...auto, candidate: 0.5, champion: 0.6 })).toMatchObject({ promote: false, recommended: false });
    expect(decidePromotion({ ...auto, minImprovement: 0.05, candidate: 0.64, champion: 0.6 }).promote).toBe(false);
    expect(decidePromotion({ ...auto, minImprovement: 0.05, candidate: 0.65, champion: 0.6 }).promote).toBe(true);
    expect(decidePromotion({ ...auto, candidate: 0.5, champion: 0.6 }).reason).toBe('similarity: candidate 0.500 vs champion 0.600 (-0.100; needed more than 0)');
  });

  it('never switches blindly: no candidate score, or a champion that could not be scored, is not a promotion', () => {
    expect(decidePromotion({ ...auto, candidate: null, champion: 0.3 }).promote).toBe(false);
    expect(decidePromotion({ ...auto, candidate: 0.9, champion: null })).toMatchObject({ promote: false, reason: expect.stringMatching(/champion could not be scored/) });
  });

  it('manual mode records a recommendation and never promotes', () => {
    expect(decidePromotion({ ...auto, mode: 'manual', candidate: 0.9, champion: 0.1 })).toMatchObject({ promote: false, recommended: true });
    expect(decidePromotion({ ...auto, mode: 'manual', candidate: 0.1, champion: 0.9 })).toMatchObject({ promote: false, recommended: false });
    expect(decidePromotion({ ...auto, mode: 'manual', candidate: 0.1 })).toMatchObject({ promote: false, recommended: true });
  });
});

describe('promotion, budget and lifecycle options', () => {
  const parse = <T>(fn: (v: unknown, p: OptionsProblem[]) => T, value: unknown): { value: T; problems: OptionsProblem[] } => {
    const problems: OptionsProblem[] = [];
    return { value: fn(value, problems), problems };
  };

  it('defaults to auto, similarity, exact match and similarity graders', () => {
    expect(parse(parsePromotion, undefined).value).toEqual({ mode: 'auto', metric: 'similarity', minImprovement: 0, graders: [{ type: 'exact_match' }, { type: 'similarity' }], keepRejected: false, maxExamples: 50, checkpoints: 0 });
  });

  it('adds a text metric that is not graded yet; a model metric needs its grader', () => {
    expect(parse(parsePromotion, { graders: ['contains'], metric: 'json_valid' }).value.graders).toEqual([{ type: 'contains' }, { type: 'json_valid' }]);
    const model = parse(parsePromotion, { graders: ['exact_match', { type: 'model', deployment: 'judge-4o' }], metric: 'model', minImprovement: 0.05 });
    expect(model.problems).toEqual([]);
    expect(model.value.metric).toBe('model');
    expect(parse(parsePromotion, { metric: 'model' }).problems.map((p) => p.field)).toEqual(['promotion.metric']);
  });

  it('names the key of every problem', () => {
    const bad = parse(parsePromotion, { mode: 'sometimes', minImprovement: 2, graders: ['bleu', { type: 'model' }], keepRejected: 'yes', maxExamples: 0, extra: 1 });
    expect(bad.problems.map((p) => p.field).sort()).toEqual(
      ['promotion.extra', 'promotion.graders[0]', 'promotion.graders[1].deployment', 'promotion.keepRejected', 'promotion.maxExamples', 'promotion.minImprovement', 'promotion.mode'].sort(),
    );
    expect(parse(parseBudget, { maxTrainingCost: -1 }).problems.map((p) => p.field)).toEqual(['budget.maxTrainingCost']);
    expect(parse(parseBudget, { maxTrainingCost: 12.5 }).value).toEqual({ maxTrainingCost: 12.5 });
    expect(parse(parseLifecycle, { idle: 'tear-down' }).problems.map((p) => p.field)).toEqual(['lifecycle.tearDownAfterDays']);
    expect(parse(parseLifecycle, { idle: 'keep-warm' }).value).toEqual({ idle: 'keep-warm' });
  });
});

describe('checkpoints as contenders (promotion.checkpoints)', () => {
  // As the emulator and Azure list them: newest first; the newest is taken at the job's last step (the final model).
  const listed: JobCheckpoint[] = [30, 20, 10].map((step) => ({ id: `ftchkpt-${step}`, name: `gpt-4o-mini-2024-07-18.ft-abc:ckpt-step-${step}`, step }));

  it('chooses the last N checkpoints before the final model, newest first, whatever order they are listed in', () => {
    expect(chooseCheckpoints(listed, 0)).toEqual([]);
    expect(chooseCheckpoints(listed, 1).map((c) => c.step)).toEqual([20]);
    expect(chooseCheckpoints([...listed].reverse(), 2).map((c) => c.step)).toEqual([20, 10]);
    expect(chooseCheckpoints(listed, 5).map((c) => c.step)).toEqual([20, 10]);
    expect(chooseCheckpoints(listed.slice(0, 1), 3)).toEqual([]); // one epoch: its checkpoint is the final model
  });

  it('the best contender: highest metric; a tie keeps the final model; unscored ones never win', () => {
    expect(bestContender([{ role: 'candidate', score: 0.6 }, { role: 'checkpoint-20', score: 0.7 }, { role: 'checkpoint-10', score: 0.65 }])?.role).toBe('checkpoint-20');
    expect(bestContender([{ role: 'candidate', score: 0.7 }, { role: 'checkpoint-20', score: 0.7 }])?.role).toBe('candidate');
    expect(bestContender([{ role: 'candidate', score: 0.5 }, { role: 'checkpoint-20', score: 0.6 }, { role: 'checkpoint-10', score: 0.6 }])?.role).toBe('checkpoint-20');
    expect(bestContender([{ role: 'candidate', score: null }, { role: 'checkpoint-20', score: 0.1 }])?.role).toBe('checkpoint-20');
    expect(bestContender([{ role: 'candidate', score: 0.2 }, { role: 'checkpoint-20', score: null }])?.role).toBe('candidate');
    expect(bestContender([{ role: 'candidate', score: null }, { role: 'checkpoint-20', score: null }])?.role).toBe('candidate');
  });

  it('the winner then meets the champion under the usual rule (minImprovement applies to the best contender)', () => {
    const best = bestContender([{ role: 'candidate', score: 0.6 }, { role: 'checkpoint-20', score: 0.66 }])!;
    expect(decidePromotion({ ...auto, minImprovement: 0.05, candidate: best.score, champion: 0.6 }).promote).toBe(true);
    expect(decidePromotion({ ...auto, minImprovement: 0.1, candidate: best.score, champion: 0.6 }).promote).toBe(false);
  });

  it('runWinner: a better checkpoint wins and is named with its deployment and ftchkpt- model; the champion and base never do', () => {
    const contenders = [
      { role: 'candidate' as const, deployment: 'a-1', model: 'gpt-4o-mini-2024-07-18.ft-abc' },
      { role: 'checkpoint-20' as const, deployment: 'a-1-s20', model: 'ftchkpt-20', step: 20 },
      { role: 'checkpoint-10' as const, deployment: 'a-1-s10', model: 'ftchkpt-10', step: 10 },
      { role: 'champion' as const, deployment: 'a-0', model: 'gpt-4o-mini-2024-07-18.ft-old' },
    ];
    const aggregates = { candidate: { similarity: 0.5 }, 'checkpoint-20': { similarity: 0.7 }, 'checkpoint-10': { similarity: 0.6 }, champion: { similarity: 0.9 } };
    const { score, winner } = runWinner(contenders, aggregates, 'similarity', true);
    expect(score).toBe(0.7);
    expect(winner).toEqual({
      role: 'checkpoint-20',
      deployment: 'a-1-s20',
      model: 'ftchkpt-20',
      step: 20,
      reason: 'similarity: candidate 0.500, checkpoint-20 0.700, checkpoint-10 0.600; checkpoint-20 beats the final model',
    });
    // The scores the alias API, the console and the notification show are the winner's, not the final model's.
    expect(winnerScores({ aggregates, winner })).toEqual({ similarity: 0.7 });
    expect(winnerScores({ aggregates })).toEqual({ similarity: 0.5 });
    // …and then loses to the champion under the usual rule.
    expect(decidePromotion({ ...auto, candidate: score, champion: 0.9 }).promote).toBe(false);
    // Without checkpoints nothing is named; without examples there is no score.
    expect(runWinner(contenders.slice(0, 1), aggregates, 'similarity', true)).toEqual({ score: 0.5 });
    expect(runWinner(contenders, aggregates, 'similarity', false)).toMatchObject({ score: null, winner: { role: 'candidate' } });
  });

  it('each checkpoint gets its own ARM-valid deployment name, never the candidate\'s', () => {
    const runId = 'sarcasm-0123456789ab';
    const long = 'x'.repeat(80);
    for (const alias of ['sarcasm', long]) {
      const names = [candidateDeploymentName(alias, runId), checkpointDeploymentName(alias, runId, 20), checkpointDeploymentName(alias, runId, 10)];
      expect(new Set(names).size).toBe(3);
      for (const n of names) expect(isValidDeploymentName(n), n).toBe(true);
    }
    expect(checkpointDeploymentName('sarcasm', runId, 20)).toBe(`${candidateDeploymentName('sarcasm', runId)}-s20`);
    // A retried attempt never reuses the failed attempt's names (that deployment may still be deleting).
    expect(candidateDeploymentName('sarcasm', runId, undefined, 1)).toBe(candidateDeploymentName('sarcasm', runId));
    expect(candidateDeploymentName('sarcasm', runId, undefined, 2)).toBe(`${candidateDeploymentName('sarcasm', runId)}-a2`);
    expect(checkpointDeploymentName('sarcasm', runId, 20, undefined, 3)).toBe(`${candidateDeploymentName('sarcasm', runId)}-a3-s20`);
    expect(isValidDeploymentName(candidateDeploymentName('x'.repeat(80), runId, undefined, 12))).toBe(true);
    expect(candidateDeploymentName('x'.repeat(80), runId, undefined, 12)).toHaveLength(64);
  });

  it('a deployed checkpoint (served by its ftchkpt- id) counts against the fine-tuned deployment quota', () => {
    expect(isFineTunedModel('ftchkpt-e559c011ecc04fc68eaa339d8227d02d')).toBe(true);
    expect(isFineTunedModel('ftchkpt')).toBe(false);
  });

  it('promotion.checkpoints is a whole number from 0 to 10', () => {
    const problems: OptionsProblem[] = [];
    expect(parsePromotion({ checkpoints: 2 }, problems).checkpoints).toBe(2);
    parsePromotion({ checkpoints: 11 }, problems);
    parsePromotion({ checkpoints: 1.5 }, problems);
    parsePromotion({ checkpoints: '2' }, problems);
    expect(problems.map((p) => p.field)).toEqual(['promotion.checkpoints', 'promotion.checkpoints', 'promotion.checkpoints']);
  });
});
