import { createRequire } from 'node:module';
import type { TiktokenBPE } from 'js-tiktoken/lite';
import type { EncodingName } from './models.js';

const require = createRequire(import.meta.url);

export interface LoadedEncoding {
  readonly name: EncodingName;
  /** The pre-tokenizer regex source (tiktoken's `pat_str`). */
  readonly pattern: string;
  /**
   * Rank of a byte sequence in the vocabulary, or undefined if it is not a token. The bytes are
   * given as a "byte string": one char per byte (latin1), so an ASCII piece is its own key.
   */
  readonly rankOf: (byteString: string) => number | undefined;
}

const loaded = new Map<EncodingName, LoadedEncoding>();

/** js-tiktoken's rank data (the BPE vocabulary shipped in the package) for an encoding. */
export function ranksOf(name: EncodingName): TiktokenBPE {
  const ranks = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE & { default?: TiktokenBPE };
  return ranks.default ?? ranks;
}

/**
 * Loads an encoding's vocabulary once per process into one Map keyed by byte strings. This is
 * all counting needs: js-tiktoken's own `Tiktoken` also builds a decoding table and comma-joined
 * keys, which cost ~150 MB and ~0.5 s for o200k_base.
 */
export function loadEncoding(name: EncodingName): LoadedEncoding {
  let encoding = loaded.get(name);
  if (!encoding) {
    const bpe = ranksOf(name);
    const ranks = parseRanks(bpe.bpe_ranks);
    encoding = { name, pattern: bpe.pat_str, rankOf: (bytes) => ranks.get(bytes) };
    loaded.set(name, encoding);
  }
  return encoding;
}

/** The compressed rank format js-tiktoken ships: lines of `<tag> <first rank> <base64 token>…`. */
function parseRanks(compressed: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of compressed.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const first = Number.parseInt(fields[1]!, 10);
    for (let i = 2; i < fields.length; i++) ranks.set(Buffer.from(fields[i]!, 'base64').toString('latin1'), first + i - 2);
  }
  return ranks;
}
