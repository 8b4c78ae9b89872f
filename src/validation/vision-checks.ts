/**
 * Checks of `image_url` content parts in training data, following Azure's vision fine-tuning
 * requirements (learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-vision, "Image dataset
 * requirements"): at most 64 images per example, at most 10 MB per image, JPEG, PNG or WEBP in
 * RGB or RGBA mode, no images in assistant messages; images are publicly accessible URLs or
 * base64 data URIs. Data URLs are decoded and their headers read here; http(s) URLs are not
 * fetched (the validator never touches the network), so they are flagged for the user to check.
 */
import type { FindingCode } from './findings.js';

/** [fine-tuning-vision] "Max images per example: 64". */
export const MAX_IMAGES_PER_EXAMPLE = 64;
/**
 * [fine-tuning-vision] "Max image file size: 10 MB". Whether MB means 10^6 or 2^20 bytes is not
 * documented; the larger reading is used so no image Azure accepts is refused here.
 */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** [fine-tuning-vision] "Max examples with images per training file: 50,000". */
export const MAX_IMAGE_EXAMPLES_PER_FILE = 50_000;
/** Chat-completions image detail values (`image_url.detail`). */
const DETAILS = new Set(['low', 'high', 'auto']);

type Report = (code: FindingCode, message: string, field?: string) => void;

export type ImageFormat = 'jpeg' | 'png' | 'webp';
export interface ImageHeader {
  format: ImageFormat | undefined;
  /** PIL-style mode name: RGB, RGBA, L, LA, P, CMYK…; undefined when the header could not be read. */
  mode: string | undefined;
}

/** Counts and checks the images of one example. */
export class ImageTally {
  count = 0;

  /** Checks one `image_url` part (`where` is its field path) of a message with `role`. */
  check(part: Record<string, unknown>, where: string, role: unknown, issue: Report): void {
    const image = part['image_url'];
    if (typeof image !== 'object' || image === null || Array.isArray(image) || typeof (image as Record<string, unknown>)['url'] !== 'string') {
      issue('missing_content', 'image_url part needs "image_url": { "url": … }', `${where}.image_url`);
      return;
    }
    this.count++;
    const { url, detail } = image as { url: string; detail?: unknown };
    if (role === 'assistant') {
      issue('image_in_assistant_message', 'images are not allowed in assistant messages (Azure trains on images as input only)', `${where}.image_url`);
    }
    if (detail !== undefined && (typeof detail !== 'string' || !DETAILS.has(detail))) {
      issue('invalid_image', `image detail must be low, high or auto, got ${JSON.stringify(detail)}`, `${where}.image_url.detail`);
    }
    checkImageUrl(url, `${where}.image_url.url`, issue);
  }

  finish(issue: Report): void {
    if (this.count > MAX_IMAGES_PER_EXAMPLE) {
      issue('too_many_images', `example has ${this.count} images; Azure accepts at most ${MAX_IMAGES_PER_EXAMPLE} per example`, 'messages');
    }
  }
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

function checkImageUrl(url: string, field: string, issue: Report): void {
  if (/^https?:\/\//i.test(url)) {
    issue('image_url_not_checked', 'image is a URL and was not downloaded; Azure fetches it when training, so it must be publicly reachable and a JPEG, PNG or WEBP of at most 10 MB', field);
    return;
  }
  const match = DATA_URL.exec(url);
  if (!match) {
    issue('invalid_image', 'image url must be an http(s) URL or a data URL (data:image/jpeg;base64,…)', field);
    return;
  }
  const declared = match[1]!.toLowerCase();
  if (!match[2]!.toLowerCase().split(';').includes('base64')) {
    issue('invalid_image', 'data URL must be base64-encoded (data:image/png;base64,…)', field);
    return;
  }
  const payload = url.slice(match[0].length);
  if (payload.length === 0 || !BASE64.test(payload)) {
    issue('invalid_image', 'data URL is not valid base64', field);
    return;
  }
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) {
    issue('invalid_image', `image is ${bytes.length} bytes; Azure accepts at most 10 MB per image`, field);
  }
  const header = readImageHeader(bytes);
  if (!header.format) {
    issue('invalid_image', `image is not a JPEG, PNG or WEBP (declared ${declared || 'no type'})`, field);
    return;
  }
  if (declared && declared !== `image/${header.format}` && !(header.format === 'jpeg' && declared === 'image/jpg')) {
    issue('invalid_image', `data URL says ${declared} but the image is a ${header.format.toUpperCase()}`, field);
  }
  if (header.mode === undefined) {
    issue('invalid_image', `the ${header.format.toUpperCase()} image's header could not be read (truncated or corrupt image)`, field);
  } else if (header.mode !== 'RGB' && header.mode !== 'RGBA') {
    issue('invalid_image', `image mode is ${header.mode}; Azure accepts RGB or RGBA images only`, field);
  }
}

/** Format and colour mode from an image's header bytes (no pixel decoding). */
export function readImageHeader(bytes: Buffer): ImageHeader {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) {
    return { format: 'png', mode: pngMode(bytes) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { format: 'jpeg', mode: jpegMode(bytes) };
  }
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return { format: 'webp', mode: webpMode(bytes) };
  }
  return { format: undefined, mode: undefined };
}

/** IHDR colour type (PNG spec §11.2.2): 0 L, 2 RGB, 3 P, 4 LA, 6 RGBA. */
function pngMode(bytes: Buffer): string | undefined {
  if (bytes.length < 26 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return ({ 0: 'L', 2: 'RGB', 3: 'P', 4: 'LA', 6: 'RGBA' } as Record<number, string>)[bytes[25]!] ?? `colour type ${bytes[25]}`;
}

/** Components in the first start-of-frame segment: 1 L, 3 RGB (YCbCr), 4 CMYK. */
function jpegMode(bytes: Buffer): string | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 >= bytes.length) return undefined;
      const components = bytes[at + 9]!;
      return ({ 1: 'L', 3: 'RGB', 4: 'CMYK' } as Record<number, string>)[components] ?? `${components} components`;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data before any frame header
    at += 2 + length;
  }
  return undefined;
}

/** VP8 (lossy) is RGB; VP8L carries an alpha hint; VP8X has an alpha flag. */
function webpMode(bytes: Buffer): string | undefined {
  if (bytes.length < 16) return undefined;
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return 'RGB';
  if (chunk === 'VP8L') return bytes.length >= 25 && (bytes[24]! & 0x10) !== 0 ? 'RGBA' : 'RGB';
  if (chunk === 'VP8X') return bytes.length >= 21 && (bytes[20]! & 0x10) !== 0 ? 'RGBA' : 'RGB';
  return undefined;
}
