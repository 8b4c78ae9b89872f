import { describe, expect, it } from 'vitest';
import { checkGrader, dryRun, fuzzyMatch, stringCheck, templateRefs } from '../../src/validation/grader-checks.js';

const stringCheckGrader = { type: 'string_check', name: 'exact', input: '{{ sample.output_text }}', reference: '{{ item.answer }}', operation: 'eq' };
const similarity = { type: 'text_similarity', name: 'close', input: '{{sample.output_text}}', reference: '{{item.summary}}', evaluation_metric: 'fuzzy_match', pass_threshold: 0.8 };
const scoreModel = { type: 'score_model', name: 'judge', model: 'gpt-4o-2024-08-06', input: [{ role: 'user', content: 'Score {{sample.output_text}} against {{item.reference_answer}}' }], range: [0, 10] };
const python = { type: 'python', name: 'code', source: 'def grade(sample, item):\n    return 1.0' };
const multi = { type: 'multi', name: 'both', graders: { sim: similarity, label: { ...stringCheckGrader, reference: '{{ item.label }}' } }, calculate_output: '(sim + label) / 2' };

const check = (grader: unknown) => checkGrader('g.grader.json', typeof grader === 'string' ? grader : JSON.stringify(grader));

describe('grader files', () => {
  it.each([
    ['string_check', stringCheckGrader, [['answer']]],
    ['text_similarity', similarity, [['summary']]],
    ['score_model', scoreModel, [['reference_answer']]],
    ['python', python, []],
    ['multi', multi, [['summary'], ['label']]],
  ])('a valid %s grader, with the item fields it reads', (type, grader, itemPaths) => {
    const { report } = check(grader);
    expect(report).toMatchObject({ valid: true, type, errors: [], itemPaths });
  });

  it.each([
    ['not JSON', '{"type": ', '', /not valid JSON/],
    ['not an object', '[1]', '', /one JSON object/],
    ['an unknown type', { ...stringCheckGrader, type: 'regex' }, 'type', /"type" must be one of string_check, text_similarity, score_model, python, multi/],
    ['a missing field', { type: 'string_check', name: 'n', input: 'x', reference: 'y' }, 'operation', /missing "operation"/],
    ['a misspelt key', { ...stringCheckGrader, operator: 'eq' }, 'operator', /unknown key "operator"/],
    ['a bad enum value', { ...stringCheckGrader, operation: 'equals' }, 'operation', /must be one of eq, ne, like, ilike/],
    ['a bad nested grader', { ...multi, graders: { ...multi.graders, label: { ...stringCheckGrader, operation: 'neq' } } }, 'graders.label.operation', /must be one of eq, ne, like, ilike/],
    ['a formula naming no grader', { ...multi, calculate_output: 'sim + labels' }, 'calculate_output', /"labels", which is neither one of the graders \(sim, label\)/],
    ['a formula with an unknown operator', { ...multi, calculate_output: 'sim % label' }, 'calculate_output', /has "%"/],
    ['an unknown template namespace', { ...stringCheckGrader, reference: '{{ data.answer }}' }, 'reference', /item or sample namespace/],
    ['python without grade()', { ...python, source: 'def score(s, i):\n  return 1' }, 'source', /must define grade\(sample, item\)/],
    ['a score range upside down', { ...scoreModel, range: [10, 0] }, 'range', /low < high/],
  ])('%s is an error naming the field', (_name, grader, field, message) => {
    const { report } = check(grader);
    expect(report.valid).toBe(false);
    expect(report.errors[0]).toMatchObject({ code: 'grader_invalid', line: null });
    if (field) expect(report.errors.map((e) => e.field)).toContain(field);
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(message);
  });

  it('undocumented grader models and sample fields are warnings, not errors', () => {
    const { report } = check({ ...scoreModel, model: 'gpt-5', input: [{ role: 'user', content: '{{ sample.output_reasoning }}' }] });
    expect(report.valid).toBe(true);
    expect(report.warnings.map((w) => w.field)).toEqual(['input[0].content', 'model']);
  });

  it('reads template references with nested paths and indexes', () => {
    expect(templateRefs('{{item.a.b}} and {{ sample.choices[0].message }}')).toEqual([
      { raw: 'item.a.b', namespace: 'item', path: ['a', 'b'] },
      { raw: 'sample.choices[0].message', namespace: 'sample', path: ['choices', '0', 'message'] },
    ]);
  });
});

