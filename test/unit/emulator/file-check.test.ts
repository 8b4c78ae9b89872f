import { describe, expect, it } from 'vitest';
import { checkFineTuneFile, FileChecker } from '../../../dev/aoai-emulator/file-check.js';

const good = (text: string) => JSON.stringify({ messages: [{ role: 'user', content: text }, { role: 'assistant', content: `${text}!` }] });

describe("the emulator's own file check", () => {
  it('gives the same verdict however the bytes are chunked, even inside a multi-byte character', () => {
    const text = `${good('héllo wörld 🙂')}\n${good('second')}\n{"messages": [{"role": "robot", "content": "x"}]}\nnot json\n`;
    const whole = checkFineTuneFile(Buffer.from(text));
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, 64]) {
      const checker = new FileChecker();
      for (let i = 0; i < bytes.length; i += size) checker.push(bytes.subarray(i, i + size));
      expect(checker.finish()).toEqual(whole);
    }
    expect(whole.examples).toBe(2);
    expect(whole.problem).toBe('Validation of jsonl file failed: line 3: messages[0].role must be one of system, developer, user, assistant, tool; line 4: not valid JSON.');
  });

  it('refuses invalid UTF-8, an empty file and mixed formats; counts chat examples without an assistant turn', () => {
    expect(checkFineTuneFile(Buffer.from([0x7b, 0xff, 0x7d, 0x0a])).problem).toMatch(/not valid UTF-8/);
    expect(checkFineTuneFile(Buffer.from('\n\n')).problem).toMatch(/the file has no examples/);
    const dpo = JSON.stringify({ input: { messages: [{ role: 'user', content: 'q' }] }, preferred_output: [{ role: 'assistant', content: 'a' }], non_preferred_output: [{ role: 'assistant', content: 'b' }] });
    expect(checkFineTuneFile(Buffer.from(`${dpo}\n`)).format).toBe('preference');
    expect(checkFineTuneFile(Buffer.from(`${dpo}\n${good('x')}\n`)).problem).toMatch(/mix the chat and the preference/);
    const noAnswer = JSON.stringify({ messages: [{ role: 'user', content: 'q' }] });
    expect(checkFineTuneFile(Buffer.from(`${noAnswer}\n${good('x')}`))).toMatchObject({ problem: null, examples: 2, withoutAssistant: 1 });
  });
});
