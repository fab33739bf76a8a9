/**
 * Reaching a stored registry: its host from the URL, its TLS settings as the
 * registry client's Context, and its stored credentials (opened from the
 * store, handed to the client bound to that host, never logged).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, CustomsError, createContext } from '../../core/index.js';
import type { Registry } from '../../store/index.js';
import type { ServerContext } from '../context.js';

/** "https://ghcr.io/" → "ghcr.io"; "127.0.0.1:5000" → "127.0.0.1:5000". */
export function registryHost(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch (e) {
    throw new CustomsError('USAGE_BAD_ARGUMENT', `registry URL ${JSON.stringify(url)} is not a URL`, e);
  }
  return parsed.host;
}

/** A registry reached over plain http (its URL says so, or its TLS settings allow it). */
function plainHttpAllowed(registry: Registry): boolean {
  return registry.url.toLowerCase().startsWith('http://') || registry.tls.insecure || registry.tls.skipVerify;
}

/** The CA file of a registry's pinned certificate (not secret: written under the data directory). */
function caFileFor(dataDir: string, registry: Registry): string | undefined {
  const pem = registry.tls.caCertPem;
  if (pem === undefined || pem.trim() === '') return undefined;
  const dir = join(dataDir, 'registry-ca');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${registry.id}-${createHash('sha256').update(pem).digest('hex').slice(0, 16)}.pem`);
  writeFileSync(file, pem);
  return file;
}

/** The Context a scan or a listing of this registry runs with. */
export async function registryContext(
  ctx: ServerContext,
  registry: Registry,
  signal: AbortSignal,
  config: Partial<Context['config']> = {},
): Promise<Context> {
  const host = registryHost(registry.url);
  const creds = registry.hasCredentials ? await ctx.store.registries.credentials(registry.id) : undefined;
  const caFile = caFileFor(ctx.dataDir, registry);
  return createContext({
    signal,
    now: () => new Date(ctx.now()),
    config: {
      ...config,
      insecure: plainHttpAllowed(registry),
      ...(caFile !== undefined ? { caFile } : {}),
      ...(creds !== undefined ? { registryAuth: { host, username: creds.username, password: creds.password } } : {}),
    },
  });
}
