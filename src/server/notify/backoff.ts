/**
 * When to try a failed delivery again: exponential backoff with jitter
 * (base · 2^(attempt−1), capped, then a random point in its upper half, so
 * receivers that come back are not hit by every sender at once), or the
 * receiver's own Retry-After (RFC 9110 §10.2.3: seconds or an HTTP date),
 * capped at the same maximum.
 */

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export function backoffDelay(opts: BackoffOptions, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(opts.baseMs * 2 ** Math.max(0, attempt - 1), opts.maxMs);
  return Math.round(full / 2 + random() * (full / 2));
}

/** The delay a Retry-After header asks for (ms), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
