/**
 * Exact re-implementations of the o200k_base and cl100k_base pre-tokenizer regexes (PATTERNS in
 * encodings.ts, as js-tiktoken runs them with JavaScript's unicode `\s` and property classes) that
 * scan UTF-8 bytes. The unicode regex on a JS string was the slowest step of counting, and the
 * pieces it returns must then be encoded to bytes again; scanning the bytes directly gives each
 * piece's byte range for the vocabulary lookup at no extra cost. The equivalence is proven by
 * differential fuzzing against the regex on ASCII, on every script the benchmark covers, on marks,
 * odd letters (Lt, Lm) and unicode spaces (test/unit/pretokenize.test.ts).
 *
 * Each `nextPieceEnd*` returns the end (byte offset) of the piece that starts at byte `i` of a
 * well-formed UTF-8 buffer `b` of length `n` (always > i).
 */

// Character classes, as bit flags. \p{L} is UPPER|LOWER|OTHER_LETTER; o200k's two word classes
// are "upper-ish" [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and "lower-ish" [\p{Ll}\p{Lm}\p{Lo}\p{M}].
const UPPER = 1; // Lu, Lt
const LOWER = 2; // Ll
const OTHER_LETTER = 4; // Lm, Lo: both upper-ish and lower-ish
const MARK = 8; // M: both upper-ish and lower-ish, yet not \p{L}
const NUMBER = 16; // \p{N}
const SPACE = 32; // \s
const NEWLINE = 64; // \r or \n
const KNOWN = 128;

const LETTER = UPPER | LOWER | OTHER_LETTER;
const UPPERISH = UPPER | OTHER_LETTER | MARK;
const LOWERISH = LOWER | OTHER_LETTER | MARK;
/** Not `[^\r\n\p{L}\p{N}]`: cannot be the one-character prefix of a word. */
const NOT_PREFIX = NEWLINE | LETTER | NUMBER;
/** Not `[^\s\p{L}\p{N}]`: cannot be punctuation. */
const NOT_PUNCT = SPACE | LETTER | NUMBER;

const APOSTROPHE = 39;
const SLASH = 47;

/**
 * Class of every code point, filled on first sight from the regex engine's own unicode tables
 * (the same engine the reference regex runs on), so no table here can drift from it.
 */
const classes = new Uint8Array(0x110000);
const PROBES: Array<[RegExp, number]> = [
  [/^[\p{Lu}\p{Lt}]$/u, UPPER],
  [/^\p{Ll}$/u, LOWER],
  [/^[\p{Lm}\p{Lo}]$/u, OTHER_LETTER],
  [/^\p{M}$/u, MARK],
  [/^\p{N}$/u, NUMBER],
  [/^\s$/u, SPACE],
  [/^[\r\n]$/u, NEWLINE],
];
function classify(cp: number): number {
  const c = String.fromCodePoint(cp);
  let flags = KNOWN;
  for (const [probe, flag] of PROBES) if (probe.test(c)) flags |= flag;
  classes[cp] = flags;
  return flags;
}
for (let cp = 0; cp < 128; cp++) classify(cp);

