import { countMergedTokens } from './bpe-merge.js';
import { loadEncoding } from './encodings.js';
import type { EncodingName } from './models.js';
import { PieceTable } from './piece-table.js';
import { nextPieceEndCl100k, nextPieceEndO200k } from './pretokenize.js';
import { hashBytes, type VocabTable } from './vocab-table.js';

/**
 * Default bound of the cache of pieces that are not single tokens (~3.5 MB with its key arena):
 * most pieces are found in the vocabulary directly, so this many distinct others is ample, and a
 * small table is quick to allocate at start.
 */
export const DEFAULT_PIECE_CACHE_ENTRIES = 65_536;
/** Whole strings at least this long are remembered: system prompts and tool schemas repeat verbatim. */
const MEMO_MIN_CHARS = 48;
/** Bound of the remembered strings, in characters (≤ 16 MB as UTF-16); past it the memo starts over. */
const MEMO_MAX_CHARS = 8_000_000;

/**
 * Counts tokens exactly as js-tiktoken's `encode(text, [], []).length` would — special-token
 * look-alikes such as `<|endoftext|>` are ordinary text and never throw — but much faster.
 *
 * The text is encoded to UTF-8 once into a reused buffer, and everything after works on byte
 * ranges of it without making strings: an exact hand-written pre-tokenizer (pretokenize.ts)
 * finds each piece, the piece's bytes are hashed and looked up in the precomputed vocabulary
 * table (a piece that is a token counts 1), and only pieces that are not tokens go through the
 * byte-pair merge, whose result is cached per distinct piece. BPE runs on each piece
 * independently, so the count of a text is the sum of its pieces' counts.
 */
export class TokenCounter {
  readonly encoding: EncodingName;
  private readonly vocab: VocabTable;
  private readonly nextPieceEnd: (b: Uint8Array, i: number, n: number) => number;
  private readonly cache: PieceTable;
  private readonly memo = new Map<string, number>();
  private memoChars = 0;
  private buffer = Buffer.allocUnsafeSlow(1 << 16);

  constructor(encoding: EncodingName, maxCacheEntries = DEFAULT_PIECE_CACHE_ENTRIES) {
    this.encoding = encoding;
    this.vocab = loadEncoding(encoding).vocab;
    this.nextPieceEnd = encoding === 'o200k_base' ? nextPieceEndO200k : nextPieceEndCl100k;
    this.cache = new PieceTable(maxCacheEntries);
  }

  count(text: string): number {
    const n = text.length;
    if (n === 0) return 0;
    if (n < MEMO_MIN_CHARS) return this.countText(text);
    const known = this.memo.get(text);
    if (known !== undefined) return known;
    const count = this.countText(text);
    if (n <= MEMO_MAX_CHARS / 16) {
      if (this.memoChars + n > MEMO_MAX_CHARS) {
        this.memo.clear();
        this.memoChars = 0;
      }
      this.memo.set(text, count);
      this.memoChars += n;
    }
    return count;
  }

  get cacheEntries(): number {
    return this.cache.size;
  }

  private countText(text: string): number {
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    if (this.buffer.length < text.length * 3) this.buffer = Buffer.allocUnsafeSlow(text.length * 3);
    const bytes = this.buffer;
    const n = bytes.write(text, 0, 'utf8');
    const next = this.nextPieceEnd;
    let total = 0;
    for (let i = 0; i < n; ) {
      const end = next(bytes, i, n);
      // Every single byte is a token of its own in byte-level BPE.
      total += end - i === 1 ? 1 : this.countPiece(bytes, i, end);
      i = end;
    }
    return total;
  }

  private countPiece(bytes: Uint8Array, start: number, end: number): number {
    const h = hashBytes(bytes, start, end);
    if (this.vocab.rankHashed(bytes, start, end, h) >= 0) return 1;
    let count = this.cache.get(bytes, start, end, h);
    if (count === 0) {
      count = countMergedTokens(bytes, start, end, this.vocab);
      this.cache.set(bytes, start, end, h, count);
    }
    return count;
  }
}
