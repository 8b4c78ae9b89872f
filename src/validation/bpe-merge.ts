/**
 * Byte-pair merge of one pre-tokenizer piece `bytes[start, end)`: returns the number of tokens it
 * encodes to, merging the lowest-rank adjacent pair first (leftmost on ties), as tiktoken does.
 *
 * Short pieces (nearly all) use tiktoken's own array algorithm on reused typed arrays: O(n²) but
 * tiny n and no allocation. Long ones use a min-heap, O(n log n): js-tiktoken's merge rescans
 * every pair after each merge, so a 20,000-letter run takes ~20 s there and one pathological
 * line could stall validation for minutes. The heap orders candidate pairs by (rank, position) —
 * the same order — and drops stale pairs lazily. Both are tested equal to js-tiktoken.
 */
import type { VocabTable } from './vocab-table.js';

/** Above this many bytes the heap wins. */
const SHORT_PIECE_BYTES = 128;
const NONE = 0x7fffffff;
const bounds = new Int32Array(SHORT_PIECE_BYTES + 1);
const pairRanks = new Int32Array(SHORT_PIECE_BYTES);

export function countMergedTokens(bytes: Uint8Array, start: number, end: number, vocab: VocabTable): number {
  const n = end - start;
  if (n <= 1) return n;
  return n <= SHORT_PIECE_BYTES ? mergeShort(bytes, start, n, vocab) : mergeLong(bytes, start, n, vocab);
}

function mergeShort(bytes: Uint8Array, start: number, n: number, vocab: VocabTable): number {
  const rankOf = (from: number, to: number): number => {
    const r = vocab.rank(bytes, from, to);
    return r < 0 ? NONE : r;
  };
  for (let k = 0; k <= n; k++) bounds[k] = start + k;
  for (let k = 0; k < n - 1; k++) pairRanks[k] = rankOf(bounds[k]!, bounds[k + 2]!);
  let parts = n;
  for (;;) {
    let best = NONE;
    let at = -1;
    for (let k = 0; k < parts - 1; k++) {
      if (pairRanks[k]! < best) {
        best = pairRanks[k]!;
        at = k;
      }
    }
    if (at < 0) return parts;
    // Parts `at` and `at + 1` become one: drop the boundary between them.
    bounds.copyWithin(at + 1, at + 2, parts + 1);
    pairRanks.copyWithin(at + 1, at + 2, parts - 1);
    parts--;
    if (at < parts - 1) pairRanks[at] = rankOf(bounds[at]!, bounds[at + 2]!);
    if (at > 0) pairRanks[at - 1] = rankOf(bounds[at - 1]!, bounds[at + 1]!);
  }
}

function mergeLong(bytes: Uint8Array, start: number, n: number, vocab: VocabTable): number {
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
    const rank = vocab.rank(bytes, start + left, start + right);
    if (rank >= 0) heap.push(rank * POSITIONS + left, right);
  };
  for (let i = 0; i < n - 1; i++) consider(i);

  let parts = n;
  while (heap.size > 0) {
    const right = heap.topRight();
    const left = heap.pop() % POSITIONS;
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

/** Heap keys are rank × POSITIONS + left: one number orders by rank, then position (< 2⁵³). */
const POSITIONS = 2 ** 30;

/** A binary min-heap of pairs keyed by (rank, left), each carrying its right end. */
class PairHeap {
  private keys: number[] = [];
  private rights: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  topRight(): number {
    return this.rights[0]!;
  }

  push(key: number, right: number): void {
    const keys = this.keys;
    const rights = this.rights;
    let i = keys.length;
    keys.push(key);
    rights.push(right);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      rights[i] = rights[parent]!;
      i = parent;
    }
    keys[i] = key;
    rights[i] = right;
  }

  /** Removes the smallest pair; returns its key. */
  pop(): number {
    const keys = this.keys;
    const rights = this.rights;
    const top = keys[0]!;
    const key = keys.pop()!;
    const right = rights.pop()!;
    const n = keys.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && keys[l + 1]! < keys[l]! ? l + 1 : l;
      if (keys[c]! >= key) break;
      keys[i] = keys[c]!;
      rights[i] = rights[c]!;
      i = c;
    }
    keys[i] = key;
    rights[i] = right;
    return top;
  }
}
