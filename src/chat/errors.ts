/**
 * Errors in OpenAI's envelope, `{"error": {"message", "type", "param", "code"}}`, so clients built
 * for the OpenAI API (the official SDKs raise typed errors from it) understand our answers, and the
 * mapping of Azure OpenAI's failures onto what a caller of this endpoint should see.
 */
import type { HttpResponseInit } from '@azure/functions';
import { APIConnectionError, APIError } from 'openai';

export type ErrorType = 'invalid_request_error' | 'rate_limit_error' | 'api_error';

export class ChatError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Headers the caller needs to act on the error (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ChatError';
  }

  get envelope(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A 400 about one field of the request; `param` names it as OpenAI does (`messages[2].role`). */
export function invalidField(param: string, message: string, code = 'invalid_value'): ChatError {
  return new ChatError(400, message, 'invalid_request_error', code, param);
}

export function errorResponse(error: ChatError): HttpResponseInit {
  return { status: error.status, headers: { ...error.headers }, jsonBody: error.envelope };
}

/** The retry hints Azure OpenAI sends with a 429; the SDKs honour both. */
const RETRY_HEADERS = ['retry-after', 'retry-after-ms'] as const;

/**
 * What the caller sees when Azure OpenAI fails:
 * - 429 stays 429 with the upstream `Retry-After`, so the caller's client backs off as it would
 *   against OpenAI (this app does not retry: a second retry layer would multiply the waits);
 * - other 4xx keep their status and the service's own message (bad parameter, content filter,
 *   context too long...), since the caller can fix them;
 * - 401/403 are the app's own credentials failing, not the caller's: a 502, and the upstream
 *   message is not passed on;
 * - 5xx, timeouts and network failures are a 502 (bad gateway).
 */
export function fromUpstream(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  const mapped = mapUpstream(error);
  // Kept for the log line: what actually failed, which the caller's message may only summarise.
  Object.defineProperty(mapped, 'cause', { value: error, enumerable: false });
  return mapped;
}

function mapUpstream(error: unknown): ChatError {
  if (error instanceof APIError && !(error instanceof APIConnectionError) && typeof error.status === 'number') {
    const body = upstreamBody(error.error);
    const status = error.status;
    if (status === 429) {
      const headers: Record<string, string> = {};
      for (const name of RETRY_HEADERS) {
        const value = error.headers?.get(name);
        if (value) headers[name] = value;
      }
      return new ChatError(429, body.message ?? 'Rate limit reached for the deployment. Retry later.', 'rate_limit_error', body.code ?? 'rate_limit_exceeded', null, headers);
    }
    if (status === 401 || status === 403) {
      return new ChatError(502, `Azure OpenAI refused the app's credentials (HTTP ${status}); check the app's identity or key.`, 'api_error', 'upstream_auth_failed');
    }
    if (status >= 400 && status < 500) {
      return new ChatError(status, body.message ?? `Azure OpenAI rejected the request (HTTP ${status}).`, 'invalid_request_error', body.code, body.param);
    }
    return new ChatError(502, `Azure OpenAI failed to answer (HTTP ${status})${body.message ? `: ${body.message}` : '.'}`, 'api_error', 'upstream_error');
  }
  if (error instanceof APIError && !(error instanceof APIConnectionError)) {
    // No status: an error event inside a stream that had already started.
    const body = upstreamBody(error.error);
    return new ChatError(502, `Azure OpenAI failed while streaming${body.message ? `: ${body.message}` : '.'}`, 'api_error', body.code ?? 'upstream_error');
  }
  if (error instanceof APIError) {
    // APIConnectionError / APIConnectionTimeoutError: no answer, or the connection broke.
    return new ChatError(502, `Azure OpenAI could not be reached: ${error.message}`, 'api_error', 'upstream_unavailable');
  }
  return new ChatError(502, 'Azure OpenAI could not be reached.', 'api_error', 'upstream_unavailable');
}

function upstreamBody(value: unknown): { message?: string; code: string | null; param: string | null } {
  if (typeof value !== 'object' || value === null) return { code: null, param: null };
  const { message, code, param } = value as Record<string, unknown>;
  return {
    ...(typeof message === 'string' && message !== '' ? { message } : {}),
    code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : null,
    param: typeof param === 'string' ? param : null,
  };
}
