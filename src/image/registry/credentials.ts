/**
 * Registry credentials, looked up the way the docker CLI does
 * (docker/cli cli/config/configfile): env CUSTOMS_REGISTRY_USERNAME /
 * CUSTOMS_REGISTRY_PASSWORD first — for the one registry CUSTOMS_REGISTRY_HOST
 * names — then in the docker config `credHelpers` for the host, `auths`
 * entries, then the default `credsStore`.
 * Docker Hub is keyed "https://index.docker.io/v1/" (and its aliases).
 *
 * Every source is bound to a host: the docker config by its keys, the
 * environment by CUSTOMS_REGISTRY_HOST. Credentials that named no host would
 * go to whatever registry an image reference points at (a typo, a public
 * base image, a hostile FROM line), so env credentials without a host are an
 * error rather than a default.
 */
import { readFile } from 'node:fs/promises';
import { CustomsError, nodeChildProcess } from '../../core/index.js';

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** OAuth2 refresh token (`identitytoken`; credential helpers return Username "<token>"). */
  readonly identityToken?: string;
  /** Bearer token to send as is (`registrytoken`). */
  readonly registryToken?: string;
}

export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const HELPER_TIMEOUT_MS = 10_000;
const MAX_CONFIG_SIZE = 4 * 1024 * 1024;

export function isDockerHub(host: string): boolean {
  return DOCKER_HUB_ALIASES.has(host);
}

/** The host part of a docker config key: "https://host:port/v1/" → "host:port". */
export function configKeyHost(key: string): string {
  let k = key.trim();
  k = k.replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

function sameServer(key: string, host: string): boolean {
  const h = configKeyHost(key);
  if (isDockerHub(host)) return isDockerHub(h);
  return h === host.toLowerCase();
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
}

function fromAuthEntry(e: AuthEntry, where: string): Credentials | undefined {
  const out: { username?: string; password?: string; identityToken?: string; registryToken?: string } = {};
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0)
      throw new CustomsError(
        'REGISTRY_AUTH_FAILED',
        `${where}: "auth" is not base64 of "user:password"; run docker login again`,
      );
    out.username = decoded.slice(0, i);
    out.password = decoded.slice(i + 1);
  } else {
    if (typeof e.username === 'string' && e.username !== '') out.username = e.username;
    if (typeof e.password === 'string' && e.password !== '') out.password = e.password;
  }
  if (typeof e.identitytoken === 'string' && e.identitytoken !== '') out.identityToken = e.identitytoken;
  if (typeof e.registrytoken === 'string' && e.registrytoken !== '') out.registryToken = e.registrytoken;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Run `docker-credential-NAME get` (docker-credential-helpers protocol: server URL on stdin, JSON out). */
export function runCredentialHelper(
  name: string,
  server: string,
  signal?: AbortSignal,
): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    return Promise.reject(new CustomsError('REGISTRY_AUTH_FAILED', `credential helper name "${name}" is not valid`));
  }
  const bin = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = nodeChildProcess().spawn(bin, ['get'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: HELPER_TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 1024 * 1024) out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 64 * 1024) err += d.toString('utf8');
    });
    child.on('error', (e: Error & { code?: string }) => {
      reject(
        new CustomsError(
          'REGISTRY_AUTH_FAILED',
          e.code === 'ENOENT'
            ? `credential helper ${bin} (from the docker config) is not installed; install it or remove it from the config`
            : `credential helper ${bin} failed: ${e.message}`,
          e,
        ),
      );
    });
    child.on('close', (code, sig) => {
      const text = `${out}\n${err}`;
      if (code !== 0) {
        // docker-credential-helpers: "credentials not found in native keychain" means no entry.
        if (/credentials not found/i.test(text)) return resolve(undefined);
        return reject(
          new CustomsError(
            'REGISTRY_AUTH_FAILED',
            `credential helper ${bin} ${sig ? `was stopped (${sig}, timeout ${HELPER_TIMEOUT_MS} ms)` : `exited with ${code}`}: ${err.trim() || out.trim()}`,
          ),
        );
      }
      try {
        const j = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
        if (typeof j.Secret !== 'string' || j.Secret === '') return resolve(undefined);
        if (j.Username === '<token>') return resolve({ identityToken: j.Secret });
        return resolve({ ...(typeof j.Username === 'string' ? { username: j.Username } : {}), password: j.Secret });
      } catch (e) {
        reject(
          new CustomsError('REGISTRY_AUTH_FAILED', `credential helper ${bin} printed something that is not JSON`, e),
        );
      }
    });
    child.stdin.end(server);
  });
}

