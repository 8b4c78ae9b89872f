import { loadEncoding, type LoadedEncoding } from './encodings.js';
import type { EncodingName } from './models.js';
import { countMergedTokens } from './bpe-merge.js';
import { isAscii, nextPieceEndCl100k, nextPieceEndO200k } from './pretokenize-ascii.js';

/** Pieces this long go to the O(n log n) merge instead of js-tiktoken's quadratic one. */
const LONG_PIECE_CHARS = 256;

/** Default bound of the piece cache: ~10-20 MB of short strings, plenty for natural language. */
export const DEFAULT_PIECE_CACHE_ENTRIES = 100_000;

/**
 * Counts tokens exactly as `tiktoken.encode(text, [], []).length` would — special-token look-alikes
 * such as `<|endoftext|>` are ordinary text and never throw — but much faster.
 *
 * BPE runs on each pre-tokenizer piece independently, so the count of a text is the sum of its
 * pieces' counts. Pieces repeat constantly in real data (words, punctuation, whitespace), so each
 * piece's count is computed once by js-tiktoken and then served from a bounded cache. The cache has
 * two generations: when the young one fills up, it becomes the old one and the previous old one is
 * dropped, so memory stays bounded while hot pieces survive (they are promoted on use).
 */
export class TokenCounter {
  readonly encoding: EncodingName;
  private readonly tokenizer: LoadedEncoding;
  private readonly pattern: RegExp;
  private readonly nextPieceEnd: (s: string, i: number, n: number) => number;
  private readonly encoder = new TextEncoder();
  private young = new Map<string, number>();
  private old = new Map<string, number>();

  constructor(
    encoding: EncodingName,
    private readonly maxCacheEntries = DEFAULT_PIECE_CACHE_ENTRIES,
  ) {
    this.encoding = encoding;
    this.tokenizer = loadEncoding(encoding);
    this.pattern = new RegExp(this.tokenizer.pattern, 'gu');
    this.nextPieceEnd = encoding === 'o200k_base' ? nextPieceEndO200k : nextPieceEndCl100k;
  }

  count(text: string): number {
    const n = text.length;
    if (n === 0) return 0;
    let total = 0;
    if (isAscii(text)) {
      for (let i = 0; i < n; ) {
        const end = this.nextPieceEnd(text, i, n);
        total += this.countPiece(text.slice(i, end));
        i = end;
      }
      return total;
    }
    const pieces = text.match(this.pattern);
    if (pieces) for (const piece of pieces) total += this.countPiece(piece);
    return total;
  }

  private encodePiece(piece: string): number {
    if (piece.length < LONG_PIECE_CHARS) return this.tokenizer.tiktoken.encode(piece, [], []).length;
    return countMergedTokens(this.encoder.encode(piece), this.tokenizer.rankOf);
  }

  get cacheEntries(): number {
    return this.young.size + this.old.size;
  }

  private countPiece(piece: string): number {
    let count = this.young.get(piece);
    if (count !== undefined) return count;
    count = this.old.get(piece);
    if (count === undefined) count = this.encodePiece(piece);
    if (this.young.size >= this.maxCacheEntries) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(piece, count);
    return count;
  }
}
