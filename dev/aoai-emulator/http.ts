/** The emulator's request and reply shapes, independent of node:http so handlers stay simple. */
import type { IncomingHttpHeaders } from 'node:http';
import { invalidRequest } from './errors.js';
import type { EmulatorState } from './state.js';

export interface RequestContext {
  method: string;
  url: URL;
  /** `http://host:port` as the client addressed the emulator; used to build absolute links. */
  origin: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  body: Buffer;
  /** The request body as a stream, for routes that take it so (`streamsBody`); `body` is then empty. */
  stream?: AsyncIterable<Buffer> & NodeJS.ReadableStream;
  state: EmulatorState;
  /** The api-version query parameter, when the route takes one. */
  apiVersion: string | null;
  now: number;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; bytes: Buffer | string; contentType: string; headers?: Record<string, string> }
  | { status: number; events: AsyncIterable<string>; headers?: Record<string, string> }
  | { status: number; headers?: Record<string, string> };

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

/** Parses a JSON request body that must be an object; names the problem for the client. */
export function jsonBody(ctx: RequestContext): Record<string, unknown> {
  if (ctx.body.length === 0) throw invalidRequest('The request body is empty; expected a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(ctx.body.toString('utf8'));
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** `after`/`limit` pagination over a list already in the order the API returns it. */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  query: URLSearchParams,
  defaultLimit = 20,
): { data: T[]; has_more: boolean } {
  const limitText = query.get('limit');
  let limit = defaultLimit;
  if (limitText !== null) {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw invalidRequest(`Invalid value for 'limit': expected a whole number from 1 to 10000, got '${limitText}'.`, 'limit');
    }
  }
  let start = 0;
  const after = query.get('after');
  if (after) {
    const index = items.findIndex((item) => item.id === after);
    start = index === -1 ? items.length : index + 1;
  }
  const data = items.slice(start, start + limit);
  return { data, has_more: start + limit < items.length };
}
