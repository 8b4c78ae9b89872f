/**
 * A bounded cache from a multi-token pre-tokenizer piece (its bytes) to its token count, so the
 * byte-pair merge runs once per distinct piece. Looked up by position in the caller's UTF-8
 * buffer with a hash the caller already computed: a hit allocates nothing. Keys are copied into
 * one byte arena. Open addressing with linear probing; when it reaches its entry or arena limit
 * it starts over empty, which bounds memory (~2 MB by default) and costs only a brief re-warm.
 */
export class PieceTable {
  private readonly mask: number;
  private readonly limit: number;
  private readonly hashes: Int32Array;
  private readonly counts: Int32Array;
  private readonly keyStarts: Int32Array;
  private readonly keyLengths: Int32Array;
  private readonly arena: Uint8Array;
  private arenaUsed = 0;
  size = 0;

  constructor(maxEntries: number, arenaBytes = Math.max(1024, maxEntries * 24)) {
    let capacity = 16;
    while (capacity < maxEntries * 2) capacity *= 2; // load factor ≤ 0.5 keeps probes short
    this.mask = capacity - 1;
    this.limit = maxEntries;
    this.hashes = new Int32Array(capacity);
    this.counts = new Int32Array(capacity); // 0 = empty slot: every cached piece has ≥ 1 token
    this.keyStarts = new Int32Array(capacity);
    this.keyLengths = new Int32Array(capacity);
    this.arena = new Uint8Array(arenaBytes);
  }

  /** Count of the piece `bytes[start, end)` with hash `h`, or 0 if not cached. */
  get(bytes: Uint8Array, start: number, end: number, h: number): number {
    const length = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const count = this.counts[slot]!;
      if (count === 0) return 0;
      if (this.hashes[slot] !== h || this.keyLengths[slot] !== length) continue;
      const from = this.keyStarts[slot]!;
      let k = 0;
      while (k < length && this.arena[from + k] === bytes[start + k]) k++;
      if (k === length) return count;
    }
  }

  /** Remembers `count` (≥ 1) for a piece that `get` just missed. */
  set(bytes: Uint8Array, start: number, end: number, h: number, count: number): void {
    const length = end - start;
    if (length > this.arena.length) return; // too long to keep; merging it again is still exact
    if (this.size >= this.limit || this.arenaUsed + length > this.arena.length) this.clear();
    let slot = h & this.mask;
    while (this.counts[slot] !== 0) slot = (slot + 1) & this.mask;
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    this.hashes[slot] = h;
    this.counts[slot] = count;
    this.keyStarts[slot] = this.arenaUsed;
    this.keyLengths[slot] = length;
    this.arenaUsed += length;
    this.size++;
  }

  private clear(): void {
    this.counts.fill(0);
    this.arenaUsed = 0;
    this.size = 0;
  }
}
