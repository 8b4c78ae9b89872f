import { describe, expect, it } from 'vitest';
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
    expect(parse(parsePromotion, undefined).value).toEqual({ mode: 'auto', metric: 'similarity', minImprovement: 0, graders: [{ type: 'exact_match' }, { type: 'similarity' }], keepRejected: false, maxExamples: 50 });
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
