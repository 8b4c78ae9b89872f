/**
 * A BPE vocabulary as one flat, precomputed hash table over token bytes, so counting looks up
 * `bytes[start, end)` of a UTF-8 buffer without slicing a string, and a process loads the whole
 * vocabulary by reading one file instead of decoding js-tiktoken's base64 text into a Map
 * (0.3–0.5 s and ~100 MB for o200k_base).
 *
 * Layout (little-endian, every section 4-byte aligned), also the file format `npm run build`
 * writes to dist/vocab/<encoding>.bin from js-tiktoken's rank data (build-vocab-tables.ts):
 *
 *   header   u32[8]        magic, version, token count, slot count, byte count, 0, 0, 0
 *   offsets  u32[count+1]  token i is bytes[offsets[i], offsets[i+1])
 *   ranks    i32[count]    its BPE rank (merge priority)
 *   slots    i32[slots]    open addressing, linear probing: token index + 1, or 0 if empty
 *   bytes    u8[byteCount] every token's bytes, concatenated
 */
import { readFileSync } from 'node:fs';

const MAGIC = 0x42565446; // 'FTVB'
const VERSION = 1;
const HEADER_WORDS = 8;

/** FNV-1a over bytes[start, end): the one hash both the builder and every lookup use. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h ^ (h >>> 15);
}

export class VocabTable {
  private readonly offsets: Uint32Array;
  private readonly ranks: Int32Array;
  private readonly slots: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly mask: number;
  /** Rank of every two-byte token by its bytes, or -1: the merge's first pairs, without hashing. */
  private readonly pairs = new Int32Array(65536).fill(-1);

  /** The table's serialised form: what build-vocab-tables.ts writes to disk. */
  readonly image: Uint8Array;

  private constructor(image: Uint8Array) {
    // Typed-array views need 4-byte alignment; a file read into a pooled Buffer may lack it.
    if (image.byteOffset % 4 !== 0) image = image.slice();
    this.image = image;
    const header = new Uint32Array(image.buffer, image.byteOffset, HEADER_WORDS);
    if (header[0] !== MAGIC || header[1] !== VERSION) throw new Error('not a vocabulary table (wrong magic or version); run npm run build');
    const count = header[2]!;
    const slotCount = header[3]!;
    const byteCount = header[4]!;
    let at = image.byteOffset + HEADER_WORDS * 4;
    this.offsets = new Uint32Array(image.buffer, at, count + 1);
    at += (count + 1) * 4;
    this.ranks = new Int32Array(image.buffer, at, count);
    at += count * 4;
    this.slots = new Int32Array(image.buffer, at, slotCount);
    at += slotCount * 4;
    this.bytes = new Uint8Array(image.buffer, at, byteCount);
    this.mask = slotCount - 1;
    for (let i = 0; i < count; i++) {
      const from = this.offsets[i]!;
      if (this.offsets[i + 1]! - from === 2) this.pairs[(this.bytes[from]! << 8) | this.bytes[from + 1]!] = this.ranks[i]!;
    }
  }

  get size(): number {
    return this.ranks.length;
  }

  /** Rank of the token whose bytes are `text[start, end)` with hash `h` (from hashBytes), or -1. */
  rankHashed(text: Uint8Array, start: number, end: number, h: number): number {
    const length = end - start;
    const { slots, offsets, bytes } = this;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      const from = offsets[entry - 1]!;
      if (offsets[entry]! - from !== length) continue;
      let k = 0;
      while (k < length && bytes[from + k] === text[start + k]) k++;
      if (k === length) return this.ranks[entry - 1]!;
    }
  }

  /** Rank of the token whose bytes are `text[start, end)`, or -1 if it is not a token. */
  rank(text: Uint8Array, start: number, end: number): number {
    if (end - start === 2) return this.pairs[(text[start]! << 8) | text[start + 1]!]!;
    return this.rankHashed(text, start, end, hashBytes(text, start, end));
  }

  /** Every (token bytes, rank) pair, in table order: for tests and tools. */
  *entries(): Generator<[Uint8Array, number]> {
    for (let i = 0; i < this.ranks.length; i++) yield [this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!), this.ranks[i]!];
  }

  static fromImage(image: Uint8Array): VocabTable {
    return new VocabTable(image);
  }

  static fromFile(path: string): VocabTable {
    return new VocabTable(readFileSync(path));
  }

  /** Builds the table from (token bytes, rank) pairs. */
  static build(tokens: ReadonlyArray<readonly [Uint8Array, number]>): VocabTable {
    const count = tokens.length;
    let slotCount = 16;
    while (slotCount < count * 2.5) slotCount *= 2; // load factor ≤ 0.4: short probe runs
    const byteCount = tokens.reduce((sum, [bytes]) => sum + bytes.length, 0);
    const words = HEADER_WORDS + (count + 1) + count + slotCount;
    const image = new Uint8Array(words * 4 + byteCount);
    const header = new Uint32Array(image.buffer, 0, HEADER_WORDS);
    header.set([MAGIC, VERSION, count, slotCount, byteCount]);
    const offsets = new Uint32Array(image.buffer, HEADER_WORDS * 4, count + 1);
    const ranks = new Int32Array(image.buffer, (HEADER_WORDS + count + 1) * 4, count);
    const slots = new Int32Array(image.buffer, (HEADER_WORDS + 2 * count + 1) * 4, slotCount);
    const bytes = new Uint8Array(image.buffer, words * 4, byteCount);
    let at = 0;
    tokens.forEach(([token, rank], i) => {
      offsets[i] = at;
      bytes.set(token, at);
      at += token.length;
      ranks[i] = rank;
      let slot = hashBytes(token, 0, token.length) & (slotCount - 1);
      while (slots[slot] !== 0) slot = (slot + 1) & (slotCount - 1);
      slots[slot] = i + 1;
    });
    offsets[count] = at;
    return new VocabTable(image);
  }
}
