/**
 * Exact ASCII-only re-implementations of the cl100k_base and o200k_base pre-tokenizer regexes
 * (as js-tiktoken runs them, with JavaScript's `\s`). The unicode-property regex is the slowest
 * step of token counting once BPE results are cached per piece; on pure-ASCII text these scanners
 * produce the identical pieces several times faster. Callers must only pass ASCII strings; the
 * equivalence is proven by differential tests against the regex (test/unit/pretokenize.test.ts).
 *
 * Each function returns the end index of the piece that starts at `i` (always > i).
 */

const APOSTROPHE = 39;
const SLASH = 47;

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isLetter(c: number): boolean {
  return isUpper(c) || isLower(c);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** JavaScript `\s` restricted to ASCII: \t \n \v \f \r and space. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isNewline(c: number): boolean {
  return c === 10 || c === 13;
}
/** `[^\s\p{L}\p{N}]` in ASCII. */
function isPunct(c: number): boolean {
  return !isSpace(c) && !isLetter(c) && !isDigit(c);
}
/** `[^\r\n\p{L}\p{N}]` in ASCII: the optional one-character prefix of a word. */
function isWordPrefix(c: number): boolean {
  return !isNewline(c) && !isLetter(c) && !isDigit(c);
}

/** Length of a contraction (`'s 't 'm 'd 're 've 'll`, any case) at i, or 0. */
function contractionLength(s: string, i: number): number {
  if (s.charCodeAt(i) !== APOSTROPHE) return 0;
  const a = s.charCodeAt(i + 1) | 32; // lower-case (NaN | 32 === 32: never a letter)
  if (a === 115 || a === 116 || a === 109 || a === 100) return 2; // s t m d
  const b = s.charCodeAt(i + 2) | 32;
  if ((a === 114 && b === 101) || (a === 118 && b === 101) || (a === 108 && b === 108)) return 3; // re ve ll
  return 0;
}

/**
 * The alternatives both encodings share after their word rules: numbers, punctuation, space.
 * They differ only in what may trail a punctuation run: o200k takes `[\r\n/]*` (so `.\r/` is one
 * piece), cl100k only `[\r\n]*`.
 */
function commonTail(s: string, i: number, n: number, slashTrails: boolean): number {
  const c = s.charCodeAt(i);
  // \p{N}{1,3}
  if (isDigit(c)) {
    let j = i + 1;
    while (j < n && j < i + 3 && isDigit(s.charCodeAt(j))) j++;
    return j;
  }
  // ` ?[^\s\p{L}\p{N}]+` then the trailing newlines (and, for o200k, slashes).
  let p = c === 32 && i + 1 < n && isPunct(s.charCodeAt(i + 1)) ? i + 1 : isPunct(c) ? i : -1;
  if (p >= 0) {
    while (p < n && isPunct(s.charCodeAt(p))) p++;
    for (; p < n; p++) {
      const t = s.charCodeAt(p);
      if (!isNewline(t) && !(slashTrails && t === SLASH)) break;
    }
    return p;
  }
  // Whitespace run [i, w).
  let w = i;
  let lastNewline = -1;
  while (w < n && isSpace(s.charCodeAt(w))) {
    if (isNewline(s.charCodeAt(w))) lastNewline = w;
    w++;
  }
  // \s*[\r\n]+ : everything up to and including the run's last newline.
  if (lastNewline >= 0) return lastNewline + 1;
  // \s+(?!\S) : the whole run at the end of text, else all but its last character.
  if (w === n) return w;
  if (w - i >= 2) return w - 1;
  // \s+
  return w;
}

/** o200k_base: `[^\r\n\p{L}\p{N}]?[Upper]*[lower]+(contraction)?|[^\r\n\p{L}\p{N}]?[Upper]+[lower]*(contraction)?|…` */
export function nextPieceEndO200k(s: string, i: number, n: number): number {
  const c = s.charCodeAt(i);
  const start = isLetter(c) ? i : i + 1 < n && isWordPrefix(c) && isLetter(s.charCodeAt(i + 1)) ? i + 1 : -1;
  if (start >= 0) {
    let u = start;
    while (u < n && isUpper(s.charCodeAt(u))) u++;
    let l = u;
    while (l < n && isLower(s.charCodeAt(l))) l++;
    // With lower-case letters after the capitals the first rule matches through them; without,
    // the second rule matches the capitals alone. Either may end in a contraction.
    return l + contractionLength(s, l);
  }
  return commonTail(s, i, n, true);
}

/** cl100k_base: `(contraction)|[^\r\n\p{L}\p{N}]?\p{L}+|…` */
export function nextPieceEndCl100k(s: string, i: number, n: number): number {
  const contraction = contractionLength(s, i);
  if (contraction > 0) return i + contraction;
  const c = s.charCodeAt(i);
  const start = isLetter(c) ? i : i + 1 < n && isWordPrefix(c) && isLetter(s.charCodeAt(i + 1)) ? i + 1 : -1;
  if (start >= 0) {
    let j = start;
    while (j < n && isLetter(s.charCodeAt(j))) j++;
    return j;
  }
  return commonTail(s, i, n, false);
}

const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}
