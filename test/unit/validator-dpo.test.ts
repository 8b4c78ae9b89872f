import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, ValidationReport } from '../../src/validation/index.js';
import { METHODS_DIR } from '../support/paths.js';
import { plainCount } from '../support/reference-tiktoken.js';
import { validateText } from '../support/validate-text.js';

const TRAINING = readFileSync(path.join(METHODS_DIR, 'preference.jsonl'), 'utf8');
const VALIDATION = readFileSync(path.join(METHODS_DIR, 'preference.validation.jsonl'), 'utf8');
const LINES = TRAINING.trimEnd().split('\n');
const DPO_MODEL = 'gpt-4.1-mini-2025-04-14';

/** The training file with line `at` (1-based) replaced by `line`. */
function withLine(line: unknown, at = 4): string {
  const lines = [...LINES];
  lines[at - 1] = typeof line === 'string' ? line : JSON.stringify(line);
  return `${lines.join('\n')}\n`;
}

const errors = (r: ValidationReport): Finding[] => r.files[0]!.errors;
const warnings = (r: ValidationReport): Finding[] => r.files[0]!.warnings;
const good = JSON.parse(LINES[0]!) as { input: { messages: unknown[] }; preferred_output: unknown[]; non_preferred_output: unknown[] };

/**
 * The cookbook formula, computed with js-tiktoken's own encode: 3 tokens per message plus its
 * string values (a name 1 more), 3 to prime the reply; a DPO pair is the input followed by one output.
 */
function cookbook(messages: Array<Record<string, string>>, primed: boolean): number {
  let n = primed ? 3 : 0;
  for (const m of messages) {
    n += 3;
    for (const [key, value] of Object.entries(m)) {
      n += plainCount('o200k_base', value);
      if (key === 'name') n += 1;
    }
  }
  return n;
}

