import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/validation/index.js';
import { validateText, validLines } from '../support/validate-text.js';

describe('example counts in the report agree with its statistics', () => {
  it('10 lines with one broken: 10 read, 9 valid, statistics over 9 — and the Markdown says so', async () => {
    const lines = validLines(9);
    lines.splice(3, 0, '{"messages": [');
    const report = await validateText(lines.join('\n'));
    const file = report.files[0]!;
    expect(file).toMatchObject({ examples: 10, validExamples: 9, measuredExamples: 9 });
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('10 examples read, 9 valid');
    expect(markdown).toContain('Statistics below cover the 9 examples that could be counted; 1 could not (see the errors).');
  });

  it('an example that is counted but has an error is read and measured, not valid', async () => {
    const lines = validLines(10);
    lines[2] = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', weight: 0.5 }] });
    const file = (await validateText(lines.join('\n'))).files[0]!;
    expect(file).toMatchObject({ examples: 10, validExamples: 9, measuredExamples: 10 });
  });

  it('all valid: no statistics caveat', async () => {
    const report = await validateText(validLines(10).join('\n'));
    expect(report.files[0]).toMatchObject({ examples: 10, validExamples: 10, measuredExamples: 10 });
    expect(renderMarkdown(report)).not.toContain('Statistics below cover');
  });
});
