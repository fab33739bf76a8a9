/**
 * A small OCI Distribution API v2 client (opencontainers/distribution-spec
 * spec.md) over undici: scheme detection (https, then http for loopback or
 * --insecure), Basic and Bearer auth (distribution docs/spec/auth/token.md),
 * manual redirects for blobs (dropping credentials across hosts), bounded
 * retries with backoff on 429/5xx and connection resets. A layer download
 * (`download`) goes through the same steps over a connection it reads itself
 * (socket-get.ts), its body straight into the layer's read buffers.
 *
 * A registry chooses where customs goes next (redirects, token realms), so
 * those URLs are checked (address-policy.ts): no https → http downgrade, no
 * plain-HTTP token realm, no other host on loopback, link-local or private
 * addresses — unless --insecure. Only the registry host's own error bodies
 * are quoted in messages, clipped and stripped of control characters.
 */
import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent, Dispatcher } from 'undici';
import { type Context, CustomsError, nodeNet, nodeTls } from '../../core/index.js';
import { readBounded } from '../bounded-read.js';
import { socketGet } from './socket-get.js';
import { type AddressClass, guardedLookup, refusedTarget, registryClass, resolveAll } from './address-policy.js';
import { parseChallenges } from './auth-challenge.js';
import { type Credentials, credentialsFor, isDockerHub } from './credentials.js';