export interface CredentialOptions {
  readonly dockerConfig: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/**
 * CUSTOMS_REGISTRY_USERNAME / CUSTOMS_REGISTRY_PASSWORD, when they are for
 * `host`: CUSTOMS_REGISTRY_HOST ("registry.gitlab.com", "host:5000", or a
 * docker-config style "https://host/v1/") must name it.
 */
export function envCredentials(host: string, env: NodeJS.ProcessEnv): Credentials | undefined {
  const username = env.CUSTOMS_REGISTRY_USERNAME;
  const password = env.CUSTOMS_REGISTRY_PASSWORD;
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) {
    throw new CustomsError(
      'REGISTRY_AUTH_FAILED',
      `${username === undefined ? 'CUSTOMS_REGISTRY_PASSWORD' : 'CUSTOMS_REGISTRY_USERNAME'} is set without ${username === undefined ? 'CUSTOMS_REGISTRY_USERNAME' : 'CUSTOMS_REGISTRY_PASSWORD'}; set both (and CUSTOMS_REGISTRY_HOST) or neither`,
    );
  }
  const bound = env.CUSTOMS_REGISTRY_HOST?.trim();
  if (!bound) {
    throw new CustomsError(
      'REGISTRY_AUTH_FAILED',
      `CUSTOMS_REGISTRY_USERNAME/PASSWORD are set but CUSTOMS_REGISTRY_HOST is not: set it to the registry they are for (e.g. CUSTOMS_REGISTRY_HOST=${host}); customs sends environment credentials to that host only`,
    );
  }
  return sameServer(bound, host) ? { username, password } : undefined;
}

export async function credentialsFor(host: string, opts: CredentialOptions): Promise<Credentials | undefined> {
  const env = opts.env ?? process.env;
  const fromEnv = envCredentials(host, env);
  if (fromEnv) return fromEnv;
  let text: string;
  try {
    const buf = await readFile(opts.dockerConfig);
    if (buf.length > MAX_CONFIG_SIZE) return undefined;
    text = buf.toString('utf8');
  } catch {
    return undefined;
  }
  let cfg: { auths?: unknown; credHelpers?: unknown; credsStore?: unknown };
  try {
    cfg = JSON.parse(text) as typeof cfg;
  } catch (e) {
    throw new CustomsError(
      'REGISTRY_AUTH_FAILED',
      `docker config ${opts.dockerConfig} is not valid JSON: ${(e as Error).message}`,
      e,
    );
  }
  if (typeof cfg !== 'object' || cfg === null) return undefined;
  const server = isDockerHub(host) ? DOCKER_HUB_CONFIG_KEY : host;
  if (typeof cfg.credHelpers === 'object' && cfg.credHelpers !== null) {
    for (const [key, helper] of Object.entries(cfg.credHelpers as Record<string, unknown>)) {
      if (typeof helper === 'string' && sameServer(key, host)) return runCredentialHelper(helper, server, opts.signal);
    }
  }
  if (typeof cfg.auths === 'object' && cfg.auths !== null) {
    const entries = Object.entries(cfg.auths as Record<string, unknown>);
    // Exact key first, then any alias of the same server.
    entries.sort(([a], [b]) => Number(b === server) - Number(a === server));
    for (const [key, entry] of entries) {
      if (sameServer(key, host) && typeof entry === 'object' && entry !== null) {
        const c = fromAuthEntry(entry as AuthEntry, `${opts.dockerConfig} auths["${key}"]`);
        if (c) return c;
      }
    }
  }
  if (typeof cfg.credsStore === 'string' && cfg.credsStore !== '') {
    return runCredentialHelper(cfg.credsStore, server, opts.signal);
  }
  return undefined;
}
