import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createContext, DEFAULT_LIMITS, sha256 } from '../../core/index.js';
import type { LayerSource } from '../../image/index.js';
import { chunked, tarBytes } from '../../image/tar/test-support/tar-fixture.js';
import { PACKAGES_PLAN } from '../analyzers.js';
import { LayerThread } from '../layer-thread.js';
import { walkLayer } from '../layer-walker.js';
import type { Analyzer, AnalyzerResult } from '../types.js';
import { type Sandbox, type SandboxedAnalyzer, type SandboxFile, SandboxPool } from './sandbox-pool.js';
import { echoProcess, sqliteSpinner } from './test-support/hostile-analyzers.js';

const MODULES = [new URL('./test-support/hostile-analyzers.js', import.meta.url).href];
const ctx = createContext({ config: { limits: DEFAULT_LIMITS } });
const plain: Analyzer = {
  name: 'plain',
  version: 1,
  wants: (p) => p === 'etc/plain',
  analyze: (f) => ({ packages: [{ ecosystem: 'npm', name: f.text(), version: '1' }] }),
};

test('walker: a file that spins a sandboxed parser becomes an Unknown; the rest of the layer is analysed', {
  timeout: 60_000,
}, async () => {
  const pool = new SandboxPool({ plan: PACKAGES_PLAN, modules: MODULES });
  try {
    const tar = tarBytes([
      { name: 'spin/sqlite.db', body: '' },
      { name: 'echo/process/a', body: 'still-here' },
      { name: 'etc/plain', body: 'plain-pkg' },
    ]);
    const r = await walkLayer('sha256:l1', chunked(tar, 700), {
      analyzers: [sqliteSpinner, echoProcess, plain],
      ctx,
      sandbox: pool,
    });
    assert.deepEqual(
      r.unknowns.map((u) => [u.path, u.analyzer, u.code]),
      [['spin/sqlite.db', 'test-sqlite-spinner', 'ANALYZER_BUDGET_EXCEEDED']],
    );
    assert.match(r.unknowns[0]?.message ?? '', /exceeded its 0\.4 s budget/);
    assert.deepEqual(
      r.findings.map((f) => [f.path, f.analyzer, f.result.packages?.[0]?.name]),
      [
        ['echo/process/a', 'test-echo-process', 'still-here'],
        ['etc/plain', 'plain', 'plain-pkg'],
      ],
    );
  } finally {
    await pool.close();
  }
});

test('layer worker threads send isolated analyzers back to the main thread sandbox', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-layer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tar = tarBytes([
    { name: 'var/lib/rpm/Packages', body: 'not really a database' },
    { name: 'usr/share/java/app-1.0.jar', body: 'not really a jar' },
  ]);
  const path = join(dir, 'layer.tar');
  writeFileSync(path, tar);
  const source: LayerSource = {
    diffID: sha256(tar),
    digest: sha256(tar),
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    compression: 'none',
    verifyBlob: false,
    verifyDiffID: false,
    what: 'test layer',
    file: { path, start: 0, length: tar.length },
  };
  const seen: string[] = [];
  const fake: Sandbox = {
    run: async (a: SandboxedAnalyzer, f: SandboxFile): Promise<AnalyzerResult> => {
      seen.push(`${a.name} ${f.path} ${Buffer.from(f.bytes).toString()} ${a.budget?.isolation}`);
      return { packages: [{ ecosystem: 'npm', name: `from-main-${a.name}`, version: '1' }] };
    },
  };
  const thread = new LayerThread();
  try {
    const r = await thread.analyze(source, PACKAGES_PLAN, ctx.config, () => {}, fake);
    assert.deepEqual(seen.sort(), [
      'java-archive usr/share/java/app-1.0.jar not really a jar thread',
      'rpm-db var/lib/rpm/Packages not really a database process',
    ]);
    assert.deepEqual(r.findings.map((f) => f.result.packages?.[0]?.name).sort(), [
      'from-main-java-archive',
      'from-main-rpm-db',
    ]);
  } finally {
    await thread.close();
  }
});
