/**
 * The dashboard's end-to-end world: a real scan of a small image built here,
 * a real `customs serve` process on a real SQLite store holding it, and
 * headless Chromium (Debian's, driven by playwright-core) that may talk to
 * nothing but that server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { parseScanResultJson } from '../../src/report/index.js';
import { inventoryPackagesOf, openStore, type Store } from '../../src/store/index.js';
import { REPO_ROOT, run, runCustoms } from './images.js';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';
import { api, listeningUrl } from './serve-process.js';

export interface DemoScan {
  /** The scan JSON document customs wrote. */
  readonly doc: Record<string, unknown>;
  readonly digest: string;
  /** A secret planted in the image; it must never reach a page. */
  readonly secret: string;
}

/**
 * The demo image of `make demo` plus one layer holding a generated GitHub
 * token, scanned with every scanner against the DB of the demo feeds.
 */
export async function demoScan(dir: string): Promise<DemoScan> {
  const layers = join(dir, 'layers');
  await cp(join(REPO_ROOT, 'demo', 'rootfs-layers'), layers, { recursive: true, verbatimSymlinks: true });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const secret = `ghp_${[...randomBytes(36)].map((b) => alphabet[b % alphabet.length]).join('')}`;
  await mkdir(join(layers, '06-app-config', 'app', 'config'), { recursive: true });
  await writeFile(join(layers, '06-app-config', 'app', 'config', 'deploy.env'), `GITHUB_TOKEN=${secret}\n`);
  await run(process.execPath, [
    join(REPO_ROOT, 'dist-test', 'demo', 'build-demo-image.js'),
    layers,
    join(dir, 'image'),
  ]);
  const env = { CUSTOMS_CACHE_DIR: join(dir, 'cache') };
  const db = join(dir, 'db');
  const imported = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '--db-dir', db, '-q'], env);
  if (imported.code !== 0) throw new Error(`db import: ${imported.stderr}`);
  const scanned = await runCustoms(['scan', join(dir, 'image'), '--db', db, '--format', 'json', '-q'], env);
  if (scanned.code !== 0 && scanned.code !== 1) throw new Error(`scan: ${scanned.stderr}`);
  const doc = JSON.parse(scanned.stdout) as Record<string, unknown>;
  const digest = (doc.target as { manifestDigest: string }).manifestDigest;
  return { doc, digest, secret };
}

export interface SeededImage {
  readonly digest: string;
  readonly repository: string;
  readonly tag: string;
}

/** Record a scan document under `digest` and tag it in `repository` of the registry `hub`. */
export async function recordImage(store: Store, doc: Record<string, unknown>, image: SeededImage): Promise<void> {
  const result = parseScanResultJson(JSON.stringify(doc), 'the demo scan');
  const registry =
    (await store.registries.byName('hub')) ??
    (await store.registries.add({ name: 'hub', url: 'https://registry.example' }));
  const repo = await store.images.ensureRepository(registry.id, image.repository);
  await store.scans.record({
    imageDigest: image.digest,
    document: doc,
    packages: inventoryPackagesOf(result.inventory),
  });
  await store.images.setTag(repo.id, image.tag, image.digest);
}

export async function withStore<T>(dataDir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  await mkdir(dataDir, { recursive: true });
  const store = await openStore(dataDir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface Server {
  readonly url: string;
  readonly adminToken: string;
  stop(): Promise<void>;
}

/** `customs serve` as a child process on an ephemeral loopback port; its stderr names the URL and the admin token. */
export async function startServer(dataDir: string): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'customs.js'),
      'serve',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CUSTOMS_CACHE_DIR: join(dataDir, 'cache') } },
  );
  let err = '';
  const ready = new Promise<{ url: string; adminToken: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`customs serve did not start: ${err}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const url = listeningUrl(err);
      const token = /(cst_[A-Za-z0-9_-]+)/.exec(err)?.[1];
      if (url && token) {
        clearTimeout(timer);
        resolve({ url, adminToken: token });
      }
    });
    child.on('exit', (code) => reject(new Error(`customs serve exited ${String(code)}: ${err}`)));
  });
  const { url, adminToken } = await ready;
  return {
    url,
    adminToken,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Call the server's API with a bearer token. */
export async function apiCall(server: Server, method: string, path: string, body?: unknown, token = server.adminToken) {
  const res = await api(server.url, token, method, path, body);
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status.toString()} ${JSON.stringify(res.body)}`);
  return (res.body ?? undefined) as unknown;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface Watched {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and warnings, page errors, failed same-origin responses. */
  readonly problems: string[];
  /** Every request to anywhere but the server (each was blocked). */
  readonly foreign: string[];
}

/**
 * A fresh browser context (its own cookies) whose every request is checked:
 * only the server's origin is let through; anything else is aborted and recorded.
 */
export async function watchedPage(browser: Browser, server: Server, width: number): Promise<Watched> {
  const origin = new URL(server.url).origin;
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems, foreign };
}

export async function loginWithPassword(page: Page, server: Server, user: string, password: string): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

const AXE = join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** axe-core's serious and critical violations on the page as it is now (axe injected through the DevTools protocol: the page's CSP forbids inline script). */
export async function axeViolations(page: Page): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(AXE, 'utf8');
  await page.evaluate(`${source}\n;undefined`);
  const result = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) })))',
  )) as { id: string; impact: string; help: string; nodes: string[] }[];
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}
