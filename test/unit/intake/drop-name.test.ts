import { describe, expect, it } from 'vitest';
import { classifyDropName } from '../../../src/intake/drop-name.js';

describe('classifyDropName', () => {
  it.each([
    ['sarcasm.jsonl', { kind: 'training', dataset: 'sarcasm' }],
    ['team/a/sarcasm.jsonl', { kind: 'training', dataset: 'team/a/sarcasm' }],
    ['a.jsonl', { kind: 'training', dataset: 'a' }],
    ['sarcasm.validation.jsonl', { kind: 'companion', role: 'validation', dataset: 'sarcasm' }],
    ['sarcasm.json', { kind: 'companion', role: 'options', dataset: 'sarcasm' }],
    // Reserved companions must never start a paid training run of a dataset called "sarcasm.eval".
    ['sarcasm.eval.jsonl', { kind: 'companion', role: 'eval', dataset: 'sarcasm' }],
    ['sarcasm.grader.json', { kind: 'companion', role: 'grader', dataset: 'sarcasm' }],
  ])('%s is recognised', (blob, expected) => {
    expect(classifyDropName(blob)).toEqual(expected);
  });

  it.each([
    ['UPPER.JSONL', 'wrong_case', 'UPPER.jsonl'],
    ['Data.Jsonl', 'wrong_case', 'Data.jsonl'],
    ['x.Validation.JSONL', 'wrong_case', 'x.validation.jsonl'],
    ['opts.JSON', 'wrong_case', 'opts.json'],
    ['x.jsonl.', 'trailing_characters', 'x.jsonl'],
    ['x.jsonl ', 'trailing_characters', 'x.jsonl'],
    ['x.JSONL..', 'trailing_characters', 'x.jsonl'],
    ['x.jsonl.gz', 'unsupported_format', 'x.jsonl'],
    ['x.ndjson', 'unsupported_format', 'x.jsonl'],
  ])('%s is a likely mistake (%s), suggesting %s', (blob, code, suggestion) => {
    expect(classifyDropName(blob)).toMatchObject({ kind: 'ignored', code, mistake: true, suggestion });
  });

  it.each(['.jsonl', 'team/.jsonl', '.validation.jsonl'])('%s has an empty dataset name: a mistake', (blob) => {
    expect(classifyDropName(blob)).toMatchObject({ kind: 'ignored', code: 'empty_name', mistake: true });
  });

  it.each([
    ['notes.txt', 'not_a_dataset_file'],
    ['README.md', 'not_a_dataset_file'],
    ['team/', 'folder_marker'],
  ])('%s is unrelated: logged, not reported', (blob, code) => {
    expect(classifyDropName(blob)).toMatchObject({ kind: 'ignored', code, mistake: false });
  });
});