const MAX_RETRIES = 3;
const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;
/** Longest registry error text quoted in a message. */
const MAX_QUOTE = 300;
const MAX_BACKOFF_MS = 10_000;
const TIMEOUTS = { connectTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 300_000 };
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_ERRORS = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'CUSTOMS_HEADERS_TIMEOUT',
  'EAI_AGAIN',
]);
const TLS_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One response as `send` gives it: undici's, or a layer download's (socket-get.ts). */
interface Sent {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/** Let a response's body go unread: undici drains a short one to keep its connection. */
async function discard(body: Readable): Promise<void> {
  const dump = (body as Readable & { dump?: () => Promise<void> }).dump;
  if (typeof dump === 'function') await dump.call(body).catch(() => {});
  else body.destroy();
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/** The API endpoint of a registry host: Docker Hub's is registry-1.docker.io. */
export function apiHost(domain: string): string {
  return isDockerHub(domain) ? 'registry-1.docker.io' : domain;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (nodeNet().isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

function errCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c !== 'UND_ERR_CONNECT' && c !== 'ERR_ASSERTION') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return '';
}

function errMessage(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    if (cur instanceof Error && cur.message) parts.push(cur.message);
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(e);
}

function header(h: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Text from a server, made safe to print: ANSI escape sequences, control and
 * bidi-override characters removed (a body must not rewrite the terminal or
 * a CI log), whitespace collapsed, clipped to `max` characters.
 */
export function sanitizeQuote(text: string, max = MAX_QUOTE): string {
  const clean = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b./g, ' ')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Quote a registry error body: `{"errors":[{"code","message"}]}` (distribution-spec "Error Codes"). */
export function describeErrorBody(text: string): { codes: string[]; text: string } {
  try {
    const j = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown; detail?: unknown }[] };
    if (Array.isArray(j.errors)) {
      const codes = j.errors.map((e) => sanitizeQuote(String(e.code ?? ''), 64));
      const msg = j.errors
        .map(
          (e) =>
            `${String(e.code ?? '?')}: ${String(e.message ?? '')}${e.detail ? ` (${JSON.stringify(e.detail).slice(0, 200)})` : ''}`,
        )
        .join('; ');
      return { codes, text: sanitizeQuote(msg) };
    }
  } catch {
    // not JSON
  }
  return { codes: [], text: sanitizeQuote(text) };
}

/** The two parts of undici the client uses: connection pools and the request API. */
interface Undici {
  readonly Agent: typeof Agent;
  request(
    dispatcher: Dispatcher,
    url: string,
    opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
  ): Promise<Dispatcher.ResponseData>;
}
let undiciModule: Promise<Undici> | undefined;
/**
 * undici's Agent and request API, loaded on the first registry request (see RegistryClient's
 * agents). Not its index: that evaluates undici's fetch and cookie modules, and the cookie module
 * reads `globalThis.Headers`, which makes Node load and compile its own copy of undici — 40–50 ms
 * of a warm scan's 0.45 s. The files are CommonJS: their export is the default export, under
 * Node and in a bundle alike. `request` is what undici's index wraps around the API: the
 * dispatcher called with the URL's origin and path.
 */
const undici = (): Promise<Undici> => {
  undiciModule ??= Promise.all([
    import('undici/lib/dispatcher/agent.js') as Promise<{ default: typeof Agent }>,
    import('undici/lib/api/api-request.js') as Promise<{
      default: (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
    }>,
  ]).then(([agent, api]) => ({
    Agent: agent.default,
    request: (dispatcher, url, opts) => {
      const u = new URL(url);
      return api.default.call(dispatcher, { ...opts, origin: u.origin, path: `${u.pathname}${u.search}` });
    },
  }));
  return undiciModule;
};

export class RegistryClient {
  private scheme: 'https' | 'http' | undefined;
  private authorization: string | undefined;
  private credentials: Credentials | undefined | null = null;
  /**
   * Connections to the registry host itself (`own`) and to any other host (`foreign`: redirect
   * targets, token realms; addresses checked at connect time). Made on the first request, with
   * undici loaded then: image/index.ts exports this client, so every command that reads an image
   * imports this module, and undici takes ~25 ms to load — for a registry target only.
   */
  private agents: Promise<{ readonly own: Agent; readonly foreign: Agent }> | undefined;
  private readonly agentOptions: Agent.Options;
  private readonly foreignConnect: NonNullable<Agent.Options['connect']>;
  /** TLS settings and the foreign hosts' guarded lookup, for layer downloads (socket-get.ts). */
  private readonly tls: { readonly rejectUnauthorized: boolean; readonly ca?: readonly string[] };
  private readonly foreignLookup: LookupFunction | undefined;
  private ownClass: Promise<AddressClass> | undefined;
  readonly host: string;
  /** The registry's host name (no port), as URL.hostname spells it. */
  private readonly hostname: string;

  constructor(
    /** Canonical registry domain (docker.io for Docker Hub). */
    readonly domain: string,
    readonly repository: string,
    private readonly ctx: Context,
  ) {
    this.host = apiHost(domain);
    this.hostname = new URL(`http://${this.host}`).hostname;
    const insecure = ctx.config.insecure;
    let ca: string[] | undefined;
    if (ctx.config.caFile) {
      try {
        const extra = readFileSync(ctx.config.caFile, 'utf8');
        // --insecure verifies no certificate, so it is given no CA list: TLS would parse every
        // certificate of a system bundle (tens of milliseconds a scan) for nothing.
        if (!insecure) ca = [...nodeTls().rootCertificates, extra];
      } catch (e) {
        throw new CustomsError(
          'REGISTRY_TLS',
          `cannot read the CA file ${ctx.config.caFile}: ${(e as Error).message}`,
          e,
        );
      }
    }
    const tls = { rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) };
    this.tls = tls;
    this.agentOptions = { connect: tls, ...TIMEOUTS };
    this.foreignLookup = insecure ? undefined : guardedLookup(() => this.registryClass());
    this.foreignConnect = { ...tls, ...(this.foreignLookup ? { lookup: this.foreignLookup } : {}) };
  }

  get name(): string {
    return `${this.domain}/${this.repository}`;
  }

  async close(): Promise<void> {
    const agents = await this.agents?.catch(() => undefined);
    if (agents) await Promise.all([agents.own.close().catch(() => {}), agents.foreign.close().catch(() => {})]);
  }

  /** Whether `url` is on the registry host (any port or scheme): it gets the registry's own agent. */
  private onRegistryHost(url: URL): boolean {
    return url.hostname === this.hostname;
  }

  private async agentFor(url: URL): Promise<Agent> {
    this.agents ??= undici().then(({ Agent }) => ({
      own: new Agent(this.agentOptions),
      foreign: new Agent({ ...this.agentOptions, connect: this.foreignConnect }),
    }));
    const agents = await this.agents;
    return this.onRegistryHost(url) ? agents.own : agents.foreign;
  }

  /** Public, private …: decides which other hosts the registry may send customs to. */
  private registryClass(): Promise<AddressClass> {
    this.ownClass ??= resolveAll(this.hostname).then(registryClass);
    return this.ownClass;
  }

  /**
   * May customs connect to `target`, where the registry sent it? Another host
   * on an IP literal is checked here (literals skip DNS); a host name is
   * checked by the foreign agent's lookup when it connects.
   */
  private async checkTarget(target: URL, describe: (why: string) => string): Promise<void> {
    if (this.ctx.config.insecure || this.onRegistryHost(target)) return;
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (nodeNet().isIP(literal) === 0) return;
    const why = refusedTarget(literal, await this.registryClass());
    if (why) throw new CustomsError('REGISTRY_TARGET_REFUSED', describe(why));
  }

  private async creds(): Promise<Credentials | undefined> {
    const given = this.ctx.config.registryAuth;
    // Bound to its host like every other source (credentials.ts): another host never sees them.
    if (given !== undefined && given.host.toLowerCase() === this.domain.toLowerCase()) {
      return { username: given.username, password: given.password };
    }
    if (this.credentials === null) {
      this.credentials = await credentialsFor(this.domain, {
        dockerConfig: this.ctx.config.dockerConfig,
        signal: this.ctx.signal,
      });
    }
    return this.credentials;
  }

  /**
   * One HTTP exchange with retries; never follows redirects itself. A `download` (a layer
   * blob's GET) reads its body into pooled read chunks (socket-get.ts); the rest go through undici.
   */
  private async send(
    url: string,
    headers: Record<string, string>,
    init: { method?: HttpMethod; body?: string | Buffer | Readable; download?: boolean } = {},
  ): Promise<Sent> {
    const target = new URL(url);
    const exchange = init.download
      ? (): Promise<Sent> =>
          socketGet(target, {
            headers,
            ...this.tls,
            ...(this.foreignLookup && !this.onRegistryHost(target) ? { lookup: this.foreignLookup } : {}),
            signal: this.ctx.signal,
            ...TIMEOUTS,
            bodyError: (e) => this.networkError(e, url),
          })
      : await this.undiciExchange(target, headers, init);
    // A streamed body is read once: it cannot be sent again after a failure.
    const replayable = init.body === undefined || typeof init.body === 'string' || Buffer.isBuffer(init.body);
    for (let attempt = 0; ; attempt++) {
      let res: Sent;
      try {
        res = await exchange();
      } catch (e) {
        if (this.ctx.signal.aborted) throw new CustomsError('ABORTED', `request to ${this.host} cancelled`, e);
        const code = errCode(e);
        if (RETRY_ERRORS.has(code) && attempt < MAX_RETRIES && replayable) {
          await this.backoff(attempt, undefined);
          continue;
        }
        throw e;
      }
      if (RETRY_STATUS.has(res.statusCode) && attempt < MAX_RETRIES && replayable) {
        await discard(res.body);
        await this.backoff(attempt, header(res.headers, 'retry-after'));
        continue;
      }
      return res;
    }
  }

  private async undiciExchange(
    target: URL,
    headers: Record<string, string>,
    init: { method?: HttpMethod; body?: string | Buffer | Readable },
  ): Promise<() => Promise<Sent>> {
    const dispatcher = await this.agentFor(target);
    const { request } = await undici();
    return () =>
      request(dispatcher, target.toString(), {
        method: init.method ?? 'GET',
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: this.ctx.signal,
      });
  }

  private async backoff(attempt: number, retryAfter: string | undefined): Promise<void> {
    let ms = 250 * 2 ** attempt;
    const ra = retryAfter !== undefined ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(ra) && ra >= 0) ms = ra * 1000;
    await sleep(Math.min(ms, MAX_BACKOFF_MS), undefined, { signal: this.ctx.signal }).catch((e: unknown) => {
      throw new CustomsError('ABORTED', `request to ${this.host} cancelled`, e);
    });
  }

