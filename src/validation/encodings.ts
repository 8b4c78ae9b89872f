import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TiktokenBPE } from 'js-tiktoken/lite';
import type { EncodingName } from './models.js';
import { VocabTable } from './vocab-table.js';

const require = createRequire(import.meta.url);

/**
 * tiktoken's pre-tokenizer regexes (`pat_str`) exactly as js-tiktoken ships them. Kept here so a
 * process never loads js-tiktoken's 2–3 MB rank module just for them; a unit test proves these
 * equal js-tiktoken's, and the hand-written scanners in pretokenize.ts are fuzzed against them.
 */
const CONTRACTION = "'s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D";
export const PATTERNS: Readonly<Record<EncodingName, string>> = {
  o200k_base:
    `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(${CONTRACTION})?` +
    `|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(${CONTRACTION})?` +
    `|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
  cl100k_base: `(${CONTRACTION})|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
};

export interface LoadedEncoding {
  readonly name: EncodingName;
  /** The pre-tokenizer regex source (tiktoken's `pat_str`). */
  readonly pattern: string;
  /** The vocabulary: token bytes → rank. */
  readonly vocab: VocabTable;
}

const loaded = new Map<EncodingName, LoadedEncoding>();

/** js-tiktoken's rank data (the BPE vocabulary shipped in the package) for an encoding. */
export function ranksOf(name: EncodingName): TiktokenBPE {
  const ranks = require(`js-tiktoken/ranks/${name}`) as TiktokenBPE & { default?: TiktokenBPE };
  return ranks.default ?? ranks;
}

/**
 * Where `npm run build` puts an encoding's precomputed table: dist/vocab/<name>.bin, next to the
 * compiled dist/src/. Run from the TypeScript sources (tests) the file is absent and the table is
 * built in memory from js-tiktoken's ranks instead — same content, slower start.
 */
export function vocabTablePath(name: EncodingName): string {
  return fileURLToPath(new URL(`../../vocab/${name}.bin`, import.meta.url));
}

/** Loads an encoding's vocabulary once per process: one file read when the build made it. */
export function loadEncoding(name: EncodingName): LoadedEncoding {
  let encoding = loaded.get(name);
  if (!encoding) {
    const file = vocabTablePath(name);
    const vocab = existsSync(file) ? VocabTable.fromFile(file) : buildVocabTable(name);
    encoding = { name, pattern: PATTERNS[name], vocab };
    loaded.set(name, encoding);
  }
  return encoding;
}

/** The table from js-tiktoken's rank data: what the build writes, and the fallback without it. */
export function buildVocabTable(name: EncodingName): VocabTable {
  return VocabTable.build(parseRanks(ranksOf(name).bpe_ranks));
}

/** The compressed rank format js-tiktoken ships: lines of `<tag> <first rank> <base64 token>…`. */
export function parseRanks(compressed: string): Array<[Uint8Array, number]> {
  const tokens: Array<[Uint8Array, number]> = [];
  for (const line of compressed.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const first = Number.parseInt(fields[1]!, 10);
    for (let i = 2; i < fields.length; i++) tokens.push([Buffer.from(fields[i]!, 'base64'), first + i - 2]);
  }
  return tokens;
}
