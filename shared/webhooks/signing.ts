import { createHmac } from 'node:crypto';

/** The spec's secret form: `whsec_` and the key in base64. */
export const SECRET_PREFIX = 'whsec_';

/**
 * The key of a `whsec_<base64>` secret, or an explanation of why it is not
 * one (for config errors). The spec's own example key is 24 bytes; a shorter
 * one is refused as too weak, a longer one than 64 as a likely mistake.
 */
export function parseSecret(raw: string): Buffer | string {
  if (!raw.startsWith(SECRET_PREFIX)) return `expected "${SECRET_PREFIX}" followed by the key in base64 (the value is not shown)`;
  const b64 = raw.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return `expected base64 after "${SECRET_PREFIX}"`;
  const key = Buffer.from(b64, 'base64');
  if (key.length < 24 || key.length > 64) return `expected a key of 24 to 64 bytes, got ${key.length}`;
  return key;
}

/**
 * The `webhook-signature` header value for one delivery, as the Standard
 * Webhooks spec defines it: `v1,` and the base64 HMAC-SHA256, under the
 * secret's key, of `<id>.<timestamp>.<body>` (timestamp in seconds).
 */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}
