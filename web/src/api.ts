/**
 * The dashboard's only way to the server: same-origin fetches of the public
 * REST API (/api/v1/…) with the session cookie. Errors carry the API's
 * documented body ({"error": {code, message, hint}}).
 */

export type Role = 'viewer' | 'ci' | 'admin';
export interface Session {
  readonly name: string;
  readonly role: Role;
}

const RANK: Record<Role, number> = { viewer: 1, ci: 2, admin: 3 };
/** Whether a session of `role` may use a control that needs `needed` (the API's nesting: admin ⊃ ci ⊃ viewer). */
export const can = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  };
  const res = await fetch(path, init);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? 'HTTP', e?.message ?? `${method} ${path}: HTTP ${res.status}`, e?.hint);
  }
  return parsed as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal);

/** Build a path with a query string from the defined values. */
export function withQuery(path: string, q: Record<string, string | number | boolean | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s === '' ? path : `${path}?${s}`;
}

// ---- the API's shapes the pages read (docs/api.md) ----
export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}
export interface TagRef {
  registry: string;
  repository: string;
  repositoryId: number;
  tag: string;
}
export interface ImageSummary {
  id: number;
  digest: string;
  platform?: string;
  createdAt: number;
  inventoryAt?: number;
  openFindings: SeverityCounts;
  verdict?: string;
  tags: TagRef[];
}
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
