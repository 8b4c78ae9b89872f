import { describe, expect, it } from 'vitest';
import type { Finding, ValidationReport } from '../../src/validation/index.js';
import { example, validateText, validLines } from '../support/validate-text.js';

/** Ten valid lines with `bad` placed at line `at` (1-based). */
function fileWith(bad: string, at = 4, total = 11): string {
  const lines = validLines(total - 1);
  lines.splice(at - 1, 0, bad);
  return lines.join('\n') + '\n';
}

function errors(report: ValidationReport): Finding[] {
  return report.files[0]!.errors;
}
function warnings(report: ValidationReport): Finding[] {
  return report.files[0]!.warnings;
}

const msg = (role: string, content: unknown, extra: Record<string, unknown> = {}) => ({ role, content, ...extra });

describe('error codes: each makes the file invalid and names the line and field', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['invalid_json', '{"messages": [', undefined],
    ['data_type', '["not", "an", "object"]', undefined],
    ['missing_messages_list', JSON.stringify({ prompt: 'x', completion: 'y' }), 'messages'],
    ['message_missing_key', JSON.stringify({ messages: [{ content: 'hi' }, msg('assistant', 'a')] }), 'messages[0].role'],
    ['message_unrecognized_key', JSON.stringify({ messages: [msg('user', 'q', { mood: 'x' }), msg('assistant', 'a')] }), 'messages[0].mood'],
    ['unrecognized_role', JSON.stringify({ messages: [msg('bot', 'q'), msg('assistant', 'a')] }), 'messages[0].role'],
    ['missing_content', JSON.stringify({ messages: [msg('user', ''), msg('assistant', 'a')] }), 'messages[0].content'],
    ['example_missing_assistant_message', JSON.stringify({ messages: [msg('system', 's'), msg('user', 'q')] }), 'messages'],
    ['invalid_weight', JSON.stringify({ messages: [msg('user', 'q'), msg('assistant', 'a', { weight: 0.5 })] }), 'messages[1].weight'],
    [
      'invalid_tool_call',
      JSON.stringify({ messages: [msg('user', 'q'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }),
      'messages[1].tool_calls[0].function.arguments',
    ],
  ];

  it.each(cases)('%s', async (code, line, field) => {
    const report = await validateText(fileWith(line, 4));
    expect(report.valid).toBe(false);
    const found = errors(report).filter((f) => f.code === code);
    expect(found, JSON.stringify(errors(report))).toHaveLength(1);
    expect(found[0]!.line).toBe(4);
    if (field) expect(found[0]!.field).toBe(field);
    expect(found[0]!.message.length).toBeGreaterThan(5);
  });

  it('message_missing_key: content missing', async () => {
    const report = await validateText(fileWith(JSON.stringify({ messages: [{ role: 'user' }, msg('assistant', 'a')] }), 2));
    expect(errors(report)).toContainEqual(expect.objectContaining({ code: 'message_missing_key', line: 2, field: 'messages[0].content' }));
  });

  it('message_missing_key: a tool message without tool_call_id', async () => {
    const line = JSON.stringify({
      messages: [
        msg('user', 'weather?'),
        { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
        msg('tool', 'sunny'),
        msg('assistant', 'It is sunny.'),
      ],
    });
    const report = await validateText(fileWith(line, 6));
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'message_missing_key', line: 6, field: 'messages[2].tool_call_id' })]);
  });

  it('invalid_utf8', async () => {
    const good = Buffer.from(validLines(10).join('\n') + '\n');
    const bad = Buffer.concat([good, Buffer.from('{"messages": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const report = await validateText(bad);
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'invalid_utf8', line: 11 })]);
    expect(errors(report)[0]!.message).toContain('byte 0xc3 at column 18');
  });

  it('too_many_tokens, against the base model limit', async () => {
    const long = example('word '.repeat(5000), 'ok');
    const report = await validateText(fileWith(long, 3), { model: 'gpt-35-turbo-0613' });
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'too_many_tokens', line: 3 })]);
    expect(errors(report)[0]!.message).toMatch(/\d+ tokens; gpt-35-turbo-0613 trains on at most 4096/);
    expect(report.files[0]!.tooLong).toBe(1);
    // The same example is fine for a model with a larger context.
    expect((await validateText(fileWith(long, 3), { model: 'gpt-4o-mini' })).valid).toBe(true);
  });

  it('too_few_examples, with a null line', async () => {
    const report = await validateText(validLines(9).join('\n'));
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'too_few_examples', line: null })]);
  });

  it('file_too_large, with a null line', async () => {
    const text = validLines(10).join('\n');
    const report = await validateText(text, { maxFileBytes: 100 });
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'file_too_large', line: null })]);
    expect(errors(report)[0]!.message).toContain(`${Buffer.byteLength(text)} bytes`);
  });

  it('file_too_large from the size alone, without reading the file', async () => {
    const neverRead = {
      // eslint-disable-next-line require-yield
      async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
        throw new Error('an oversized file must not be read');
      },
    };
    const { validateDataset } = await import('../../src/validation/index.js');
    const report = await validateDataset({ source: neverRead, path: 'huge.jsonl', size: 600 * 1024 * 1024 }, undefined, {});
    expect(report.valid).toBe(false);
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'file_too_large', line: null })]);
    expect(errors(report)[0]!.message).toContain(`${600 * 1024 * 1024} bytes`);
    expect(report.files[0]!.notes).toEqual(['not read: the file is over the size limit']);
  });

  it('empty_file (and not also too_few_examples)', async () => {
    for (const content of ['', '\n\n  \n']) {
      const report = await validateText(content);
      expect(errors(report).map((e) => e.code)).toEqual(['empty_file']);
    }
  });

  it('line_too_long: an oversized line is reported without being held in memory', async () => {
    const report = await validateText(fileWith(`{"messages": "${'x'.repeat(5000)}"}`, 5), { maxLineBytes: 1000 });
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'line_too_long', line: 5 })]);
  });
});

