import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, ValidationReport } from '../../src/validation/index.js';
import { METHODS_DIR } from '../support/paths.js';
import { plainCount } from '../support/reference-tiktoken.js';
import { example, validateText, validLines } from '../support/validate-text.js';

const read = (name: string): string => readFileSync(path.join(METHODS_DIR, name), 'utf8');
const TRAINING = read('reinforcement.jsonl');
const VALIDATION = read('reinforcement.validation.jsonl');
const GRADER = { path: 'reinforcement.grader.json', text: read('reinforcement.grader.json') };
const LINES = TRAINING.trimEnd().split('\n');
const good = JSON.parse(LINES[0]!) as { messages: Array<Record<string, string>>; answer: string };

function withLine(line: unknown, at: number): string {
  const lines = [...LINES];
  lines[at - 1] = JSON.stringify(line);
  return `${lines.join('\n')}\n`;
}
const errors = (r: ValidationReport): Finding[] => r.files[0]!.errors;
const rft = { model: 'o4-mini', method: 'reinforcement' as const, validation: VALIDATION, grader: GRADER };

describe('reinforcement (RFT) data', () => {
  it('the sample dataset with its grader is valid for o4-mini; the grader ran on the first lines', async () => {
    const report = await validateText(TRAINING, { model: 'o4-mini', validation: VALIDATION, grader: GRADER });
    expect(report.valid, JSON.stringify(report.files.map((f) => f.errors))).toBe(true);
    expect(report.method).toBe('reinforcement');
    expect(report.methodSource).toBe('detected');
    expect(report.grader).toMatchObject({ valid: true, type: 'string_check', itemPaths: [['answer']], errors: [], warnings: [] });
    expect(report.grader!.dryRun).toEqual(['exact capital (string_check eq): line 1: answer = reference → 1, empty answer → 0; line 2: answer = reference → 1, empty answer → 0; line 3: answer = reference → 1, empty answer → 0']);
    expect(report.files[0]!.statistics.map((s) => s.label)).toEqual(['prompt tokens', 'messages']);
    // Prompt tokens by the cookbook formula with js-tiktoken's encode.
    const expected = LINES.map((l) => (JSON.parse(l) as typeof good).messages.reduce((n, m) => n + 3 + plainCount('o200k_base', m['role']!) + plainCount('o200k_base', m['content']!), 3));
    expect(report.files[0]!.statistics[0]!.summary.sum).toBe(expected.reduce((a, b) => a + b, 0));
    expect(report.estimate.note).toMatch(/billed by training time/);
  });

  const malformed: Array<[string, unknown, string, string]> = [
    ['ends with an assistant message', { ...good, messages: [...good.messages, { role: 'assistant', content: 'Paris' }] }, 'rft_last_message_not_user', 'messages[2].role'],
    ['has a system message', { ...good, messages: [{ role: 'system', content: 's' }, ...good.messages] }, 'rft_system_message', 'messages[0].role'],
    ['lacks the field the grader reads', { messages: good.messages }, 'rft_missing_reference_field', 'answer'],
    ['has an unknown role', { ...good, messages: [{ role: 'bot', content: 'x' }, ...good.messages] }, 'unrecognized_role', 'messages[0].role'],
  ];

  it.each(malformed)('a line that %s → %s at its line and field', async (_name, line, code, field) => {
    const report = await validateText(withLine(line, 6), rft);
    expect(report.valid).toBe(false);
    expect(errors(report).filter((e) => e.code === code), JSON.stringify(errors(report))).toEqual([expect.objectContaining({ line: 6, field })]);
  });

  it('nested reference fields are looked up by path', async () => {
    const grader = { path: 'g.json', text: JSON.stringify({ type: 'string_check', name: 'n', input: '{{sample.output_text}}', reference: '{{ item.truth.city }}', operation: 'ilike' }) };
    const lines = LINES.map((l, i) => {
      const x = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({ messages: x['messages'], truth: i === 2 ? { country: 'x' } : { city: x['answer'] } });
    });
    const report = await validateText(lines.join('\n'), { ...rft, grader });
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'rft_missing_reference_field', line: 3, field: 'truth.city' })]);
  });

  it('needs a validation file and a grader', async () => {
    const report = await validateText(TRAINING, { model: 'o4-mini', method: 'reinforcement' });
    expect(errors(report).map((e) => [e.code, e.line])).toEqual([
      ['grader_missing', null],
      ['rft_validation_file_required', null],
    ]);
  });

  it('o4-mini with supervised data is refused before upload, naming reinforcement', async () => {
    const report = await validateText(validLines(10).join('\n'), { model: 'o4-mini-2025-04-16' });
    expect(report.valid).toBe(false);
    expect(report.method).toBe('supervised');
    const [refusal] = errors(report).filter((e) => e.code === 'unsupported_method');
    expect(refusal?.message).toMatch(/o4-mini-2025-04-16 does not support supervised fine-tuning \(it supports reinforcement\)/);
  });

  it('RFT on a model without it names o4-mini (and gpt-5 by invitation)', async () => {
    const report = await validateText(TRAINING, { ...rft, model: 'gpt-4.1' });
    expect(errors(report).find((e) => e.code === 'unsupported_method')?.message).toMatch(/models that support reinforcement: o4-mini-2025-04-16, gpt-5-2025-08-07 \(by invitation\)/);
  });

  it('a training type the model is documented not to offer is refused', async () => {
    const report = await validateText(TRAINING, { ...rft, trainingType: 'GlobalStandard' });
    expect(errors(report).find((e) => e.code === 'unsupported_training_type')?.message).toMatch(/o4-mini-2025-04-16 cannot be trained with trainingType GlobalStandard; models that can: gpt-4o-mini/);
    const undocumented = await validateText(TRAINING, { ...rft, trainingType: 'developerTier' });
    expect(undocumented.valid).toBe(true);
  });

  it('a retired model is refused when the method is given, and warned about when it is not', async () => {
    const given = await validateText(validLines(10).join('\n'), { model: 'gpt-35-turbo-0613', method: 'supervised' });
    expect(errors(given)[0]).toMatchObject({ code: 'unsupported_method', line: null });
    expect(errors(given)[0]!.message).toMatch(/fine-tuning gpt-35-turbo-0613 is no longer offered .*retired on 2025-02-13.*models that support supervised: gpt-4o-mini-2024-07-18/);
    const detected = await validateText(validLines(10).join('\n'), { model: 'gpt-35-turbo-0613' });
    expect(detected.valid).toBe(true);
    expect(detected.files[0]!.warnings[0]).toMatchObject({ code: 'model_retired' });
  });

  it('a grader given for a supervised run is noted as unused', async () => {
    const report = await validateText([example(), ...validLines(9)].join('\n'), { method: 'supervised', grader: GRADER });
    expect(report.valid).toBe(true);
    expect(report.notes.join(' ')).toMatch(/used by reinforcement fine-tuning only/);
  });
});
