/**
 * Authentication as the two Azure planes check it. The emulator cannot validate Entra ID tokens,
 * so any bearer token is accepted; the api-key must equal the configured key, so a client that
 * sends the wrong key fails here exactly as it would against Azure.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, armError } from './errors.js';

const DATA_PLANE_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an ' +
  'active subscription and use a correct regional API endpoint for your resource.';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearerToken(headers: IncomingHttpHeaders): string | null | undefined {
  const authorization = header(headers, 'authorization');
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Azure OpenAI data plane: `api-key: <key>` or `Authorization: Bearer <token>`. */
export function checkDataPlaneAuth(headers: IncomingHttpHeaders, apiKey: string): void {
  const key = header(headers, 'api-key');
  if (key !== undefined) {
    if (sameSecret(key, apiKey)) return;
    throw new ApiError(401, { code: '401', message: DATA_PLANE_DENIED });
  }
  if (bearerToken(headers)) return;
  throw new ApiError(401, { code: '401', message: DATA_PLANE_DENIED });
}

/** Azure Resource Manager: a bearer token is required (its messages are ARM's own). */
export function checkArmAuth(headers: IncomingHttpHeaders): void {
  const token = bearerToken(headers);
  if (token === undefined) {
    throw armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  }
  if (token === null) {
    throw armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is provided in an invalid format.");
  }
}
