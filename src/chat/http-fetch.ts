/**
 * A `fetch` for the chat proxy's calls to Azure OpenAI built on node:http/https with keep-alive
 * connection pools, handed to the openai SDK (its `fetch` option) in place of the global fetch.
 * Measured through the local host (bench/chat.bench.ts), the global fetch (undici) spent more
 * time per request than everything else in the app: it wraps each string body in a stream and
 * writes it in several system calls. Here a body goes out with its headers in one write. Only
 * what the SDK sends is supported — string or byte bodies; anything else goes to the global fetch.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers || Array.isArray(headers)) for (const [name, value] of headers as Iterable<[string, string]>) out[name] = value;
  else Object.assign(out, headers);
  return out;
}

export const keepAliveFetch: typeof fetch = (input, init = {}) => {
  const body = init.body;
  if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
  const url = new URL(input instanceof URL ? input.href : input);
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
  const headers = plainHeaders(init.headers);
  if (body != null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  return new Promise<Response>((resolve, reject) => {
    const request = (protocol === 'https:' ? https : http).request(url, {
      method: init.method ?? 'GET',
      headers,
      agent: agents[protocol],
      ...(init.signal ? { signal: init.signal } : {}),
    });
    request.once('error', reject);
    request.once('response', (response) => {
      const responseHeaders = new Headers();
      const raw = response.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
      const status = response.statusCode ?? 502;
      const empty = status === 204 || status === 304 || init.method === 'HEAD';
      if (empty) response.resume();
      resolve(
        new Response(empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
          status,
          statusText: response.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });
    request.end(body ?? undefined);
  });
};
