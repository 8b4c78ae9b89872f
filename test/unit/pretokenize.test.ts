import { describe, expect, it } from 'vitest';
import { loadEncoding } from '../../src/validation/encodings.js';
import { nextPieceEndCl100k, nextPieceEndO200k } from '../../src/validation/pretokenize-ascii.js';
import { seededRandom } from '../../bench/seeded-random.js';

function scan(text: string, next: (s: string, i: number, n: number) => number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; ) {
    const end = next(text, i, text.length);
    pieces.push(text.slice(i, end));
    i = end;
  }
  return pieces;
}

// Characters chosen to hit every branch: case changes, contractions, digits, punctuation before
// letters and newlines, '/', each ASCII whitespace kind (including \v and \f) and control bytes.
const ALPHABET = ["a", "b", "Z", "Q", "x", "'", "'s", "'S", "'re", "'LL", "'d", "'ve", "'m", "'t", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "0", "7", "123", "4567", ".", ",", "!", "?", "/", "//", "-", "_", "(", ")", "\"", "{", "}", "<|endoftext|>", "\u0000", "\u001b", "~", "AB", "Hello", "HTML", "don't", "I'M"];

const cases: Array<[string, (s: string, i: number, n: number) => number]> = [
  ['o200k_base', nextPieceEndO200k],
  ['cl100k_base', nextPieceEndCl100k],
];

describe.each(cases)('ASCII pre-tokenizer for %s', (name, next) => {
  const regex = new RegExp(loadEncoding(name as 'o200k_base' | 'cl100k_base').pattern, 'gu');
  const byRegex = (text: string): string[] => text.match(regex) ?? [];

  it.each([
    'Hello world',
    "I'm sure they'LL say it's 12345 dollars/month!!\n\n",
    'HTMLParser parses   three   spaces\tand\ttabs  \n  then newlines\r\n',
    "  leading and trailing  ",
    "'hello' \"quoted\" (parens) [brackets] {braces} <|endoftext|>",
    'a\n\nb \n c\t\n\td',
    "x'sup 'Re 'RE 've",
    '\u000b\u000cvertical tab and form feed\u000b',
    '',
  ])('splits %j exactly like the regex', (text) => {
    expect(scan(text, next)).toEqual(byRegex(text));
  });

  it('matches the regex on 20,000 random ASCII strings', () => {
    const seed = 20261121;
    const random = seededRandom(seed);
    for (let round = 0; round < 20_000; round++) {
      const length = 1 + Math.floor(random() * 16);
      let text = '';
      for (let k = 0; k < length; k++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
      const expected = byRegex(text);
      const actual = scan(text, next);
      if (actual.join('\u0001') !== expected.join('\u0001')) {
        expect({ seed, round, text, actual }).toEqual({ seed, round, text, actual: expected });
      }
    }
  });

  it('matches the regex on every printable and whitespace ASCII character after every other', () => {
    const chars = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
    for (const a of chars) {
      for (const b of chars) {
        const text = `${a}${b}x${a}`;
        expect(scan(text, next)).toEqual(byRegex(text));
      }
    }
  });
});
