/**
 * Server-sent events in OpenAI's streaming format: `data: <json>\n\n` per chunk and a final
 * `data: [DONE]\n\n`. Each chunk is written as soon as the upstream yields it (pull-based, so a
 * slow reader also slows the upstream read rather than filling memory). If the upstream fails
 * midway, the stream ends with one `data: {"error": ...}` event — what OpenAI's SDKs raise as an
 * APIError — instead of a torn connection, and without `[DONE]`, so no client mistakes it for a
 * complete answer.
 */
import type { ChatError } from './errors.js';

const encoder = new TextEncoder();

export const sseEvent = (data: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
export const SSE_DONE = encoder.encode('data: [DONE]\n\n');

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells proxies that buffer responses (nginx and the like) not to hold the events back.
  'x-accel-buffering': 'no',
};

export interface SseSource<T> {
  chunks: AsyncIterable<T>;
  /** Stops the upstream request when the caller goes away. */
  abort(): void;
}

export function sseStream<T>(source: SseSource<T>, onError: (error: unknown) => ChatError): ReadableStream<Uint8Array> {
  const iterator = source.chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.enqueue(SSE_DONE);
          controller.close();
        } else {
          controller.enqueue(sseEvent(next.value));
        }
      } catch (error) {
        controller.enqueue(sseEvent(onError(error).envelope));
        controller.close();
      }
    },
    // Runs when the consumer cancels the body. @azure/functions 4.x drains the body to the end even
    // after the caller has gone, so today the upstream answer runs to completion (bounded by
    // max_tokens); a host that does cancel gets the upstream request aborted.
    cancel() {
      source.abort();
      // Not awaited: a `next()` still pending on the aborted request settles on its own.
      void iterator.return?.()?.catch(() => undefined);
    },
  });
}
