/**
 * `customs gate IMAGE --server URL --token T`: the image is scanned here, the
 * scan JSON is posted to the server's POST /api/v1/verdicts, and the server
 * judges it with its central policy and exceptions and records it in its
 * inventory (docs/server.md "CI"). When the server cannot be reached (no
 * connection, a timeout, or a 502/503/504), --offline says what happens:
 * `fail` fails the gate, `judge` decides here with the local flags.
 */
import { CustomsError, type ErrorCode } from '../core/index.js';
import type { Verdict } from '../policy/index.js';

export const OFFLINE_MODES = ['fail', 'judge'] as const;
export type OfflineMode = (typeof OFFLINE_MODES)[number];

export interface RemoteVerdict {
  readonly status: Verdict['status'];
  readonly verdict: Verdict;
  readonly imageDigest: string;
  readonly verdictId: number;
}

/** The server could not be asked (as opposed to answering with an error). */
export class ServerUnreachable extends CustomsError {
  constructor(message: string, cause?: unknown) {
    super('SERVER_UNREACHABLE', message, cause);
  }
}

/** http(s)://host[:port][/prefix] → the verdicts URL; USAGE_BAD_FLAG otherwise. */
export function verdictsUrl(server: string): URL {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new CustomsError('USAGE_BAD_FLAG', `--server "${server}" is not a URL; give http(s)://HOST[:PORT]`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new CustomsError('USAGE_BAD_FLAG', `--server "${server}" must be an http:// or https:// URL`);
  if (base.username !== '' || base.password !== '')
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      '--server must not carry credentials; pass the token with --token or CUSTOMS_TOKEN',
    );
  return new URL(`${base.pathname.replace(/\/+$/, '')}/api/v1/verdicts`, base);
}

/** POST the scan JSON; the server's verdict, or ServerUnreachable, or the server's error as a CustomsError. */
export async function postVerdict(opts: {
  readonly server: string;
  readonly token: string;
  readonly scanJson: string;
  readonly policy?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}): Promise<RemoteVerdict> {
  const url = verdictsUrl(opts.server);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const payload = `{"scan":${opts.scanJson}${opts.policy !== undefined ? `,"policy":${JSON.stringify(opts.policy)}` : ''}}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opts.token}`,
        'content-type': 'application/json',
        'user-agent': 'customs-gate',
      },
      body: payload,
      signal,
    });
  } catch (e) {
    if (opts.signal?.aborted) throw new CustomsError('ABORTED', 'gate cancelled', e);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerUnreachable(
      `cannot reach the customs server at ${url.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      e,
    );
  }
  const text = await res.text();
  // A server that fails (5xx) cannot judge: the same as one that cannot be reached.
  if (res.status >= 500)
    throw new ServerUnreachable(
      `the customs server at ${url.origin} failed (HTTP ${res.status.toString()}): ${text.slice(0, 300)}`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ServerUnreachable(
      `${url.origin} answered HTTP ${res.status.toString()} with something that is not JSON: is it a customs server?`,
    );
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } }).error;
    const codes: Record<number, ErrorCode> = {
      401: 'API_UNAUTHENTICATED',
      403: 'API_FORBIDDEN',
      404: 'API_NOT_FOUND',
      422: 'SCAN_RESULT_INVALID',
      429: 'API_RATE_LIMITED',
    };
    throw new CustomsError(
      codes[res.status] ?? 'API_REQUEST_INVALID',
      `the customs server refused the verdict request (HTTP ${res.status.toString()} ${err?.code ?? ''}): ${err?.message ?? text.slice(0, 300)}`,
    );
  }
  const v = body as Partial<RemoteVerdict>;
  if (v.verdict === undefined || (v.status !== 'pass' && v.status !== 'warn' && v.status !== 'fail'))
    throw new ServerUnreachable(`${url.origin} answered without a verdict: is it a customs server?`);
  return v as RemoteVerdict;
}
