import { describe, expect, it } from 'vitest';
import { PATTERNS, ranksOf } from '../../src/validation/encodings.js';
import type { EncodingName } from '../../src/validation/models.js';
import { nextPieceEndCl100k, nextPieceEndO200k } from '../../src/validation/pretokenize.js';
import { seededRandom } from '../../bench/seeded-random.js';

type Scanner = (b: Uint8Array, i: number, n: number) => number;

/** Pieces as latin1 byte strings, so a lone surrogate (which UTF-8 encodes as U+FFFD) compares fairly. */
function scan(text: string, next: Scanner): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: string[] = [];
  for (let i = 0; i < bytes.length; ) {
    const end = next(bytes, i, bytes.length);
    if (end <= i) throw new Error(`no progress at byte ${i} of ${JSON.stringify(text)}`);
    pieces.push(bytes.toString('latin1', i, end));
    i = end;
  }
  return pieces;
}

// ASCII characters chosen to hit every branch: case changes, contractions, digits, punctuation
// before letters and newlines, '/', each ASCII whitespace kind (including \v and \f), controls.
const ASCII = ["a", "b", "Z", "Q", "x", "'", "'s", "'S", "'re", "'LL", "'d", "'ve", "'m", "'t", " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "0", "7", "123", "4567", ".", ",", "!", "?", "/", "//", "-", "_", "(", ")", "\"", "{", "}", "<|endoftext|>", "\u0000", "\u001b", "~", "AB", "Hello", "HTML", "don't", "I'M"];
// Every kind of character the classes distinguish, from the scripts the benchmark covers:
// upper/lower (Latin, Greek, Cyrillic), Lo (CJK, kana, Arabic, Hebrew, Devanagari, Hangul, Thai),
// Lt (ǅ), Lm (ʰ, ー), marks (combining acute, Devanagari vowel signs and virama, Arabic harakat,
// emoji variation selector), numbers (Arabic-Indic, Devanagari, Roman numeral, fractions,
// superscripts, fullwidth), unicode spaces (no-break, em, ideographic, line separator, BOM; NEL is
// not \s), emoji with ZWJ and skin tones, astral letters, symbols, and lone surrogates.
const UNICODE = [
  'é', 'É', 'ß', 'Ω', 'ω', 'Ж', 'ж', 'Привет', 'ΓΕΙΑ', 'Καλη', '東京', 'タワー', 'ひらがな', 'مرحبا', 'שלום', 'नमस्ते', 'हिन्दी', '한국어', 'ภาษาไทย',
  'ǅ', 'ǅa', 'ʰ', 'ー', 'e\u0301', '\u0301', '\u0301\u0301', 'A\u0301', '\u093e', '\u094d', '\u064e', '\ufe0f', '\u20dd',
  '٣', '४२', 'Ⅻ', '½', '²', '１２', '𝟘',
  '\u00a0', '\u2003', '\u3000', '\u2028', '\ufeff', '\u0085', '\u1680',
  '🚀', '✅', '👍🏽', '👨\u200d👩\u200d👧', '❤️', '🇫🇷', '𝐀', '𝐚', '𠀀', '€', '—', '“', '”', '…', '·', '°', '\u200b',
  '\ud800', '\udc00', "'ſ", 'İ', 'ﬁ',
];

describe.each([
  ['o200k_base', nextPieceEndO200k],
  ['cl100k_base', nextPieceEndCl100k],
] as Array<[EncodingName, Scanner]>)('pre-tokenizer for %s', (name, next) => {
  const regex = new RegExp(PATTERNS[name], 'gu');
  const byRegex = (text: string): string[] => (text.match(regex) ?? []).map((piece) => Buffer.from(piece, 'utf8').toString('latin1'));
  const expectSame = (text: string, context: object): void => {
    const expected = byRegex(text);
    const actual = scan(text, next);
    if (actual.join('\u0001') !== expected.join('\u0001')) expect({ ...context, text, actual }).toEqual({ ...context, text, actual: expected });
  };

  it("is js-tiktoken's own pattern", () => {
    expect(PATTERNS[name]).toBe(ranksOf(name).pat_str);
  });

  it.each([
    'Hello world',
    "I'm sure they'LL say it's 12345 dollars/month!!\n\n",
    'HTMLParser parses   three   spaces\tand\ttabs  \n  then newlines\r\n',
    '  leading and trailing  ',
    "'hello' \"quoted\" (parens) [brackets] {braces} <|endoftext|>",
    'a\n\nb \n c\t\n\td',
    "x'sup 'Re 'RE 've",
    '\u000b\u000cvertical tab and form feed\u000b',
    'Привет, мир! Γειά σου Κόσμε. 東京タワーは333メートル。 مرحبا بالعالم नमस्ते दुनिया 👨‍👩‍👧 ok',
    'e\u0301t\u0301e\u0301 \u0301\u0301x ǅungla ʰa 12٣٤5 ½²',
    '',
  ])('splits %j exactly like the regex', (text) => {
    expectSame(text, {});
  });

  it.each([
    ['ASCII', ASCII, 20_000],
    ['mixed-script', [...ASCII, ...UNICODE, ...UNICODE], 40_000],
  ] as const)('matches the regex on random %s strings', (_label, alphabet, rounds) => {
    const seed = 20261122;
    const random = seededRandom(seed);
    for (let round = 0; round < rounds; round++) {
      const length = 1 + Math.floor(random() * 16);
      let text = '';
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)];
      expectSame(text, { seed, round });
    }
  });

  it('matches the regex on every printable and whitespace ASCII character after every other', () => {
    const chars = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
    for (const a of chars) for (const b of chars) expectSame(`${a}${b}x${a}`, {});
  });

  it('matches the regex around every code point of the BMP and a sample of the astral planes', () => {
    // Each code point in contexts that exercise its class: after a letter, as a word prefix, in
    // upper/lower runs, before a contraction, next to digits, spaces and newlines.
    const around = (c: string): string => `a${c}b A${c}a ${c}${c}'s 1${c}2 ${c}\n${c} .${c}x\t${c}  ${c}É`;
    const step = (cp: number): number => (cp < 0x10000 ? 1 : 13);
    for (let cp = 0; cp < 0x110000; ) {
      let text = '';
      for (let k = 0; k < 64 && cp < 0x110000; k++, cp += step(cp)) {
        if (cp < 0xd800 || cp > 0xdfff) text += around(String.fromCodePoint(cp)) + '|';
      }
      expectSame(text, {});
    }
  });
});