describe('preference (DPO) data', () => {
  it('the sample dataset is valid for a DPO model; the method is detected and said so', async () => {
    const report = await validateText(TRAINING, { model: DPO_MODEL, validation: VALIDATION });
    expect(report.valid).toBe(true);
    expect(report.method).toBe('dpo');
    expect(report.methodSource).toBe('detected');
    expect(report.notes.join(' ')).toMatch(/method not given: validated as dpo/);
    expect(report.files.map((f) => f.examples)).toEqual([10, 5]);
    expect(report.files[0]!.statistics.map((s) => s.label)).toEqual([
      'total tokens (input + both outputs)',
      'input tokens',
      'preferred output tokens',
      'non-preferred output tokens',
      'input + longer output',
      'input messages',
    ]);
  });

  it('token counts equal js-tiktoken encode under the cookbook formula, per line', async () => {
    // Name and tool-free lines with varied text, including a special-token look-alike.
    const lines = LINES.map((l, i) => {
      const x = JSON.parse(l) as typeof good;
      if (i === 2) (x.preferred_output[0] as Record<string, string>)['content'] = 'Ünïcödé <|endoftext|> 🚀 and more words';
      if (i === 3) x.non_preferred_output.push({ role: 'assistant', content: 'A second turn.', name: 'bot' });
      return x;
    });
    const report = await validateText(lines.map((l) => JSON.stringify(l)).join('\n'), { model: DPO_MODEL, method: 'dpo' });
    expect(report.valid).toBe(true);
    const expected = lines.map((l) => {
      const input = cookbook(l.input.messages as Array<Record<string, string>>, true);
      const preferred = cookbook(l.preferred_output as Array<Record<string, string>>, false);
      const nonPreferred = cookbook(l.non_preferred_output as Array<Record<string, string>>, false);
      return { input, preferred, nonPreferred, total: input + preferred + nonPreferred, longer: input + Math.max(preferred, nonPreferred) };
    });
    const [total, input, preferred, nonPreferred, longer] = report.files[0]!.statistics.map((s) => s.summary);
    const sum = (k: keyof (typeof expected)[number]): number => expected.reduce((n, e) => n + e[k], 0);
    const max = (k: keyof (typeof expected)[number]): number => Math.max(...expected.map((e) => e[k]));
    expect([total!.sum, input!.sum, preferred!.sum, nonPreferred!.sum, longer!.sum]).toEqual([sum('total'), sum('input'), sum('preferred'), sum('nonPreferred'), sum('longer')]);
    expect([total!.max, preferred!.max, nonPreferred!.max, longer!.max]).toEqual([max('total'), max('preferred'), max('nonPreferred'), max('longer')]);
    // Billed tokens per epoch: the input once plus both outputs.
    expect(report.estimate.tokensPerEpoch).toBe(sum('total'));
  });

  it('each pair (input + one output) is held to the model limit', async () => {
    const long = { ...good, non_preferred_output: [{ role: 'assistant', content: 'very '.repeat(60) }] };
    const report = await validateText(withLine(long, 7), { model: DPO_MODEL, method: 'dpo', maxExampleTokens: 60 });
    const found = errors(report).filter((e) => e.code === 'too_many_tokens');
    expect(found).toEqual([expect.objectContaining({ line: 7 })]);
    expect(found[0]!.message).toMatch(/tokens \(input \+ longer output\); gpt-4\.1-mini-2025-04-14 trains on at most 60/);
  });

  const malformed: Array<[string, unknown, string, string]> = [
    ['no input', { preferred_output: good.preferred_output, non_preferred_output: good.non_preferred_output }, 'dpo_invalid_input', 'input'],
    ['input without messages', { ...good, input: { messages: [] } }, 'dpo_invalid_input', 'input.messages'],
    ['input ending with an assistant message', { ...good, input: { messages: [...good.input.messages, { role: 'assistant', content: 'x' }] } }, 'dpo_invalid_input', 'input.messages[2].role'],
    ['no non-preferred output', { input: good.input, preferred_output: good.preferred_output }, 'dpo_invalid_output', 'non_preferred_output'],
    ['output with a user message', { ...good, preferred_output: [{ role: 'user', content: 'hi' }] }, 'dpo_invalid_output', 'preferred_output[0].role'],
    ['output with only a tool message', { ...good, preferred_output: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] }, 'dpo_invalid_output', 'preferred_output'],
    ['empty content in an output', { ...good, non_preferred_output: [{ role: 'assistant', content: '' }] }, 'missing_content', 'non_preferred_output[0].content'],
    ['unknown role in the input', { ...good, input: { messages: [{ role: 'bot', content: 'x' }, ...good.input.messages] } }, 'unrecognized_role', 'input.messages[0].role'],
    ['bad tool definition in the input', { ...good, input: { ...good.input, tools: [{ type: 'function', function: {} }] } }, 'invalid_tool_call', 'input.tools[0].function.name'],
  ];

  it.each(malformed)('%s → %s at its line and field', async (_name, line, code, field) => {
    const report = await validateText(withLine(line, 4), { model: DPO_MODEL, method: 'dpo' });
    expect(report.valid).toBe(false);
    const found = errors(report).filter((e) => e.code === code);
    expect(found, JSON.stringify(errors(report))).toEqual([expect.objectContaining({ line: 4, field })]);
  });

  it('tool replies in an output answer the tool calls of the input', async () => {
    const call = { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'capital', arguments: '{"country":"Peru"}' } }] };
    const tools = [{ type: 'function', function: { name: 'capital', parameters: { type: 'object' } } }];
    const ok = {
      input: { messages: [...good.input.messages, call], tools },
      preferred_output: [{ role: 'tool', tool_call_id: 'c1', content: 'Lima' }, { role: 'assistant', content: 'Lima.' }],
      non_preferred_output: [{ role: 'tool', tool_call_id: 'c9', content: 'Lima' }, { role: 'assistant', content: 'No idea.' }],
    };
    // The input may end with the assistant's tool call: the outputs go on with the tool's reply.
    const report = await validateText(withLine(ok, 3), { model: DPO_MODEL, method: 'dpo' });
    expect(errors(report)).toEqual([
      expect.objectContaining({ code: 'invalid_tool_call', line: 3, field: 'non_preferred_output[0].tool_call_id' }),
    ]);
  });

  it('an input finding is reported once, not once per output', async () => {
    const bad = { ...good, input: { messages: [{ role: 'user', content: '' }] } };
    const report = await validateText(withLine(bad, 2), { model: DPO_MODEL, method: 'dpo' });
    expect(errors(report).filter((e) => e.code === 'missing_content')).toEqual([expect.objectContaining({ line: 2, field: 'input.messages[0].content' })]);
  });

  it('identical outputs and unknown keys are warnings', async () => {
    const same = { ...good, non_preferred_output: good.preferred_output, extra: 1 };
    const report = await validateText(withLine(same, 5), { model: DPO_MODEL, method: 'dpo' });
    expect(report.valid).toBe(true);
    expect(warnings(report)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'dpo_identical_outputs', line: 5, field: 'non_preferred_output' }),
        expect.objectContaining({ code: 'unrecognized_example_key', line: 5, field: 'extra' }),
      ]),
    );
  });

  it('a model without DPO is refused before upload, naming the models that have it', async () => {
    const report = await validateText(TRAINING, { model: 'gpt-4o-mini', method: 'dpo' });
    expect(report.valid).toBe(false);
    const [refusal] = errors(report).filter((e) => e.code === 'unsupported_method');
    expect(refusal?.message).toMatch(/gpt-4o-mini-2024-07-18 does not support dpo fine-tuning \(it supports supervised\); models that support dpo: gpt-4o-2024-08-06, gpt-4\.1-2025-04-14/);
  });

  it('preference lines under another method are a method_mismatch, and vice versa', async () => {
    const asSupervised = await validateText(TRAINING, { model: DPO_MODEL, method: 'supervised' });
    expect(errors(asSupervised)[0]).toMatchObject({ code: 'method_mismatch', line: 1 });
    expect(errors(asSupervised)[0]!.message).toMatch(/say method dpo/);
    const chat = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] });
    const asDpo = await validateText(Array.from({ length: 10 }, () => chat).join('\n'), { model: DPO_MODEL, method: 'dpo' });
    expect(errors(asDpo).find((e) => e.code === 'method_mismatch')).toMatchObject({ line: 1 });
  });
});
