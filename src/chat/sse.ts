/**
 * Relays Azure OpenAI's server-sent events to the caller as the bytes they arrived in — no
 * parsing, no re-serialising: the answer is already in OpenAI's format (`data: <json>\n\n` per
 * chunk, then `data: [DONE]\n\n`). Pull-based, so a reader that applies backpressure slows the
 * upstream read rather than filling memory (@azure/functions 4.x itself does not: it reads the
 * body as fast as it arrives; Azure/azure-functions-nodejs-library#294).
 *
 * Bytes are passed on up to the last complete event in what has arrived (an event ends with a
 * blank line), the rest held until its end arrives. So if the upstream fails midway the caller
 * has only whole events, and the stream ends with one `data: {"error": ...}` event — what
 * OpenAI's SDKs raise as an APIError — instead of a torn connection or half an event, and without
 * `[DONE]`, so no client mistakes it for a complete answer.
 */
import type { ChatError } from './errors.js';

const encoder = new TextEncoder();

export const sseEvent = (data: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells proxies that buffer responses (nginx and the like) not to hold the events back.
  'x-accel-buffering': 'no',
};

/** End of the last complete event in `bytes` (after its blank line, `\n\n` or `\r\n\r\n`), or 0. */
export function completeEventsEnd(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i > 0; i--) {
    if (bytes[i] !== 10) continue;
    if (bytes[i - 1] === 10) return i + 1;
    if (bytes[i - 1] === 13 && i >= 3 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  }
  return 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function relaySse(upstream: ReadableStream<Uint8Array>, onError: (error: unknown) => ChatError): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await reader.read();
          if (next.done) {
            if (pending.length > 0) controller.enqueue(pending);
            controller.close();
            return;
          }
          const bytes = concat(pending, next.value);
          const end = completeEventsEnd(bytes);
          pending = bytes.subarray(end);
          if (end > 0) {
            controller.enqueue(end === bytes.length ? bytes : bytes.subarray(0, end));
            return;
          }
        }
      } catch (error) {
        controller.enqueue(sseEvent(onError(error).envelope));
        controller.close();
      }
    },
    // Runs when the consumer cancels the body: stops the upstream request. (@azure/functions 4.x
    // drains the body to the end even after the caller has gone; a host that cancels aborts it.)
    cancel(reason) {
      void reader.cancel(reason).catch(() => undefined);
    },
  });
}
