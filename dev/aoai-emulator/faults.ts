/**
 * Injected transient failures: a configured fraction of requests is answered 429 (with the
 * `Retry-After` headers Azure sends, which the openai SDK and the Azure SDKs honour) or 500.
 * Draws come from the emulator's seeded generator, so a run with the same seed fails the same
 * requests.
 */
import { ApiError } from './errors.js';
import type { Plane } from './router.js';
import type { EmulatorState } from './state.js';

export function injectedFault(state: EmulatorState, plane: Plane, apiVersion: string | null): ApiError | null {
  const { rateLimitFraction, serverErrorFraction, retryAfterSeconds } = state.config;
  if (rateLimitFraction <= 0 && serverErrorFraction <= 0) return null;
  const draw = state.faultRng.next();
  if (draw < rateLimitFraction) {
    const seconds = Math.max(0, Math.ceil(retryAfterSeconds));
    const headers = { 'retry-after': String(seconds), 'retry-after-ms': String(Math.round(retryAfterSeconds * 1000)) };
    if (plane === 'arm') {
      return new ApiError(429, { code: 'TooManyRequests', message: `The request was throttled. Please retry after ${seconds} seconds.` }, headers);
    }
    const version = apiVersion ? ` under Azure OpenAI API version ${apiVersion}` : '';
    return new ApiError(
      429,
      {
        code: '429',
        message:
          `Requests to this operation${version} have exceeded call rate limit of your current OpenAI S0 pricing tier. ` +
          `Please retry after ${seconds} seconds.`,
      },
      { ...headers, 'x-ratelimit-remaining-requests': '0' },
    );
  }
  if (draw < rateLimitFraction + serverErrorFraction) {
    return new ApiError(500, { code: 'InternalServerError', message: 'The service encountered an internal error. Please retry.' });
  }
  return null;
}
