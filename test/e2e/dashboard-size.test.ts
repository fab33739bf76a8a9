/**
 * The dashboard's initial load stays within its budget (docs/adr/0008-dashboard.md):
 * reads the files `make build` wrote to dist/web/, gzips them here, and checks
 * the page names only hashed same-origin assets and carries no inline script.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../support/images.js';

const WEB = join(REPO_ROOT, 'dist', 'web');
const BUDGET = 200 * 1024;

test('dashboard initial load ≤ 200 KB gzipped, hashed asset names, no inline script', () => {
  assert.ok(existsSync(join(WEB, 'index.html')), 'dist/web/index.html is missing: run make build');
  const html = readFileSync(join(WEB, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
  const assets = refs.filter((r) => r.startsWith('/assets/'));
  assert.equal(assets.length, 2, `one script and one stylesheet: ${refs.join(', ')}`);
  for (const r of refs) assert.ok(r.startsWith('/assets/') || r === 'data:,', `${r} is not same-origin`);
  for (const a of assets) assert.match(a, /^\/assets\/app-[A-Z0-9]{8}\.(js|css)$/);
  // Every <script> has a src: nothing inline for the CSP to refuse.
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1] ?? '', /\bsrc="/);
    assert.equal((m[2] ?? '').trim(), '');
  }
  assert.doesNotMatch(html, /\bstyle=|<style\b|https?:\/\//);
  const files = [join(WEB, 'index.html'), ...assets.map((a) => join(WEB, a))];
  const gz = files.map((f) => gzipSync(readFileSync(f), { level: 9 }).length);
  const total = gz.reduce((a, b) => a + b, 0);
  assert.ok(total <= BUDGET, `initial load ${total} bytes gzipped > ${BUDGET}`);
  const manifest = JSON.parse(readFileSync(join(WEB, 'manifest.json'), 'utf8')) as { initialGzipBytes: number };
  assert.equal(manifest.initialGzipBytes, total, 'the build printed what the test measures');
  // No asset fetches another origin at run time (the bundle has no absolute URLs to fetch).
  const js = readFileSync(join(WEB, assets.find((a) => a.endsWith('.js')) ?? ''), 'utf8');
  assert.doesNotMatch(js, /fetch\(\s*["'`]https?:/);
  assert.deepEqual(
    readdirSync(join(WEB, 'assets')).filter((f) => !/^app-[A-Z0-9]{8}\.(js|css)(\.LEGAL\.txt)?$/.test(f)),
    [],
  );
});
