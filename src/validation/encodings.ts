import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import type { EncodingName } from './models.js';

const require = createRequire(import.meta.url);

export interface LoadedEncoding {
  readonly name: EncodingName;
  readonly tiktoken: Tiktoken;
  /** The pre-tokenizer regex source (tiktoken's `pat_str`). */
  readonly pattern: string;
  /** Rank of a byte sequence in the BPE vocabulary, if it is a token. */
  readonly rankOf: (bytes: Uint8Array) => number | undefined;
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
    const tiktoken = new Tiktoken(bpe);
    encoding = { name, tiktoken, pattern: bpe.pat_str, rankOf: rankLookup(tiktoken) };
    loaded.set(name, encoding);
  }
  return encoding;
}

/**
 * js-tiktoken keeps its vocabulary in a `rankMap` keyed by comma-joined bytes (internal, but the
 * only copy: building a second one would cost ~0.7 s and tens of MB). If a future version drops
 * it, fail loudly at load time rather than miscount.
 */
function rankLookup(tiktoken: Tiktoken): (bytes: Uint8Array) => number | undefined {
  const rankMap = (tiktoken as unknown as { rankMap?: unknown }).rankMap;
  if (!(rankMap instanceof Map)) throw new Error('js-tiktoken no longer exposes rankMap; update src/validation/encodings.ts');
  const ranks = rankMap as Map<string, number>;
  return (bytes) => ranks.get(bytes.join(','));
}
