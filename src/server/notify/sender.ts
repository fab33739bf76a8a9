/**
 * One HTTP POST of a delivery. The outcome says whether to retry:
 * network errors, timeouts, 408, 429 and 5xx are worth another attempt
 * (with the receiver's Retry-After when it sends one); any other status, a
 * redirect, or a refused address is not — the delivery goes to the
 * dead-letter list at once, where an admin can retry it after fixing the
 * receiver. Redirects are not followed: a receiver that moves must be
 * updated in the subscription, and following one would let any receiver
 * point signed payloads at another host.
 *
 * Addresses follow the shared address policy (image/ classifyAddress):
 * link-local (169.254.0.0/16 and fe80::/10, where cloud metadata services
 * answer) and reserved addresses are refused unless allowed; checked at
 * connect time, so a name that resolves differently the second time (DNS
 * rebinding) gains nothing.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { type AddressClass, classifyAddress } from '../../image/index.js';
import { retryAfterMs } from './backoff.js';
import { maskWebhookUrl } from './mask-url.js';

export interface SendOptions {
  /** Per-request timeout (connect, headers and body). */
  readonly timeoutMs: number;
  /** Address classes a receiver may not have (default link-local and reserved). */
  readonly refusedAddresses: readonly AddressClass[];
  readonly now: () => number;
}

export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly retry: boolean;
      readonly error: string;
      readonly status?: number;
      readonly retryAfterMs?: number;
    };

export const DEFAULT_REFUSED: readonly AddressClass[] = ['link-local', 'reserved'];

/** Why an address may not receive deliveries, or undefined. */
export function refusedAddress(address: string, refused: readonly AddressClass[]): string | undefined {
  const cls = classifyAddress(address);
  return refused.includes(cls) ? `${address} is a ${cls} address` : undefined;
}

class RefusedAddress extends Error {
  readonly code = 'CUSTOMS_ADDRESS_REFUSED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** An HTTP client whose connections refuse the policy's addresses. */
export function makeAgent(refused: readonly AddressClass[]): Agent {
  const lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '');
      for (const a of addresses) {
        const why = refusedAddress(a.address, refused);
        if (why) return callback(new RefusedAddress(`${hostname}: ${why}`), options.all ? [] : '');
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
  return new Agent({ connect: { lookup: lookup as never } });
}

const RETRY_STATUSES = new Set([408, 429]);

/** What is kept of a receiver's answer (for the delivery's last error); the rest is not read. */
const MAX_ANSWER_BYTES = 4096;

/** Up to `max` bytes of a body as text (first 200 characters); a longer or endless body is cut, not read. */
async function boundedText(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').slice(0, 200);
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const code = (e as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  return `${e.message}${typeof code === 'string' && !e.message.includes(code) ? ` (${code})` : ''}${cause instanceof Error && cause.message !== e.message ? `: ${cause.message}` : ''}`;
}

function isRefused(e: unknown): boolean {
  for (let c: unknown = e; c instanceof Error; c = (c as { cause?: unknown }).cause) {
    if ((c as { code?: unknown }).code === 'CUSTOMS_ADDRESS_REFUSED') return true;
  }
  return false;
}

export async function send(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: SendOptions,
): Promise<SendOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return {
      ok: false,
      retry: false,
      error: `the subscription's URL (${maskWebhookUrl(url)}) is not a URL: correct it`,
    };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { ok: false, retry: false, error: `${target.protocol} URLs are not supported: use http or https` };
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = refusedAddress(host, opts.refusedAddresses);
    if (why) return { ok: false, retry: false, error: `refused to send to ${why}` };
  }
  try {
    const res = await request(target, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'customs-webhooks', ...headers },
      dispatcher: agent,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await boundedText(res.body, MAX_ANSWER_BYTES);
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    const after = retryAfterMs(
      typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
      opts.now(),
    );
    const error = `HTTP ${status}${text ? `: ${text.replace(/\s+/g, ' ').trim()}` : ''}`;
    if (status >= 300 && status < 400) {
      const location = typeof res.headers.location === 'string' ? res.headers.location : '(no Location)';
      return {
        ok: false,
        retry: false,
        status,
        error: `HTTP ${status} redirect to ${location} not followed: update the subscription's URL`,
      };
    }
    const retry = status >= 500 || RETRY_STATUSES.has(status);
    return { ok: false, retry, status, error, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  } catch (e) {
    if (isRefused(e)) return { ok: false, retry: false, error: `refused to send: ${errorText(e)}` };
    return { ok: false, retry: true, error: errorText(e) };
  }
}
