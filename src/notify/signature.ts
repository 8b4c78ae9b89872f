import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Signature` of a webhook notification: `sha256=<hex HMAC-SHA256 of the exact body>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver does (constant-time compare of the header with its own signature of the raw body). */
export function verifySignature(body: string, secret: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
