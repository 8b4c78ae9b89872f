import { describe, expect, it } from 'vitest';
import { closestReply, similarity } from '../../../dev/aoai-emulator/answers.js';
import { parseConfigPatch } from '../../../dev/aoai-emulator/config.js';
import { contentText, trainingPairs } from '../../../dev/aoai-emulator/jobs.js';
import { Rng } from '../../../dev/aoai-emulator/rng.js';
import { learningCurve, resultsCsv } from '../../../dev/aoai-emulator/training-curve.js';

describe('emulator building blocks', () => {
  it('picks the training reply whose user message shares the most words, first on ties', () => {
    const pairs = [
      { user: 'What is the capital of France?', assistant: 'Paris.' },
      { user: 'Who wrote Romeo and Juliet?', assistant: 'Shakespeare.' },
      { user: 'Who wrote Hamlet?', assistant: 'Also Shakespeare.' },
    ];
    expect(closestReply(pairs, 'capital of france please')).toBe('Paris.');
    expect(closestReply(pairs, 'who wrote')).toBe('Also Shakespeare.');
    expect(closestReply(pairs, 'zzz')).toBe('Paris.');
    expect(closestReply([], 'anything')).toBeNull();
    expect(similarity('A b', 'a B')).toBe(1);
    expect(similarity('', '')).toBe(0);
  });

  it('extracts user → assistant pairs, skipping weight-0 replies and unparsable lines', () => {
    const jsonl = [
      JSON.stringify({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }] }),
      'not json',
      JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'q2' }] }, { role: 'assistant', content: 'no', weight: 0 }, { role: 'user', content: 'q3' }, { role: 'assistant', content: 'a3' }] }),
    ].join('\n');
    expect(trainingPairs(Buffer.from(jsonl))).toEqual([
      { user: 'q1', assistant: 'a1' },
      { user: 'q3', assistant: 'a3' },
    ]);
    expect(contentText([{ type: 'image_url' }])).toBeNull();
  });

  it('draws the same learning curve for the same seed, with falling loss', () => {
    const curve = learningCurve(50, 5, true);
    expect(learningCurve(50, 5, true)).toEqual(curve);
    expect(learningCurve(50, 6, true)).not.toEqual(curve);
    expect(curve[49]!.train_loss).toBeLessThan(curve[0]!.train_loss);
    expect(curve[49]!.train_mean_token_accuracy).toBeGreaterThan(curve[0]!.train_mean_token_accuracy);
    const withoutValidation = resultsCsv(learningCurve(2, 5, false)).split('\n');
    expect(withoutValidation[1]).toMatch(/^1,[\d.]+,[\d.]+,,$/);
  });

  it('generates the same ids for the same seed', () => {
    expect(new Rng(1).hex(32)).toBe(new Rng(1).hex(32));
    expect(new Rng(1).hex(32)).toMatch(/^[0-9a-f]{32}$/);
    expect(new Rng(1).hex(32)).not.toBe(new Rng(2).hex(32));
  });

  it('validates configuration patches, naming the field', () => {
    expect(parseConfigPatch({ jobSeconds: 1, failNextJob: true })).toEqual({
      jobSeconds: 1,
      failNextJob: { code: 'internalFailure', message: 'The fine-tuning job failed (injected by the emulator).' },
    });
    expect(parseConfigPatch({ failNextDeployment: { message: 'x' } }).failNextDeployment).toEqual({ code: 'DeploymentFailed', message: 'x' });
    expect(() => parseConfigPatch({ jobSeconds: -1 })).toThrow('jobSeconds: expected a number >= 0');
    expect(() => parseConfigPatch({ failNextJob: { reason: 'x' } })).toThrow('failNextJob.reason: unknown field');
    expect(() => parseConfigPatch([])).toThrow('body: expected a JSON object');
  });
});
