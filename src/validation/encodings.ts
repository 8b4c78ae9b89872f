import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import type { EncodingName } from './models.js';

const require = createRequire(import.meta.url);

export interface LoadedEncoding {
  readonly name: EncodingName;
  readonly tiktoken: Tiktoken;
  /** The pre-tokenizer regex source (tiktoken's `pat_str`). */
  readonly pattern: string;
}

const loaded = new Map<EncodingName, LoadedEncoding>();

/**
 * Loads an encoding's BPE ranks once per process. Ranks are large (o200k: ~200k merges, ~0.7 s to
 * parse), so only the encodings actually used are loaded, synchronously on first use.
 */
export function loadEncoding(name: EncodingName): LoadedEncoding {
  let encoding = loaded.get(name);
  if (!encoding) {
    const ranks = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE & { default?: TiktokenBPE };
    const bpe = ranks.default ?? ranks;
    encoding = { name, tiktoken: new Tiktoken(bpe), pattern: bpe.pat_str };
    loaded.set(name, encoding);
  }
  return encoding;
}
