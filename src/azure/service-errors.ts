/**
 * Which failures of Azure OpenAI, ARM and storage calls are worth retrying. Durable Functions' JS
 * retry options cannot filter by exception, so activities use this to decide: transient failures
 * (429, 408, 5xx, timeouts, network errors) are thrown and retried by the orchestration; permanent
 * ones (other 4xx: bad request, auth, not found, conflict) are returned as a failure the
 * orchestration does not retry, with the service's own message.
 */
export interface ServiceFailure {
  code: string;
  message: string;
  status?: number;
}

export interface Classified {
  permanent: boolean;
  failure: ServiceFailure;
  /** From `Retry-After` / `retry-after-ms`, for 429s. */
  retryAfterMs?: number;
}

type HeaderBag = { get?: (name: string) => string | null | undefined } | Record<string, string | undefined> | undefined;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get: (n: string) => string | null | undefined }).get(name) ?? undefined;
  return (headers as Record<string, string | undefined>)[name];
}

export function retryAfterMs(headers: HeaderBag): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = header(headers, 'retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyError(error: unknown): Classified {
  const e = error as {
    status?: number;
    statusCode?: number;
    code?: string | number | null;
    message?: string;
    error?: { code?: string; message?: string };
    headers?: HeaderBag;
    response?: { headers?: HeaderBag };
  };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const code = String(e?.error?.code ?? e?.code ?? (status !== undefined ? `http_${status}` : 'network_error'));
  const message = e?.error?.message ?? e?.message ?? String(error);
  const failure: ServiceFailure = { code, message, ...(status !== undefined ? { status } : {}) };
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const after = status === 429 ? retryAfterMs(e.headers ?? e.response?.headers) : undefined;
    return { permanent: false, failure, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return { permanent: true, failure };
}

/**
 * Whether a failed call means "there is no such thing" — the one not-found test for every client
 * the app uses: `@azure/storage-blob` and ARM (`RestError.statusCode`), `openai` (`APIError.status`),
 * and the `durable-functions` client, which throws a plain `Error` whose only trace of the status
 * is its text ("...replied with HTTP 404 response", durable-functions 3.5
 * lib/src/durableClient/DurableClient.js `getStatus`) — matched here and nowhere else.
 */
export function isNotFound(error: unknown): boolean {
  const e = error as { status?: unknown; statusCode?: unknown; message?: unknown } | null | undefined;
  if (e?.status === 404 || e?.statusCode === 404) return true;
  return typeof e?.message === 'string' && /^DurableClient error: .*\bHTTP 404 response\b/.test(e.message);
}