  private networkError(e: unknown, url: string, refused?: (why: string) => string): CustomsError {
    if (e instanceof CustomsError) return e;
    if (this.ctx.signal.aborted) return new CustomsError('ABORTED', `request to ${this.host} cancelled`, e);
    const code = errCode(e);
    if (code === 'CUSTOMS_HTTP_HEAD' || code === 'CUSTOMS_HTTP_CHUNKED') {
      return new CustomsError(
        'REGISTRY_ERROR',
        `${new URL(url).host} sent a response that is not valid HTTP/1.1 (${url}): ${errMessage(e)}`,
        e,
      );
    }
    if (code === 'CUSTOMS_ADDRESS_REFUSED') {
      const why = errMessage(e);
      return new CustomsError(
        'REGISTRY_TARGET_REFUSED',
        refused ? refused(why) : `${this.host} sent customs to ${url} (${why}); pass --insecure to allow it`,
        e,
      );
    }
    if (TLS_ERRORS.has(code) || /certificate|self[- ]signed/i.test(errMessage(e))) {
      return new CustomsError(
        'REGISTRY_TLS',
        `TLS to ${new URL(url).host} failed: ${errMessage(e)}; pass --ca-file with the registry's CA, or --insecure to skip verification`,
        e,
      );
    }
    return new CustomsError('REGISTRY_UNREACHABLE', `cannot reach registry ${this.host} (${url}): ${errMessage(e)}`, e);
  }

