import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDataset } from '../../src/validation/index.js';
import { plainCount } from '../support/reference-tiktoken.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { validateText } from '../support/validate-text.js';

type Message = Record<string, string>;

/** The OpenAI cookbook's num_tokens_from_messages with js-tiktoken's plain encode: the reference. */
function cookbookTokens(file: string, encoding: 'o200k_base' | 'cl100k_base'): { total: number[]; assistant: number[] } {
  const encode = (s: string) => plainCount(encoding, s);
  const total: number[] = [];
  const assistant: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n').filter((l) => l.trim())) {
    const messages = (JSON.parse(line) as { messages: Message[] }).messages;
    let t = 3;
    let a = 0;
    for (const message of messages) {
      t += 3;
      for (const [key, value] of Object.entries(message)) {
        t += encode(value);
        if (key === 'name') t += 1;
      }
      if (message['role'] === 'assistant') a += encode(message['content']!);
    }
    total.push(t);
    assistant.push(a);
  }
  return { total, assistant };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('the lab datasets (test/fixtures/lab)', () => {
  it.each(['o200k_base', 'cl100k_base'] as const)('are valid, with token sums equal to plain encode (%s)', async (encoding) => {
    const model = encoding === 'o200k_base' ? 'gpt-4o-mini-2024-07-18' : 'gpt-35-turbo-0125';
    const report = await validateDataset(
      { source: createReadStream(LAB_TRAINING), path: LAB_TRAINING },
      { source: createReadStream(LAB_VALIDATION), path: LAB_VALIDATION },
      { model },
    );
    expect(report.valid).toBe(true);
    expect(report.encoding).toBe(encoding);
    const [training, validation] = report.files;
    for (const [file, path] of [[training!, LAB_TRAINING], [validation!, LAB_VALIDATION]] as const) {
      const expected = cookbookTokens(path, encoding);
      expect(file.examples).toBe(10);
      expect(file.errors).toEqual([]);
      // gpt-35-turbo (the cl100k_base model) is retired for fine-tuning: said once, on the training file.
      expect(file.warnings.map((w) => w.code)).toEqual(encoding === 'cl100k_base' && file === training ? ['model_retired'] : []);
      expect(file.tokens.total.sum).toBe(sum(expected.total));
      expect(file.tokens.total.min).toBe(Math.min(...expected.total));
      expect(file.tokens.total.max).toBe(Math.max(...expected.total));
      expect(file.tokens.assistant.sum).toBe(sum(expected.assistant));
      expect(file.messages).toMatchObject({ min: 3, max: 3, sum: 30 });
    }
    // 10 examples → the service trains 10 epochs (cookbook); billed = epochs × training tokens.
    expect(report.estimate).toEqual({ epochs: 10, tokensPerEpoch: training!.tokens.total.sum, billedTokens: 10 * training!.tokens.total.sum });
  });

  it('gives identical results with a BOM, CRLF line ends and a final newline', async () => {
    const original = readFileSync(LAB_TRAINING);
    const plain = await validateText(original);
    const variant = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(original.toString('utf8').replace(/\n/g, '\r\n') + '\r\n')]);
    const report = await validateText(variant);
    expect(report.valid).toBe(true);
    expect(report.files[0]!.warnings).toEqual([]);
    expect(report.files[0]!.tokens).toEqual(plain.files[0]!.tokens);
    expect(report.files[0]!.examples).toBe(10);
  });

  it('counts special-token look-alikes in content as ordinary text', async () => {
    const lines = readFileSync(LAB_TRAINING, 'utf8').split('\n');
    const withSpecial = lines.map((l, i) => (i === 0 ? l.replace('Antarctica?', 'Antarctica? <|endoftext|><|fim_prefix|>') : l)).join('\n');
    const before = await validateText(lines.join('\n'));
    const after = await validateText(withSpecial);
    expect(after.valid).toBe(true);
    const added = plainCount('o200k_base', 'Antarctica? <|endoftext|><|fim_prefix|>') - plainCount('o200k_base', 'Antarctica?');
    expect(added).toBeGreaterThan(2);
    expect(after.files[0]!.tokens.total.sum - before.files[0]!.tokens.total.sum).toBe(added);
  });
});
