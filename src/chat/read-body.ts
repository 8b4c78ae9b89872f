/**
 * Reads a request body up to a byte limit. With HTTP streams on, the body arrives as a stream, so
 * an oversized request is refused (413) as soon as the limit is crossed instead of being buffered
 * whole first; a `Content-Length` over the limit is refused before reading anything.
 */
import { ChatError } from './errors.js';

export async function readBodyText(body: ReadableStream<Uint8Array> | null, contentLength: string | null, maxBytes: number): Promise<string> {
  const declared = contentLength === null ? NaN : Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!body) return '';
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

function tooLarge(maxBytes: number): ChatError {
  return new ChatError(413, `The request body is larger than ${maxBytes} bytes (CHAT_MAX_BODY_BYTES).`, 'invalid_request_error', 'request_too_large');
}
