import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/validation/line-splitter.js';

function split(chunks: Buffer[], maxLineBytes = 1 << 20): Array<[number, string | null]> {
  const lines: Array<[number, string | null]> = [];
  const splitter = new LineSplitter((n, bytes) => lines.push([n, bytes === null ? null : bytes.toString('utf8')]), maxLineBytes);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

/** Every way of cutting `text` into 1-byte chunks and into one chunk must agree. */
function bothWays(text: Buffer): Array<[number, string | null]> {
  const whole = split([text]);
  const bytewise = split([...text].map((b) => Buffer.from([b])));
  expect(bytewise).toEqual(whole);
  return whole;
}

describe('LineSplitter', () => {
  it('numbers lines from 1 and tolerates a missing final newline', () => {
    expect(bothWays(Buffer.from('a\nb\nc'))).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  it('does not invent a line after a final newline, but keeps blank lines', () => {
    expect(bothWays(Buffer.from('a\n\nb\n'))).toEqual([[1, 'a'], [2, ''], [3, 'b']]);
  });

  it('strips CR of CRLF line ends', () => {
    expect(bothWays(Buffer.from('a\r\nb\r\n'))).toEqual([[1, 'a'], [2, 'b']]);
  });

  it('strips a UTF-8 BOM at the start only, even when it arrives split across chunks', () => {
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n\ufeffx')]);
    expect(bothWays(text)).toEqual([[1, '{"a":1}'], [2, '\ufeffx']]);
  });

  it('reports an over-long line by length without buffering it, and continues', () => {
    const lines: Array<[number, number, boolean]> = [];
    const splitter = new LineSplitter((n, bytes, length) => lines.push([n, length, bytes === null]), 10);
    splitter.push(Buffer.from('short\n' + 'x'.repeat(25)));
    splitter.push(Buffer.from('y'.repeat(25) + '\nok'));
    splitter.end();
    expect(lines).toEqual([[1, 5, false], [2, 50, true], [3, 2, false]]);
  });
});
