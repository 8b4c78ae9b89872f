import { describe, expect, it } from 'vitest';
import type { Finding, ValidationReport } from '../../src/validation/index.js';
import { MAX_IMAGE_BYTES, readImageHeader } from '../../src/validation/vision-checks.js';
import { validateText, validLines } from '../support/validate-text.js';

/** A PNG signature and IHDR chunk with the given colour type (the pixels are never read). */
function png(colourType: number, padTo = 0): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(1, 8);
  ihdr.writeUInt32BE(1, 12);
  ihdr[16] = 8;
  ihdr[17] = colourType;
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
  return padTo > head.length ? Buffer.concat([head, Buffer.alloc(padTo - head.length)]) : head;
}
/** SOI, an APP0 segment, then a baseline frame header with `components` components. */
function jpeg(components: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 8 + 3 * components, 8, 0, 1, 0, 1, components, ...Array(3 * components).fill(1)]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}
function webp(chunk: 'VP8 ' | 'VP8L' | 'VP8X', alpha: boolean): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBPVP8 ', 8, 'latin1');
  b.write(chunk, 12, 'latin1');
  if (chunk === 'VP8L') b[24] = alpha ? 0x10 : 0;
  if (chunk === 'VP8X') b[20] = alpha ? 0x10 : 0;
  return b;
}
const dataUrl = (bytes: Buffer, type = 'image/png'): string => `data:${type};base64,${bytes.toString('base64')}`;
const image = (url: string) => ({ type: 'image_url', image_url: { url } });

function line(parts: unknown[], extra: unknown[] = []): string {
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'Describe images.' },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, ...parts] },
      { role: 'assistant', content: 'A picture.' },
      ...extra,
    ],
  });
}
const file = (bad: string, at = 3): string => {
  const lines = validLines(9);
  lines.splice(at - 1, 0, bad);
  return lines.join('\n');
};
const errors = (r: ValidationReport): Finding[] => r.files[0]!.errors;
const VISION = { model: 'gpt-4o-2024-08-06' };

describe('image headers', () => {
  it.each([
    [png(2), 'png', 'RGB'],
    [png(6), 'png', 'RGBA'],
    [png(3), 'png', 'P'],
    [png(0), 'png', 'L'],
    [jpeg(3), 'jpeg', 'RGB'],
    [jpeg(1), 'jpeg', 'L'],
    [jpeg(4), 'jpeg', 'CMYK'],
    [webp('VP8 ', false), 'webp', 'RGB'],
    [webp('VP8L', true), 'webp', 'RGBA'],
    [webp('VP8X', false), 'webp', 'RGB'],
    [Buffer.from('GIF89a......'), undefined, undefined],
  ])('%#: %s %s', (bytes, format, mode) => {
    expect(readImageHeader(bytes)).toEqual({ format, mode });
  });
});

describe('vision data', () => {
  it('RGB and RGBA JPEG, PNG and WEBP data URLs are valid for a vision model; image examples are counted', async () => {
    const report = await validateText(file(line([image(dataUrl(png(6))), image(dataUrl(jpeg(3), 'image/jpeg')), image(dataUrl(webp('VP8X', true), 'image/webp'))])), VISION);
    expect(errors(report)).toEqual([]);
    expect(report.files[0]!.imageExamples).toBe(1);
  });

  const bad: Array<[string, unknown[], RegExp, string]> = [
    ['a palette PNG', [image(dataUrl(png(3)))], /mode is P; Azure accepts RGB or RGBA/, 'messages[1].content[1].image_url.url'],
    ['a grayscale JPEG', [image(dataUrl(jpeg(1), 'image/jpeg'))], /mode is L/, 'messages[1].content[1].image_url.url'],
    ['a GIF', [image(dataUrl(Buffer.from('GIF89a-not-allowed'), 'image/gif'))], /not a JPEG, PNG or WEBP/, 'messages[1].content[1].image_url.url'],
    ['a PNG labelled as JPEG', [image(dataUrl(png(2), 'image/jpeg'))], /says image\/jpeg but the image is a PNG/, 'messages[1].content[1].image_url.url'],
    ['broken base64', [image('data:image/png;base64,@@@')], /not valid base64/, 'messages[1].content[1].image_url.url'],
    ['a file path', [image('/tmp/cat.png')], /http\(s\) URL or a data URL/, 'messages[1].content[1].image_url.url'],
    ['an unknown detail', [{ type: 'image_url', image_url: { url: dataUrl(png(2)), detail: 'max' } }], /low, high or auto/, 'messages[1].content[1].image_url.detail'],
  ];

  it.each(bad)('%s → invalid_image at its line and field', async (_name, parts, message, field) => {
    const report = await validateText(file(line(parts), 5), VISION);
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'invalid_image', line: 5, field })]);
    expect(errors(report)[0]!.message).toMatch(message);
  });

  it('an image over 10 MB is invalid', async () => {
    const report = await validateText(file(line([image(dataUrl(png(2, MAX_IMAGE_BYTES + 1)))])), VISION);
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'invalid_image', line: 3 })]);
    expect(errors(report)[0]!.message).toMatch(/is 10485761 bytes; Azure accepts at most 10 MB/);
  });

  it('at most 64 images per example', async () => {
    const at64 = await validateText(file(line(Array.from({ length: 64 }, () => image(dataUrl(png(2)))))), VISION);
    expect(errors(at64)).toEqual([]);
    const at65 = await validateText(file(line(Array.from({ length: 65 }, () => image(dataUrl(png(2)))))), VISION);
    expect(errors(at65)).toEqual([expect.objectContaining({ code: 'too_many_images', line: 3 })]);
  });

  it('no images in assistant messages', async () => {
    const report = await validateText(file(line([], [{ role: 'user', content: 'more' }, { role: 'assistant', content: [image(dataUrl(png(2)))] }])), VISION);
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'image_in_assistant_message', line: 3, field: 'messages[4].content[0].image_url' })]);
  });

  it('http URLs are allowed but flagged, never fetched', async () => {
    const report = await validateText(file(line([image('https://203.0.113.9/cat.png')])), VISION);
    expect(report.valid).toBe(true);
    expect(report.files[0]!.warnings).toEqual([expect.objectContaining({ code: 'image_url_not_checked', line: 3, field: 'messages[1].content[1].image_url.url' })]);
  });

  it('images on a text-only model are refused, naming the vision models', async () => {
    const report = await validateText(file(line([image(dataUrl(png(2)))])), { model: 'gpt-4.1-mini' });
    expect(errors(report)).toEqual([expect.objectContaining({ code: 'images_not_supported', line: 3 })]);
    expect(errors(report)[0]!.message).toMatch(/supported by gpt-4o-2024-08-06, gpt-4\.1-2025-04-14/);
  });
});
