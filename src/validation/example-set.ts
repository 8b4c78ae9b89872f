/**
 * The set of distinct examples seen in a file, for duplicate and train/validation overlap
 * detection, in bounded memory: each example is kept as a 64-bit fingerprint (from SHA-1 of its
 * trimmed text) and the line it first appeared on — 12 bytes per slot in one Int32Array, growing
 * by doubling up to `maxSlots`. The earlier Map of numbers cost ~90 bytes per example.
 *
 * Error bound (stated in the report): two different examples are taken for duplicates only if
 * their 64-bit fingerprints are equal, so over a file of n distinct examples the probability of
 * any false "duplicate" is at most n²/2⁶⁵ — below 10⁻⁶ at 5 million examples. No duplicate is
 * ever missed while the set has room. The default capacity holds 7 million distinct examples
 * (96 MiB), more than the service's 512 MB file limit leaves room for in practice; should a file
 * exceed it anyway, later examples are still checked against the first 7 million and the report
 * says how many were not remembered — never silently.
 */
import { hash } from 'node:crypto';

/** 2²³ slots × 12 bytes = 96 MiB at most, held to a 7/8 load factor. */
export const DEFAULT_MAX_SLOTS = 1 << 23;
const WORDS = 3; // fingerprint high, fingerprint low, line (0 = empty; lines start at 1)

export function fingerprintOf(text: string): [number, number] {
  const digest = hash('sha1', text, 'buffer');
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

/** n²/2⁶⁵: an upper bound on the probability of any false duplicate among n distinct examples. */
export function falseDuplicateBound(n: number): number {
  return (n * n) / 2 ** 65;
}

export class ExampleSet {
  private slots: Int32Array;
  private mask: number;
  /** Distinct examples remembered. */
  size = 0;
  /** Distinct examples seen after the set was full, so not remembered (see the class comment). */
  notRemembered = 0;

  constructor(
    private readonly maxSlots = DEFAULT_MAX_SLOTS,
    initialSlots = 1 << 12,
  ) {
    const slots = Math.min(initialSlots, maxSlots);
    this.slots = new Int32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  /** Capacity in distinct examples. */
  get capacity(): number {
    return Math.floor((this.maxSlots * 7) / 8);
  }

  /** Line of the first example with this fingerprint, or 0. */
  lineOf(hi: number, lo: number): number {
    const s = this.slots;
    for (let slot = this.home(hi, lo); ; slot = (slot + 1) & this.mask) {
      const at = slot * WORDS;
      const line = s[at + 2]!;
      if (line === 0) return 0;
      if (s[at] === hi && s[at + 1] === lo) return line;
    }
  }

  /** Remembers an example first seen on `line` (≥ 1) whose fingerprint `lineOf` did not find. */
  add(hi: number, lo: number, line: number): void {
    if ((this.size + 1) * 8 > (this.mask + 1) * 7) {
      if (this.mask + 1 >= this.maxSlots) {
        this.notRemembered++;
        return;
      }
      this.grow();
    }
    this.insert(hi, lo, line);
    this.size++;
  }

  private home(hi: number, lo: number): number {
    // The fingerprint is already uniformly distributed: mix the halves for the index.
    return (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
  }

  private insert(hi: number, lo: number, line: number): void {
    const s = this.slots;
    let slot = this.home(hi, lo);
    while (s[slot * WORDS + 2] !== 0) slot = (slot + 1) & this.mask;
    s[slot * WORDS] = hi;
    s[slot * WORDS + 1] = lo;
    s[slot * WORDS + 2] = line;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = (this.mask + 1) * 2 - 1;
    for (let at = 0; at < old.length; at += WORDS) if (old[at + 2] !== 0) this.insert(old[at]!, old[at + 1]!, old[at + 2]!);
  }
}
