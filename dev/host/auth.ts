import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/** Keys the host checks for `function` and `admin` auth levels (none configured: open, like func start). */
export interface HostKeys {
  /** The master (admin) key: accepted for every auth level. */
  master?: string;
  /** Function keys accepted for `authLevel: 'function'`. */
  function?: string[];
}

const sameKey = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** The key a caller presented, from the `x-functions-key` header or the `code` query parameter. */
export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
}

export function isAuthorized(authLevel: string | undefined, keys: HostKeys, presented: string | undefined): boolean {
  const level = (authLevel ?? 'function').toLowerCase();
  if (level === 'anonymous') return true;
  const master = keys.master ? [keys.master] : [];
  const accepted = level === 'admin' ? master : [...master, ...(keys.function ?? [])];
  const configured = Boolean(keys.master) || Boolean(keys.function?.length);
  if (!configured) return true;
  return presented !== undefined && accepted.some((key) => sameKey(key, presented));
}