  /** https first; http when https is not spoken and the host is loopback or --insecure is set. */
  private async baseUrl(): Promise<string> {
    if (this.scheme) return `${this.scheme}://${this.host}`;
    const httpAllowed = this.ctx.config.insecure || isLoopback(this.host);
    try {
      const res = await this.send(`https://${this.host}/v2/`, {});
      await discard(res.body);
      this.scheme = 'https';
    } catch (e) {
      const code = errCode(e);
      const tls =
        e instanceof CustomsError ? false : TLS_ERRORS.has(code) || /certificate|self[- ]signed/i.test(errMessage(e));
      if (!httpAllowed || tls || e instanceof CustomsError) throw this.networkError(e, `https://${this.host}/v2/`);
      try {
        const res = await this.send(`http://${this.host}/v2/`, {});
        await discard(res.body);
        this.scheme = 'http';
      } catch (e2) {
        throw this.networkError(e2, `http://${this.host}/v2/`);
      }
    }
    return `${this.scheme}://${this.host}`;
  }

  /**
   * GET `path` (under /v2/), authenticating on demand. Returns the 2xx response
   * (after redirects); other statuses become CustomsErrors.
   */
  async get(path: string, accept: string | undefined, what: string): Promise<RegistryResponse> {
    return this.exchange('GET', path, accept, what);
  }

  /** HEAD `path` (a manifest's digest and media type without its body), as `get` does GET. */
  async head(path: string, accept: string | undefined, what: string): Promise<RegistryResponse> {
    return this.exchange('HEAD', path, accept, what);
  }

  /**
   * GET a layer blob under /v2/, as `get` does, with its body read straight into pooled read
   * chunks (socket-get.ts): the one request whose body is large enough for that to matter.
   */
  async download(path: string, what: string): Promise<RegistryResponse> {
    return this.exchange('GET', path, undefined, what, true);
  }

