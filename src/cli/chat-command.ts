/**
 * `ftpipe chat <alias>`: an interactive chat with a fine-tuned model through the app's
 * OpenAI-compatible endpoint, with the official `openai` client, streaming each answer as it is
 * generated. Lines from a pipe work too (one message per line), so scripts can use it.
 */
import { createInterface } from 'node:readline/promises';
import OpenAI from 'openai';
import { AppClient, type RemoteOptions } from './app-client.js';

export interface ChatOptions extends RemoteOptions {
  system?: string;
  maxTokens?: number;
}

export async function chatCommand(alias: string, options: ChatOptions): Promise<number> {
  const app = new AppClient(options);
  const client = new OpenAI({
    baseURL: `${app.baseUrl}/api/v1`,
    // The app authenticates with its function key (header); the client insists on some API key.
    apiKey: app.key ?? 'not-used',
    defaultHeaders: app.headers,
    maxRetries: 1,
  });
  const interactive = Boolean(process.stdin.isTTY);
  const history: OpenAI.Chat.ChatCompletionMessageParam[] = options.system ? [{ role: 'system', content: options.system }] : [];
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  if (interactive) process.stdout.write(`Chatting with ${alias} at ${app.baseUrl}. Empty line or Ctrl-D to quit.\n`);
  // The async iterator buffers lines, so piped input is not lost while an answer streams.
  const input = lines[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (interactive) {
        lines.setPrompt('you> ');
        lines.prompt();
      }
      const { value: next, done } = await input.next();
      if (done || next === undefined || (interactive && next.trim() === '')) break;
      if (next.trim() === '') continue;
      history.push({ role: 'user', content: next });
      if (interactive) process.stdout.write(`${alias}> `);
      const stream = await client.chat.completions.create({ model: alias, messages: history, stream: true, ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}) });
      let answer = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content ?? '';
        answer += delta;
        process.stdout.write(delta);
      }
      process.stdout.write('\n');
      history.push({ role: 'assistant', content: answer });
    }
  } finally {
    lines.close();
  }
  return 0;
}
