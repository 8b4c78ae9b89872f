import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Offset } from '../../src/validation/utf8.js';

describe('firstInvalidUtf8Offset', () => {
  it.each([
    ['valid ASCII and multi-byte', Buffer.from('café 東京 🚀'), -1],
    ['lone continuation byte', Buffer.from([0x61, 0x80, 0x62]), 1],
    ['truncated sequence at the end', Buffer.from([0x61, 0xe6, 0x9d]), 1],
    ['overlong encoding', Buffer.from([0xc0, 0xaf]), 0],
    ['UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 0],
    ['above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
    ['Latin-1 é', Buffer.from([0x63, 0x61, 0x66, 0xe9]), 3],
  ])('%s', (_label, bytes, expected) => {
    expect(firstInvalidUtf8Offset(bytes)).toBe(expected);
    expect(isUtf8(bytes)).toBe(expected === -1); // agrees with Node's own validator
  });
});