describe('grader dry run', () => {
  const items = [
    { line: 1, item: { answer: 'Paris', summary: 'A city on the Seine.', label: 'geo' } },
    { line: 2, item: { answer: '', summary: 'x', label: 'geo' } },
  ];

  it('string_check: a perfect answer scores 1, an empty one 0; an empty reference is flagged on its line', () => {
    const { report, grader } = check(stringCheckGrader);
    dryRun(grader!, items, report);
    expect(report.dryRun).toEqual(['exact (string_check eq): line 1: answer = reference → 1, empty answer → 0']);
    expect(report.warnings).toEqual([expect.objectContaining({ code: 'grader_dry_run', line: 2, field: 'reference' })]);
  });

  it('a grader that never reads the sample is flagged', () => {
    const { report, grader } = check({ ...stringCheckGrader, input: '{{ item.answer }}' });
    dryRun(grader!, items, report);
    expect(report.warnings[0]!.message).toMatch(/never reads the model's output/);
  });

  it('like: missing item fields render empty inside a reference; ne reports the score of a perfect answer only', () => {
    const { report, grader } = check({ ...stringCheckGrader, operation: 'like', reference: '{{ item.missing }}x' });
    dryRun(grader!, [{ line: 4, item: { answer: 'a' } }], report);
    expect(report.warnings.map((w) => w.message)).toEqual([]);
    const rewardsAll = check({ ...stringCheckGrader, operation: 'ne', reference: '{{ item.answer }}' });
    dryRun(rewardsAll.grader!, [{ line: 4, item: { answer: 'a' } }], rewardsAll.report);
    expect(rewardsAll.report.dryRun[0]).toMatch(/line 4: answer = reference → 0/);
  });

  it('multi graders run their string_check and fuzzy_match parts; other metrics are said not to run', () => {
    const { report, grader } = check({ ...multi, graders: { ...multi.graders, b: { ...similarity, evaluation_metric: 'bleu' } }, calculate_output: 'sim + label + b' });
    dryRun(grader!, items.slice(0, 1), report);
    expect(report.dryRun).toEqual([
      'graders.sim.close (text_similarity fuzzy_match): line 1: answer = reference → 1, empty answer → 0',
      'graders.label.exact (string_check eq): line 1: answer = reference → 1, empty answer → 0',
      'graders.b.close: bleu is not computed locally',
    ]);
  });

  it('score_model and python graders are not run locally, and say so', () => {
    const { report, grader } = check(scoreModel);
    dryRun(grader!, items, report);
    expect(report.dryRun[0]).toMatch(/not run: score_model graders run only in Azure/);
  });

  it('string_check operations and fuzzy_match follow the documented definitions', () => {
    expect([stringCheck('eq', 'a', 'a'), stringCheck('eq', 'A', 'a'), stringCheck('ne', 'A', 'a'), stringCheck('like', 'xay', 'a'), stringCheck('like', 'XAY', 'a'), stringCheck('ilike', 'XAY', 'a')]).toEqual([1, 0, 1, 1, 0, 1]);
    // RapidFuzz fuzz.ratio / 100: ('kitten', 'sitting') = 61.538…, ('this is a test', 'this is a test!') = 96.551…
    expect(fuzzyMatch('kitten', 'sitting')).toBeCloseTo(0.61538, 4);
    expect(fuzzyMatch('this is a test', 'this is a test!')).toBeCloseTo(0.96552, 4);
    expect(fuzzyMatch('', '')).toBe(1);
    expect(fuzzyMatch('abc', '')).toBe(0);
  });
});
