import type { IncomingMessage } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

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

/**
 * An extension's system key (`durabletask_extension`, `blobs_extension`), as the real host keeps
 * one per extension so that URLs handed to callers (the Durable status URLs, the Event Grid
 * subscription endpoint) never carry the master key. Derived from the master key so the URLs a
 * run recorded stay valid across restarts.
 */
export function systemKey(keys: HostKeys, extension: string): string | undefined {
  return keys.master ? createHmac('sha256', keys.master).update(extension).digest('base64url') : undefined;
}

/**
 * `/runtime/webhooks/<extension>` routes: admin-level like the real host's extension webhooks — the
 * master key or that extension's system key, once any key is configured.
 */
export function isWebhookAuthorized(keys: HostKeys, extension: string, presented: string | undefined): boolean {
  const configured = Boolean(keys.master) || Boolean(keys.function?.length);
  if (!configured) return true;
  const accepted = [keys.master, systemKey(keys, extension)].filter((k): k is string => Boolean(k));
  return presented !== undefined && accepted.some((key) => sameKey(key, presented));
}