  private async exchange(
    method: 'GET' | 'HEAD',
    path: string,
    accept: string | undefined,
    what: string,
    download = false,
  ): Promise<RegistryResponse> {
    const base = await this.baseUrl();
    const origin = new URL(base).origin;
    let url = new URL(`${base}/v2/${path}`);
    let authTried = false;
    const refusedRedirect =
      (target: URL) =>
      (why: string): string =>
        `${what}: ${this.host} redirected to ${target.origin} (${why}); customs does not follow a registry to loopback, link-local or private addresses of another host; pass --insecure if you trust this registry and network`;
    for (let redirects = 0; ; ) {
      // Credentials and tokens go to the registry's own origin only: blob
      // storage (S3, a CDN) behind a redirect must not see them.
      const sameOrigin = url.origin === origin;
      const headers: Record<string, string> = {};
      if (accept) headers.accept = accept;
      if (sameOrigin && this.authorization) headers.authorization = this.authorization;
      let res: Sent;
      try {
        res = await this.send(url.toString(), headers, { method, download });
      } catch (e) {
        throw this.networkError(e, url.toString(), refusedRedirect(url));
      }
      const status = res.statusCode;
      if (status >= 300 && status < 400 && header(res.headers, 'location')) {
        await discard(res.body);
        if (++redirects > MAX_REDIRECTS)
          throw new CustomsError('REGISTRY_ERROR', `${what}: more than ${MAX_REDIRECTS} redirects from ${this.host}`);
        let next: URL;
        try {
          next = new URL(header(res.headers, 'location') ?? '', url);
        } catch (e) {
          throw new CustomsError('REGISTRY_ERROR', `${what}: ${url.host} redirected to something that is not a URL`, e);
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new CustomsError(
            'REGISTRY_ERROR',
            `${what}: ${this.host} redirected to unsupported URL ${next.protocol}`,
          );
        }
        if (url.protocol === 'https:' && next.protocol === 'http:' && !this.ctx.config.insecure) {
          throw new CustomsError(
            'REGISTRY_TARGET_REFUSED',
            `${what}: ${url.host} redirected from https to plain http (${next.origin}); customs does not give up TLS halfway; pass --insecure to allow it`,
          );
        }
        await this.checkTarget(next, refusedRedirect(next));
        url = next;
        continue;
      }
      if (status === 401 && !authTried && sameOrigin) {
        const challenges = parseChallenges(res.headers['www-authenticate']);
        await discard(res.body);
        authTried = true;
        await this.authenticate(challenges, what);
        continue;
      }
      if (status >= 200 && status < 300) return { status, headers: res.headers, body: res.body };
      if (url.origin !== origin) {
        // Another host's body is not the registry's word, and may be anything
        // a redirect reached: it is never quoted.
        await discard(res.body);
        throw new CustomsError(
          'REGISTRY_ERROR',
          `${what}: ${url.host}, where ${this.host} redirected the request, answered HTTP ${status}`,
        );
      }
      const text = (
        await readBounded(res.body, MAX_ERROR_BODY, `${what} error body`, 'REGISTRY_ERROR').catch(() => Buffer.alloc(0))
      ).toString('utf8');
      throw this.statusError(status, text, what);
    }
  }

