import { describe, expect, it } from 'vitest';
import { contains, exactMatch, gradeText, jsonValid, normalize, parseModelGrade, rougeL } from '../../../src/evaluation/graders.js';
import { aggregate, evaluateContenders, metricScore } from '../../../src/evaluation/evaluate.js';
import { holdOutSlice, parseEvalSet } from '../../../src/evaluation/eval-set.js';

describe('graders', () => {
  it('exact match ignores case, spacing and outer punctuation, nothing else', () => {
    expect(exactMatch('  Paris. ', 'paris')).toBe(1);
    expect(exactMatch('"Canberra!"', 'Canberra')).toBe(1);
    expect(exactMatch('Paris, France', 'Paris')).toBe(0);
    expect(normalize('A\n\tB')).toBe('a b');
  });

  it('contains finds the normalized reference inside a longer answer; an empty reference never matches', () => {
    expect(contains('It is, of course, PARIS, the capital.', 'paris')).toBe(1);
    expect(contains('Lyon', 'Paris')).toBe(0);
    expect(contains('anything', '  ')).toBe(0);
  });

  it('ROUGE-L F1: 1 for the same words, 0 for none shared, order matters', () => {
    expect(rougeL('the cat sat on the mat', 'the cat sat on the mat')).toBe(1);
    expect(rougeL('dogs bark', 'the cat sat')).toBe(0);
    // LCS of "a b c d" and "a c b d" is 3 (a b d / a c d): P = R = 3/4.
    expect(rougeL('a b c d', 'a c b d')).toBeCloseTo(0.75, 10);
    // Precision 2/4, recall 2/2: F1 = 2/3.
    expect(rougeL('paris is nice', 'paris nice')).toBeCloseTo(0.8, 10);
    expect(rougeL('Paris is the capital of France', 'paris nice')).toBeCloseTo((2 * (1 / 6) * (1 / 2)) / (1 / 6 + 1 / 2), 10);
    expect(rougeL('', '')).toBe(1);
    expect(rougeL('', 'x')).toBe(0);
  });

  it('json_valid accepts JSON and fenced JSON, refuses prose', () => {
    expect(jsonValid('{"a": 1}')).toBe(1);
    expect(jsonValid('```json\n{"a": [1, 2]}\n```')).toBe(1);
    expect(jsonValid('Sure! {"a": 1}')).toBe(0);
    expect(gradeText('json_valid', '[1,2', '')).toBe(0);
  });

  it('a model grader reply becomes 0-1, or null when it holds no grade', () => {
    expect(parseModelGrade('8')).toBe(0.8);
    expect(parseModelGrade('Score: 10/10')).toBe(1);
    expect(parseModelGrade('eleven')).toBeNull();
    expect(parseModelGrade('42')).toBeNull();
  });
});

describe('evaluation', () => {
  const set = parseEvalSet(
    [
      '{"messages": [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris"}]}',
      '',
      '{"messages": [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "2+2?"}], "reference": "4"}',
      '{"messages": [{"role": "user", "content": "no answer"}]}',
      'not json',
    ].join('\n'),
  );

  it('reads references from the last assistant message or the reference field, and names the unusable lines', () => {
    expect(set.examples.map((e) => [e.line, e.reference, e.prompt.length])).toEqual([
      [1, 'Paris', 1],
      [3, '4', 2],
    ]);
    expect(set.problems.map((p) => p.line)).toEqual([4, 5]);
  });

  it('grades every contender per example, records failures as null, and averages what was scored', async () => {
    const answers: Record<string, Record<string, string>> = { cand: { 'Capital of France?': 'Paris', '2+2?': '4' }, champ: { 'Capital of France?': 'Lyon' } };
    const result = await evaluateContenders(
      set.examples,
      [
        { role: 'candidate', deployment: 'cand' },
        { role: 'champion', deployment: 'champ' },
      ],
      [{ type: 'exact_match' }, { type: 'model', deployment: 'judge' }],
      async (deployment, messages) => {
        if (deployment === 'judge') return messages[1]!.content.endsWith('Paris') ? '10' : 'no idea';
        const answer = answers[deployment]?.[messages.at(-1)!.content];
        if (answer === undefined) throw new Error('HTTP 500');
        return answer;
      },
    );
    expect(result.examples[0]?.answers.champion).toEqual({ text: 'Lyon', scores: { exact_match: 0, 'model:judge': null } });
    expect(result.examples[1]?.answers.champion?.error).toBe('HTTP 500');
    expect(result.aggregates).toEqual({ candidate: { exact_match: 1, 'model:judge': 1 }, champion: { exact_match: 0, 'model:judge': null } });
    expect(metricScore(result.aggregates, 'candidate', 'model')).toBe(1);
    expect(metricScore(result.aggregates, 'base', 'model')).toBeUndefined();
    expect(aggregate([], ['candidate'], ['x'])).toEqual({ candidate: { x: null } });
  });

  it('holds out the last tenth of the training file only when 10 examples remain to train on', () => {
    const lines = Array.from({ length: 25 }, (_, i) => `{"i": ${i}}`);
    const slice = holdOutSlice(`${lines.join('\n')}\n`, 50)!;
    expect(slice.count).toBe(2);
    expect(slice.firstLine).toBe(24);
    expect(slice.heldOut).toBe('{"i": 23}\n{"i": 24}\n');
    expect(slice.training.trim().split('\n')).toHaveLength(23);
    expect(holdOutSlice(lines.slice(0, 10).join('\n'), 50)).toBeNull();
    expect(holdOutSlice(Array.from({ length: 500 }, () => '{}').join('\n'), 7)?.count).toBe(7);
  });
});
