/**
 * The token counters the benchmarks compare, behind one signature: ftpipe's TokenCounter and the
 * two peers a user would otherwise reach for — `gpt-tokenizer` (pure JavaScript) and `tiktoken`
 * (OpenAI's Rust core compiled to WebAssembly). Each counts plain text: no special tokens.
 */
import { TokenCounter } from '../src/validation/token-counter.js';
import type { EncodingName } from '../src/validation/models.js';

export const TOKENIZERS = ['ftpipe', 'gpt-tokenizer', 'tiktoken'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];
export const PEERS = TOKENIZERS.filter((t) => t !== 'ftpipe');

export type Count = (text: string) => number;

export async function loadTokenizer(name: TokenizerName, encoding: EncodingName): Promise<Count> {
  switch (name) {
    case 'ftpipe': {
      const counter = new TokenCounter(encoding);
      return (text) => counter.count(text);
    }
    case 'gpt-tokenizer': {
      const module = (await import(`gpt-tokenizer/encoding/${encoding}`)) as { countTokens(text: string): number };
      return (text) => module.countTokens(text);
    }
    case 'tiktoken': {
      const { get_encoding } = await import('tiktoken');
      const tiktoken = get_encoding(encoding);
      return (text) => tiktoken.encode_ordinary(text).length;
    }
  }
}

/** The OpenAI cookbook's chat count: 3 per example, 3 per message, its values' tokens, 1 per name. */
export function countExample(example: { messages?: unknown }, count: Count): number {
  let tokens = 3;
  for (const message of (example.messages ?? []) as Array<Record<string, unknown>>) {
    tokens += 3;
    for (const [key, value] of Object.entries(message)) {
      if (typeof value === 'string') tokens += count(value);
      if (key === 'name') tokens += 1;
    }
  }
  return tokens;
}
