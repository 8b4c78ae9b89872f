/**
 * Byte-pair merge of one pre-tokenizer piece, in O(n log n). js-tiktoken's merge rescans every
 * adjacent pair after each merge — O(n²): a 20,000-letter run takes ~20 s there, so one
 * pathological line could stall validation for minutes. This keeps candidate pairs in a min-heap
 * ordered by (rank, position) — the same lowest-rank, leftmost-first order js-tiktoken merges in —
 * and drops stale pairs lazily. Returns the number of tokens the piece encodes to.
 *
 * `bytes` is a byte string (one char per byte, latin1), the key format of `rankOf`.
 */
export type RankLookup = (byteString: string) => number | undefined;

export function countMergedTokens(bytes: string, rankOf: RankLookup): number {
  const n = bytes.length;
  if (n <= 1) return n;
  // Parts are identified by their start byte; they only ever grow rightwards.
  const end = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const alive = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) {
    end[i] = i + 1;
    prev[i] = i - 1;
    alive[i] = 1;
  }
  const heap = new PairHeap();
  const consider = (left: number): void => {
    const mid = end[left]!;
    if (mid >= n) return;
    const right = end[mid]!;
    const rank = rankOf(bytes.slice(left, right));
    if (rank !== undefined) heap.push(rank, left, right);
  };
  for (let i = 0; i < n - 1; i++) consider(i);

  let parts = n;
  while (heap.size > 0) {
    const { left, right } = heap.pop();
    const mid = end[left]!;
    // Stale if either side has merged with something else since this pair was pushed.
    if (!alive[left] || mid >= n || !alive[mid] || end[mid] !== right) continue;
    end[left] = right;
    alive[mid] = 0;
    if (right < n) prev[right] = left;
    parts--;
    if (prev[left]! >= 0) consider(prev[left]!);
    consider(left);
  }
  return parts;
}

/** A binary min-heap of (rank, left, right) ordered by rank, then by position. */
class PairHeap {
  private ranks: number[] = [];
  private lefts: number[] = [];
  private rights: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  push(rank: number, left: number, right: number): void {
    this.ranks.push(rank);
    this.lefts.push(left);
    this.rights.push(right);
    this.up(this.ranks.length - 1);
  }

  pop(): { left: number; right: number } {
    const top = { left: this.lefts[0]!, right: this.rights[0]! };
    const last = this.ranks.length - 1;
    this.swap(0, last);
    this.ranks.pop();
    this.lefts.pop();
    this.rights.pop();
    this.down(0);
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.ranks[a]! < this.ranks[b]! || (this.ranks[a] === this.ranks[b] && this.lefts[a]! < this.lefts[b]!);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.ranks.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.less(l, min)) min = l;
      if (r < n && this.less(r, min)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    for (const list of [this.ranks, this.lefts, this.rights]) {
      const t = list[a]!;
      list[a] = list[b]!;
      list[b] = t;
    }
  }
}
