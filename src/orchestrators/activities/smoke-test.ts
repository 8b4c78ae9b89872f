import * as df from 'durable-functions';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const SMOKE_TEST = 'smokeTest';
export interface SmokeTestInput {
  deployment: string;
  /** Snapshot whose first example supplies the prompt (the validation file if any). */
  exampleSnapshot?: string;
}
export interface SmokeTestResult {
  prompt: string;
  reply: string;
}

const FALLBACK: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello! Reply with one short sentence.' }];
/** The first example is read from the first bytes only. */
const FIRST_LINE_BYTES = 256 * 1024;

/** The prompt: the first example's messages, without its final assistant answer (what the model should say). */
export function promptFromExample(line: string | undefined): ChatCompletionMessageParam[] {
  try {
    const example = JSON.parse(line ?? '') as { messages?: Array<Record<string, unknown>> };
    const messages = (example.messages ?? []).map(({ weight: _weight, ...m }) => m);
    if (messages.at(-1)?.['role'] === 'assistant') messages.pop();
    return messages.length > 0 ? (messages as unknown as ChatCompletionMessageParam[]) : FALLBACK;
  } catch {
    return FALLBACK;
  }
}

/** One chat completion on the new deployment: proves it answers before the run is called a success. */
df.app.activity(SMOKE_TEST, {
  handler: (input: SmokeTestInput) =>
    runActivity(async (): Promise<SmokeTestResult> => {
      const { openai, storage } = getServices();
      let firstLine: string | undefined;
      if (input.exampleSnapshot) {
        const blob = storage.runs.getBlobClient(input.exampleSnapshot);
        const size = (await blob.getProperties()).contentLength ?? 0;
        const head = size > 0 ? await blob.downloadToBuffer(0, Math.min(size, FIRST_LINE_BYTES)) : Buffer.alloc(0);
        firstLine = head.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '');
      }
      const messages = promptFromExample(firstLine);
      const completion = await openai.chat.completions.create({ model: input.deployment, messages, max_tokens: 64 });
      const last = messages.at(-1);
      return {
        prompt: typeof last?.content === 'string' ? last.content.slice(0, 200) : '',
        reply: (completion.choices[0]?.message.content ?? '').slice(0, 200),
      };
    }),
});