/** Width in bytes of the UTF-8 sequence starting with byte `lead`. */
function widthOf(lead: number): number {
  return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** Class of the code point starting at byte i. */
function classAt(b: Uint8Array, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return classes[lead]!;
  let cp: number;
  if (lead < 0xe0) cp = ((lead & 0x1f) << 6) | (b[i + 1]! & 0x3f);
  else if (lead < 0xf0) cp = ((lead & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
  else cp = ((lead & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
  const known = classes[cp]!;
  return known !== 0 ? known : classify(cp);
}

/** Length of a contraction (`'s 't 'm 'd 're 've 'll`, any case) at i, or 0. */
function contractionLength(b: Uint8Array, i: number, n: number): number {
  if (b[i] !== APOSTROPHE || i + 1 >= n) return 0;
  const a = b[i + 1]! | 32; // ASCII lower case; no byte ≥ 0x80 becomes a letter this way
  if (a === 115 || a === 116 || a === 109 || a === 100) return 2; // s t m d
  if (i + 2 >= n) return 0;
  const c = b[i + 2]! | 32;
  if ((a === 114 && c === 101) || (a === 118 && c === 101) || (a === 108 && c === 108)) return 3; // re ve ll
  return 0;
}

/** End of the run of code points from i whose class has a bit of `mask`. */
function runEnd(b: Uint8Array, i: number, n: number, mask: number): number {
  while (i < n && (classAt(b, i) & mask) !== 0) i += widthOf(b[i]!);
  return i;
}

/**
 * o200k's first word rule from `start`: `[upper-ish]*[lower-ish]+(contraction)?`, with the regex's
 * backtracking: the greedy upper-ish run gives back characters until a lower-ish one can start the
 * second run. Returns -1 if it cannot match.
 */
function upperThenLower(b: Uint8Array, start: number, n: number): number {
  let u = start;
  let lastLowerishEnd = -1; // end of the last character in the run that is also lower-ish
  while (u < n) {
    const c = classAt(b, u);
    if ((c & UPPERISH) === 0) break;
    u += widthOf(b[u]!);
    if ((c & LOWERISH) !== 0) lastLowerishEnd = u;
  }
  let end: number;
  if (u < n && (classAt(b, u) & LOWERISH) !== 0) end = runEnd(b, u, n, LOWERISH);
  else if (lastLowerishEnd >= 0) end = lastLowerishEnd; // the next character is upper-only or not a word character
  else return -1;
  return end + contractionLength(b, end, n);
}

/** o200k's second word rule from `start`: `[upper-ish]+[lower-ish]*(contraction)?`, or -1. */
function upperRun(b: Uint8Array, start: number, n: number): number {
  const u = runEnd(b, start, n, UPPERISH);
  if (u === start) return -1;
  const end = runEnd(b, u, n, LOWERISH);
  return end + contractionLength(b, end, n);
}

/** The alternatives both encodings share after their word rules: numbers, punctuation, spaces. */
function commonTail(b: Uint8Array, i: number, n: number, c: number, slashTrails: boolean): number {
  // \p{N}{1,3}
  if ((c & NUMBER) !== 0) {
    let j = i + widthOf(b[i]!);
    for (let k = 1; k < 3 && j < n && (classAt(b, j) & NUMBER) !== 0; k++) j += widthOf(b[j]!);
    return j;
  }
  // ` ?[^\s\p{L}\p{N}]+` then trailing newlines (and, for o200k, slashes).
  let p = b[i] === 32 && i + 1 < n && (classAt(b, i + 1) & NOT_PUNCT) === 0 ? i + 1 : (c & NOT_PUNCT) === 0 ? i : -1;
  if (p >= 0) {
    while (p < n && (classAt(b, p) & NOT_PUNCT) === 0) p += widthOf(b[p]!);
    for (; p < n; p++) {
      const t = b[p]!;
      if (t !== 10 && t !== 13 && !(slashTrails && t === SLASH)) break;
    }
    return p;
  }
  // Whitespace run [i, w): c has SPACE here, the only class left.
  let w = i;
  let last = i; // start of the run's last character
  let lastNewline = -1;
  while (w < n) {
    const t = classAt(b, w);
    if ((t & SPACE) === 0) break;
    if ((t & NEWLINE) !== 0) lastNewline = w;
    last = w;
    w += widthOf(b[w]!);
  }
  // \s*[\r\n]+ : everything up to and including the run's last newline (newlines are one byte).
  if (lastNewline >= 0) return lastNewline + 1;
  // \s+(?!\S) : the whole run at the end of text, else all but its last character.
  if (w === n) return w;
  if (last > i) return last;
  // \s+
  return w;
}

/** o200k_base; see PATTERNS in encodings.ts. */
export function nextPieceEndO200k(b: Uint8Array, i: number, n: number): number {
  const c = classAt(b, i);
  if ((c & (LETTER | MARK)) !== 0 || ((c & NOT_PREFIX) === 0 && i + 1 < n)) {
    // A prefix character is taken first; without it the rule is retried only from a word
    // character (a mark can be both). Rule one is tried both ways before rule two.
    const afterPrefix = (c & NOT_PREFIX) === 0 ? i + widthOf(b[i]!) : -1;
    let end = afterPrefix >= 0 && afterPrefix < n ? upperThenLower(b, afterPrefix, n) : -1;
    if (end < 0) end = upperThenLower(b, i, n);
    if (end < 0 && afterPrefix >= 0 && afterPrefix < n) end = upperRun(b, afterPrefix, n);
    if (end < 0) end = upperRun(b, i, n);
    if (end >= 0) return end;
  }
  return commonTail(b, i, n, c, true);
}

/** cl100k_base; see PATTERNS in encodings.ts. */
export function nextPieceEndCl100k(b: Uint8Array, i: number, n: number): number {
  const contraction = contractionLength(b, i, n);
  if (contraction > 0) return i + contraction;
  const c = classAt(b, i);
  if ((c & LETTER) !== 0) return runEnd(b, i, n, LETTER);
  if ((c & NOT_PREFIX) === 0) {
    const next = i + widthOf(b[i]!);
    if (next < n && (classAt(b, next) & LETTER) !== 0) return runEnd(b, next, n, LETTER);
  }
  return commonTail(b, i, n, c, false);
}