  /**
   * One request that is not a plain pull (distribution-spec "Pushing blobs",
   * "Pushing manifests", "Listing referrers"): any method, a body, and the
   * statuses the caller handles itself (`accept` = 404 for "is it there?").
   * `target` is a path under /v2/ or an absolute URL the registry gave
   * (an upload Location), which must be on the registry's own origin: the
   * credentials go there. No redirects are followed. A streamed body cannot
   * be sent twice, so the caller authenticates first with a small request
   * (the upload POST does) and a 401 on the stream is final.
   */
  async call(
    method: HttpMethod,
    target: string,
    opts: {
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | Buffer | Readable;
      readonly accept?: readonly number[];
    },
    what: string,
  ): Promise<RegistryResponse> {
    const base = await this.baseUrl();
    const origin = new URL(base).origin;
    let url: URL;
    try {
      url = /^https?:\/\//i.test(target) ? new URL(target) : new URL(`${base}/v2/${target.replace(/^\/v2\//, '')}`);
    } catch (e) {
      throw new CustomsError('REGISTRY_ERROR', `${what}: ${this.host} gave a location that is not a URL`, e);
    }
    if (url.origin !== origin) {
      throw new CustomsError(
        'REGISTRY_TARGET_REFUSED',
        `${what}: ${this.host} sent customs to ${sanitizeQuote(url.origin, 200)}, another origin; customs sends credentials and uploads to the registry itself only`,
      );
    }
    const streamed = opts.body !== undefined && typeof opts.body !== 'string' && !Buffer.isBuffer(opts.body);
    for (let authTried = false; ; ) {
      const headers: Record<string, string> = { ...opts.headers };
      if (this.authorization) headers.authorization = this.authorization;
      let res: Sent;
      try {
        res = await this.send(url.toString(), headers, {
          method,
          ...(opts.body !== undefined ? { body: opts.body } : {}),
        });
      } catch (e) {
        throw this.networkError(e, url.toString());
      }
      const status = res.statusCode;
      if (status === 401 && !authTried && !streamed) {
        const challenges = parseChallenges(res.headers['www-authenticate']);
        await discard(res.body);
        authTried = true;
        await this.authenticate(challenges, what);
        continue;
      }
      if ((status >= 200 && status < 300) || opts.accept?.includes(status)) {
        return { status, headers: res.headers, body: res.body };
      }
      const text = (
        await readBounded(res.body, MAX_ERROR_BODY, `${what} error body`, 'REGISTRY_ERROR').catch(() => Buffer.alloc(0))
      ).toString('utf8');
      throw this.statusError(status, text, what);
    }
  }

  private statusError(status: number, text: string, what: string): CustomsError {
    const { codes, text: quoted } = describeErrorBody(text);
    if (status === 401 || status === 403) {
      return new CustomsError(
        'REGISTRY_AUTH_FAILED',
        `${this.domain} refused access to repository ${this.repository} (HTTP ${status}${quoted ? `: ${quoted}` : ''}); check the credentials (docker login ${this.domain}, or CUSTOMS_REGISTRY_HOST with CUSTOMS_REGISTRY_USERNAME/PASSWORD) and that they may pull it`,
      );
    }
    if (status === 404) {
      const unknown =
        codes.some((c) => c === 'MANIFEST_UNKNOWN' || c === 'NAME_UNKNOWN' || c === 'BLOB_UNKNOWN') ||
        codes.length === 0;
      if (unknown) {
        return new CustomsError(
          'IMAGE_NOT_FOUND',
          `${what} not found in ${this.domain}/${this.repository}${quoted ? ` (${quoted})` : ''}`,
        );
      }
    }
    if (status === 429)
      return new CustomsError(
        'REGISTRY_ERROR',
        `${this.domain} rate-limits us (HTTP 429${quoted ? `: ${quoted}` : ''}); retry later or log in`,
      );
    return new CustomsError(
      'REGISTRY_ERROR',
      `${what}: ${this.domain} answered HTTP ${status}${quoted ? `: ${quoted}` : ''}`,
    );
  }

