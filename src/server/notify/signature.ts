/**
 * Webhook signatures, in GitHub's scheme ("Validating webhook deliveries"):
 * the header X-Customs-Signature-256 carries `sha256=` and the lower-case hex
 * HMAC-SHA256 (RFC 2104) of the raw request body under the subscription's
 * secret. Receivers recompute it over the bytes they received — before any
 * JSON parsing — and compare in constant time. The body carries its own
 * `timestamp` (so it is signed too): a receiver refuses old ones to stop
 * replays, and dedups on the delivery id.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-customs-signature-256';
export const DELIVERY_HEADER = 'x-customs-delivery';
export const EVENT_HEADER = 'x-customs-event';
export const EVENT_ID_HEADER = 'x-customs-event-id';
export const TIMESTAMP_HEADER = 'x-customs-timestamp';

/** `sha256=<hex>` for the body under the secret. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when `header` is the signature of exactly these bytes under the secret. */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (header === undefined || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
