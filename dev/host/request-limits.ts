import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The Functions host's request limits: "The HTTP request length is limited to 100 MB (104,857,600
 * bytes), and the URL length is limited to 4 KB (4,096 bytes)" (learn.microsoft.com, Azure
 * Functions HTTP trigger, "Limits"). They apply to every route the host serves, the unauthenticated
 * `/runtime/webhooks/*` ones included.
 */
export const MAX_REQUEST_BYTES = 104_857_600;
export const MAX_URL_LENGTH = 4_096;

/**
 * How long a request may take to arrive in full. Azure's front end drops an HTTP request after
 * 230 s (functions-scale, "Function app timeout duration", note 1); locally a client that stalls
 * or leaves must not hold a handler that long, and loopback uploads of the maximum size take
 * well under a second, so a minute is generous.
 */
export const REQUEST_TIMEOUT_MS = 60_000;
export const HEADERS_TIMEOUT_MS = 15_000;

export class RequestTooLarge extends Error {
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
    this.name = 'RequestTooLarge';
  }
}

/** Reads the whole body, failing with RequestTooLarge past `limit` bytes (without buffering the rest). */
export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new RequestTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** For bodies that are piped on (HTTP streaming): passes bytes through and errors past `limit`. */
export function byteLimit(limit = MAX_REQUEST_BYTES): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      size += chunk.length;
      callback(size > limit ? new RequestTooLarge(limit) : null, chunk);
    },
  });
}