  private async authenticate(
    challenges: readonly { scheme: string; params: Readonly<Record<string, string>> }[],
    what: string,
  ): Promise<void> {
    const creds = await this.creds();
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer.params, creds, what)}`;
      return;
    }
    if (basic) {
      if (!creds?.username || creds.password === undefined) {
        throw new CustomsError(
          'REGISTRY_AUTH_FAILED',
          `${this.domain} needs a login to pull ${this.repository} and no credentials were found for it; run docker login ${this.domain} or set CUSTOMS_REGISTRY_HOST=${this.domain} with CUSTOMS_REGISTRY_USERNAME/PASSWORD`,
        );
      }
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      return;
    }
    throw new CustomsError(
      'REGISTRY_AUTH_FAILED',
      `${this.domain} asked for authentication without a Basic or Bearer challenge (${what})`,
    );
  }

  /**
   * Token endpoint (distribution docs/spec/auth/token.md; oauth.md for refresh
   * tokens). The spec has the client send its credentials to the realm, which
   * may be another host: so the realm must be https (a plain-HTTP realm is
   * allowed only with --insecure, or on the registry's own host when the
   * registry itself is spoken over http), and another host must pass the
   * address checks of redirects.
   */
  private async fetchToken(
    params: Readonly<Record<string, string>>,
    creds: Credentials | undefined,
    what: string,
  ): Promise<string> {
    if (creds?.registryToken) return creds.registryToken;
    const realm = params.realm;
    if (!realm) throw new CustomsError('REGISTRY_AUTH_FAILED', `${this.domain}: Bearer challenge without a realm`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch (e) {
      throw new CustomsError(
        'REGISTRY_AUTH_FAILED',
        `${this.domain}: Bearer realm "${sanitizeQuote(realm, 200)}" is not a URL`,
        e,
      );
    }
    const shown = sanitizeQuote(`${realmUrl.origin}${realmUrl.pathname}`, 200);
    if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') {
      throw new CustomsError(
        'REGISTRY_TARGET_REFUSED',
        `${this.domain}: the Bearer token realm ${shown} is neither https nor http`,
      );
    }
    const plainAllowed = this.ctx.config.insecure || (this.scheme === 'http' && realmUrl.hostname === this.hostname);
    if (realmUrl.protocol === 'http:' && !plainAllowed) {
      throw new CustomsError(
        'REGISTRY_TARGET_REFUSED',
        `${this.domain} names the token realm ${shown}, which is plain HTTP: customs sends credentials to a token realm only over https; pass --insecure to allow it`,
      );
    }
    const refusedRealm = (why: string): string =>
      `${this.domain} names the token realm ${shown} (${why}); customs does not send credentials to loopback, link-local or private addresses of another host; pass --insecure if you trust this registry and network`;
    await this.checkTarget(realmUrl, refusedRealm);
    const scope = params.scope ?? `repository:${this.repository}:pull`;
    const service = params.service;
    let res: Sent;
    try {
      if (creds?.identityToken) {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: creds.identityToken,
          client_id: 'customs',
          scope,
        });
        if (service) form.set('service', service);
        res = await this.send(
          realmUrl.toString(),
          { 'content-type': 'application/x-www-form-urlencoded' },
          { method: 'POST', body: form.toString() },
        );
      } else {
        if (service) realmUrl.searchParams.set('service', service);
        realmUrl.searchParams.set('scope', scope);
        const headers: Record<string, string> = {};
        if (creds?.username && creds.password !== undefined) {
          headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
        }
        res = await this.send(realmUrl.toString(), headers);
      }
    } catch (e) {
      throw this.networkError(e, shown, refusedRealm);
    }
    const body = (
      await readBounded(res.body, MAX_ERROR_BODY, `token from ${realmUrl.host}`, 'REGISTRY_AUTH_FAILED')
    ).toString('utf8');
    // The token service's own words are quoted only when it is the registry itself.
    const quote = (): string => {
      if (realmUrl.origin !== new URL(`${this.scheme ?? 'https'}://${this.host}`).origin) return '';
      const t = describeErrorBody(body).text;
      return t ? `: ${t}` : '';
    };
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new CustomsError(
        'REGISTRY_AUTH_FAILED',
        `the token service of ${this.domain} (${realmUrl.host}) refused ${creds ? 'the credentials' : 'anonymous access'} for repository ${this.repository} (HTTP ${res.statusCode}${quote()}); check docker login ${this.domain}`,
      );
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new CustomsError(
        'REGISTRY_ERROR',
        `token service ${realmUrl.host} answered HTTP ${res.statusCode} for ${what}${quote()}`,
      );
    }
    let token: unknown;
    try {
      const j = JSON.parse(body) as { token?: unknown; access_token?: unknown };
      token = j.token ?? j.access_token;
    } catch (e) {
      throw new CustomsError(
        'REGISTRY_AUTH_FAILED',
        `token service ${realmUrl.host} answered with something that is not JSON`,
        e,
      );
    }
    if (typeof token !== 'string' || token === '') {
      throw new CustomsError(
        'REGISTRY_AUTH_FAILED',
        `token service ${realmUrl.host} answered without "token" or "access_token"`,
      );
    }
    return token;
  }
}
