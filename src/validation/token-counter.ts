import { countMergedTokens } from './bpe-merge.js';
import { loadEncoding, type LoadedEncoding } from './encodings.js';
import type { EncodingName } from './models.js';
import { PieceTable } from './piece-table.js';
import { isAscii, nextPieceEndCl100k, nextPieceEndO200k } from './pretokenize-ascii.js';

/** Default bound of the piece cache: ~15 MB, far more distinct pieces than natural text uses. */
export const DEFAULT_PIECE_CACHE_ENTRIES = 200_000;

/**
 * Counts tokens exactly as js-tiktoken's `encode(text, [], []).length` would — special-token
 * look-alikes such as `<|endoftext|>` are ordinary text and never throw — but much faster.
 *
 * BPE runs on each pre-tokenizer piece independently, so the count of a text is the sum of its
 * pieces' counts. Pieces repeat constantly in real data (words, punctuation, whitespace), so each
 * piece's count is computed once (from js-tiktoken's vocabulary) and served from a bounded cache.
 * Pure-ASCII text (most training data) is split by an exact hand-written scanner instead of the
 * unicode regex.
 */
export class TokenCounter {
  readonly encoding: EncodingName;
  private readonly tokenizer: LoadedEncoding;
  private readonly pattern: RegExp;
  private readonly nextPieceEnd: (s: string, i: number, n: number) => number;
  private readonly cache: PieceTable;
  private readonly computeAscii = (piece: string): number => this.countBytes(piece);
  private readonly computeUnicode = (piece: string): number => this.countBytes(Buffer.from(piece, 'utf8').toString('latin1'));

  constructor(encoding: EncodingName, maxCacheEntries = DEFAULT_PIECE_CACHE_ENTRIES) {
    this.encoding = encoding;
    this.tokenizer = loadEncoding(encoding);
    this.pattern = new RegExp(this.tokenizer.pattern, 'gu');
    this.nextPieceEnd = encoding === 'o200k_base' ? nextPieceEndO200k : nextPieceEndCl100k;
    this.cache = new PieceTable(maxCacheEntries);
  }

  count(text: string): number {
    const n = text.length;
    if (n === 0) return 0;
    let total = 0;
    if (isAscii(text)) {
      for (let i = 0; i < n; ) {
        const end = this.nextPieceEnd(text, i, n);
        // Every single byte is a token of its own in byte-level BPE.
        total += end - i === 1 ? 1 : this.cache.get(text, i, end, this.computeAscii);
        i = end;
      }
      return total;
    }
    const pieces = text.match(this.pattern);
    if (pieces) for (const piece of pieces) total += this.cache.get(piece, 0, piece.length, this.computeUnicode);
    return total;
  }

  get cacheEntries(): number {
    return this.cache.size;
  }

  /** A piece not seen recently, as a byte string: one token if in the vocabulary, else merge. */
  private countBytes(bytes: string): number {
    if (this.tokenizer.rankOf(bytes) !== undefined) return 1;
    return countMergedTokens(bytes, this.tokenizer.rankOf);
  }
}