describe('warning codes: reported with their line, the file stays valid', () => {
  it('blank_line', async () => {
    const lines = validLines(10);
    lines.splice(2, 0, '   ');
    const report = await validateText(lines.join('\n'));
    expect(report.valid).toBe(true);
    expect(warnings(report)).toEqual([expect.objectContaining({ code: 'blank_line', line: 3 })]);
    expect(report.files[0]!.examples).toBe(10);
  });

  it('missing_system_message and missing_user_message', async () => {
    const line = JSON.stringify({ messages: [msg('assistant', 'Hello there!')] });
    const report = await validateText(fileWith(line, 7));
    expect(report.valid).toBe(true);
    expect(warnings(report).map((w) => [w.code, w.line])).toEqual([
      ['missing_system_message', 7],
      ['missing_user_message', 7],
    ]);
  });

  it('duplicate_example points at the first occurrence', async () => {
    const lines = validLines(10);
    lines.push(lines[1]!);
    const report = await validateText(lines.join('\n'));
    expect(warnings(report)).toEqual([expect.objectContaining({ code: 'duplicate_example', line: 11, message: 'same example as line 2' })]);
  });

  it('reports how duplicates were checked and the bound on false duplicates', async () => {
    const report = await validateText(validLines(12).join('\n'));
    const check = report.files[0]!.duplicateCheck;
    expect(check).toEqual({ distinct: 12, notRemembered: 0, falseDuplicateBound: 144 / 2 ** 65 });
  });

  it('train_validation_overlap names the training line', async () => {
    const training = validLines(10);
    const validation = [example('Something else?', 'Yes.'), training[4]!];
    const report = await validateText(training.join('\n'), { validation: validation.join('\n') });
    expect(report.valid).toBe(true);
    expect(report.files[1]!.warnings).toEqual([
      expect.objectContaining({ code: 'train_validation_overlap', line: 2, message: 'same example as training line 5' }),
    ]);
  });

  it('unrecognized_example_key', async () => {
    const report = await validateText(fileWith(example('q', 'a', { metadata: { id: 1 } }), 2));
    expect(report.valid).toBe(true);
    expect(warnings(report)).toEqual([expect.objectContaining({ code: 'unrecognized_example_key', line: 2, field: 'metadata' })]);
  });
});

describe('valid shapes that must not be flagged', () => {
  it('tool calling: tools, assistant tool_calls without content, tool replies, parallel_tool_calls', async () => {
    const line = JSON.stringify({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      parallel_tool_calls: false,
      messages: [
        msg('system', 'You call tools.'),
        msg('user', 'Weather in Paris?'),
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' },
        msg('assistant', 'It is 21 degrees in Paris.', { weight: 1 }),
      ],
    });
    const report = await validateText(fileWith(line, 1));
    expect(report.files[0]!.errors).toEqual([]);
    expect(report.files[0]!.warnings).toEqual([]);
  });

  it('legacy function calling and content parts', async () => {
    const line = JSON.stringify({
      functions: [{ name: 'lookup', parameters: { type: 'object' } }],
      messages: [
        msg('system', 's'),
        msg('user', [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]),
        { role: 'assistant', function_call: { name: 'lookup', arguments: '{}' } },
        { role: 'function', name: 'lookup', content: 'result' },
        msg('assistant', [{ type: 'text', text: 'Done.' }], { weight: 0 }),
      ],
    });
    const report = await validateText(fileWith(line, 1));
    expect(report.files[0]!.errors).toEqual([]);
  });
});

describe('errors are capped per file with a count of the rest', () => {
  it('keeps maxErrors findings and counts all', async () => {
    const lines = Array.from({ length: 30 }, () => '{broken');
    const report = await validateText(lines.join('\n'), { maxErrors: 5 });
    expect(errors(report)).toHaveLength(5);
    expect(report.files[0]!.errorCount).toBe(30);
    expect(errors(report).map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
