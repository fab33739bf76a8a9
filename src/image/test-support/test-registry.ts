/**
 * Test support: a real CNCF distribution registry (Debian's docker-registry,
 * `docker-registry serve CONFIG`) on a free 127.0.0.1 port, storage in a temp
 * dir, optionally with htpasswd Basic auth (apache2-utils `htpasswd -Bbn`),
 * token auth (a tiny token server in this process signing ES256 JWTs whose
 * x5c certificate is the registry's rootcertbundle — distribution
 * docs/spec/auth/jwt.md, registry/auth/token) and TLS (`openssl req -x509`
 * with SAN IP:127.0.0.1). Fixtures are pushed with skopeo. Re-exported by
 * test/support/registry.ts. If a tool is missing this throws: tests must
 * fail, not skip (`make test` installs them).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryOptions {
  readonly auth?: 'htpasswd' | 'token';
  readonly tls?: boolean;
  /** Token server answers with `access_token` instead of `token`. */
  readonly tokenField?: 'token' | 'access_token';
  /** The token server speaks https (with the registry's certificate, so one --ca-file trusts both). */
  readonly realmTls?: boolean;
  /** A notifications endpoint (distribution configuration.md `notifications.endpoints`). */
  readonly notify?: { readonly url: string; readonly headers?: Readonly<Record<string, readonly string[]>> };
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly port: number;
  readonly caFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** Requests the token server answered (token auth only). */
  readonly tokenRequests: { authorization: string | undefined; scope: string | null; service: string | null }[];
  stop(): Promise<void>;
}

function requireTool(path: string, pkg: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install the Debian package ${pkg} (make test does: scripts/install-deps.sh)`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

export function selfSigned(dir: string, name: string, subj: string, ec: boolean): { cert: string; key: string } {
  requireTool('/usr/bin/openssl', 'openssl');
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-nodes',
      '-days',
      '2',
      ...(ec ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048']),
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      subj,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

async function startTokenServer(
  dir: string,
  service: string,
  issuer: string,
  creds: { username: string; password: string },
  field: 'token' | 'access_token',
  log: TestRegistry['tokenRequests'],
  tls: { cert: string; key: string } | undefined,
): Promise<{ server: Server; realm: string; rootBundle: string }> {
  const { cert, key } = selfSigned(dir, 'token-signer', '/CN=customs-test-token-signer', true);
  const der = Buffer.from(
    readFileSync(cert, 'utf8')
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
  const privateKey = createPrivateKey(readFileSync(key));
  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization = req.headers.authorization;
    log.push({ authorization, scope: url.searchParams.get('scope'), service: url.searchParams.get('service') });
    const expected = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    if (authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    // scope "repository:NAME:pull" (docs/spec/auth/scope.md)
    const access = (url.searchParams.getAll('scope') ?? []).flatMap((s) => {
      const parts = s.split(':');
      if (parts.length < 3) return [];
      return [
        { type: parts[0], name: parts.slice(1, -1).join(':'), actions: (parts[parts.length - 1] ?? '').split(',') },
      ];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: creds.username,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ [field]: `${input}.${b64url(sig)}`, expires_in: 300 }));
  };
  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handler)
    : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { server, realm: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/token`, rootBundle: cert };
}

async function waitReady(port: number, tls: boolean, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  const probe = (): Promise<boolean> =>
    new Promise((resolve) => {
      const get = tls ? httpsGet : httpGet;
      const req = get(`${tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(2000, () => req.destroy());
    });
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (await probe()) return;
    if (Date.now() > deadline)
      throw new Error(
        `docker-registry did not answer on port ${port} within 20 s: ${readFileSync(logFile, 'utf8').slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The registry binds the port itself, so another process may take it between
 * freePort() and the bind: retry with a new port a few times.
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  requireTool(REGISTRY_BIN, 'docker-registry');
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startRegistryOnce(opts);
    } catch (e) {
      last = e;
      if (!/exited|did not answer/.test(String(e))) throw e;
    }
  }
  throw last;
}

async function startRegistryOnce(opts: RegistryOptions): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'customs-registry-'));
  const port = await freePort();
  const username = 'customs';
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: customs-test',
  ];
  let caFile: string | undefined;
  const serverCert = opts.tls || opts.realmTls ? selfSigned(dir, 'registry', '/CN=127.0.0.1', false) : undefined;
  if (serverCert) caFile = serverCert.cert;
  if (opts.tls && serverCert) {
    lines.push('  tls:', `    certificate: ${serverCert.cert}`, `    key: ${serverCert.key}`);
  }
  const tokenRequests: TestRegistry['tokenRequests'] = [];
  let tokenServer: Server | undefined;
  if (opts.auth === 'htpasswd') {
    requireTool('/usr/bin/htpasswd', 'apache2-utils');
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', username, password]));
    lines.push('auth:', '  htpasswd:', '    realm: customs-test', `    path: ${htpasswd}`);
  } else if (opts.auth === 'token') {
    const service = 'customs-test-registry';
    const issuer = 'customs-test-issuer';
    const t = await startTokenServer(
      dir,
      service,
      issuer,
      { username, password },
      opts.tokenField ?? 'token',
      tokenRequests,
      opts.realmTls ? serverCert : undefined,
    );
    tokenServer = t.server;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${t.realm}`,
      `    service: ${service}`,
      `    issuer: ${issuer}`,
      `    rootcertbundle: ${t.rootBundle}`,
    );
  }
  if (opts.notify) {
    lines.push(
      'notifications:',
      '  events:',
      '    includereferences: true',
      '  endpoints:',
      '    - name: customs',
      `      url: ${opts.notify.url}`,
      '      headers:',
      ...Object.entries(opts.notify.headers ?? {}).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`),
      '      timeout: 2s',
      '      threshold: 3',
      '      backoff: 1s',
    );
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', fd, fd] });
  try {
    await waitReady(port, opts.tls ?? false, child, logFile);
  } catch (e) {
    child.kill('SIGKILL');
    tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const withCreds = opts.auth !== undefined;
  return {
    host: `127.0.0.1:${port}`,
    port,
    ...(caFile ? { caFile } : {}),
    ...(withCreds ? { username, password } : {}),
    tokenRequests,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Push an OCI layout to the registry with skopeo (`--all` keeps a whole
 * index). `repoTag` is "name:tag" inside the registry.
 */
export async function pushLayout(
  reg: TestRegistry,
  layoutDir: string,
  repoTag: string,
  opts: { all?: boolean } = {},
): Promise<void> {
  requireTool('/usr/bin/skopeo', 'skopeo');
  const dir = mkdtempSync(join(tmpdir(), 'customs-skopeo-'));
  try {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const args = ['--policy', policy, 'copy', '--quiet', ...(opts.all ? ['--all'] : []), '--dest-tls-verify=false'];
    if (reg.username && reg.password) args.push('--dest-creds', `${reg.username}:${reg.password}`);
    args.push(`oci:${layoutDir}`, `docker://${reg.host}/${repoTag}`);
    await run('skopeo', args, { env: { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'auth.json') } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
