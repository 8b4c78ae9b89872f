/**
 * A bounded cache from pre-tokenizer piece to token count, looked up by position in the source
 * text so a hit allocates nothing: the piece's characters are hashed in place (FNV-1a) and
 * compared with `startsWith`, instead of slicing a new string that a Map would then hash again.
 * Open addressing with linear probing; when it reaches its entry limit it starts over empty, which
 * bounds memory and costs only a brief re-warm (real text's frequent pieces come back at once).
 */
export class PieceTable {
  private readonly mask: number;
  private readonly limit: number;
  private keys: (string | undefined)[];
  private readonly hashes: Int32Array;
  private readonly counts: Int32Array;
  size = 0;

  constructor(maxEntries: number) {
    let capacity = 16;
    while (capacity < maxEntries * 2) capacity *= 2; // load factor ≤ 0.5 keeps probes short
    this.mask = capacity - 1;
    this.limit = maxEntries;
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    this.counts = new Int32Array(capacity);
  }

  /** Count of `text[start, end)`, computing and remembering it with `compute` on a miss. */
  get(text: string, start: number, end: number, compute: (piece: string) => number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const length = end - start;
    const keys = this.keys;
    let slot = h & this.mask;
    for (;;) {
      const key = keys[slot];
      if (key === undefined) break;
      if (this.hashes[slot] === h && key.length === length && text.startsWith(key, start)) return this.counts[slot]!;
      slot = (slot + 1) & this.mask;
    }
    const piece = text.slice(start, end);
    const count = compute(piece);
    if (this.size >= this.limit) {
      this.clear();
      slot = h & this.mask;
    }
    keys[slot] = piece;
    this.hashes[slot] = h;
    this.counts[slot] = count;
    this.size++;
    return count;
  }

  private clear(): void {
    this.keys = new Array<string | undefined>(this.mask + 1).fill(undefined);
    this.size = 0;
  }
}
