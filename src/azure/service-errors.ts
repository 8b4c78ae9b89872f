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
}

/**
 * A bug in the app's own code (a TypeError reading a field that is not there, and the like), not a
 * service that could not be reached: retrying it — or waiting it out as an outage for an hour —
 * only hides it. undici's fetch reports network failures as `TypeError('fetch failed', { cause })`,
 * so a TypeError with a cause, or with that message, is still a network error.
 */
function isCodeBug(error: unknown): boolean {
  if (!(error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError)) return false;
  return error.cause === undefined && error.message !== 'fetch failed';
}

export function classifyError(error: unknown): Classified {
  const e = error as {
    status?: number;
    statusCode?: number;
    code?: string | number | null;
    message?: string;
    error?: { code?: string; message?: string };
  };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const code = String(e?.error?.code ?? e?.code ?? (status !== undefined ? `http_${status}` : 'network_error'));
  const message = e?.error?.message ?? e?.message ?? String(error);
  if (status === undefined && isCodeBug(error)) return { permanent: true, failure: { code: 'internal_error', message } };
  const failure: ServiceFailure = { code, message, ...(status !== undefined ? { status } : {}) };
  // Retry-After is honoured by the SDKs' own quick retries (openai, @azure/core-rest-pipeline).
  if (status === undefined || status === 408 || status === 429 || status >= 500) return { permanent: false, failure };
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
