import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomsError } from '../../core/index.js';
import { PACKAGES_PLAN } from '../analyzers.js';
import { analyzerFile } from '../test-support/analyzer-tester.js';
import type { Analyzer } from '../types.js';
import { SandboxPool } from './sandbox-pool.js';
import {
  echoProcess,
  echoThread,
  heapHogProcess,
  heapHogThread,
  jsSpinner,
  sqliteSpinner,
} from './test-support/hostile-analyzers.js';

const MODULES = [new URL('./test-support/hostile-analyzers.js', import.meta.url).href];
const pool = (signal?: AbortSignal): SandboxPool =>
  new SandboxPool({ plan: PACKAGES_PLAN, modules: MODULES, ...(signal ? { signal } : {}) });
const dir = mkdtempSync(join(tmpdir(), 'customs-sandbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A file whose text names where the analyzer writes its pid. */
const pidFile = (path: string): { file: ReturnType<typeof analyzerFile>; pid: () => number } => {
  const at = join(dir, `pid-${n++}`);
  return { file: analyzerFile(path, at), pid: () => Number(readFileSync(at, 'utf8')) };
};
const isGone = async (pid: number): Promise<boolean> => {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(20);
  }
  return false;
};
const overBudget =
  (analyzer: Analyzer, path: string, what: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CustomsError &&
    e.code === 'ANALYZER_BUDGET_EXCEEDED' &&
    e.message.includes(`analyzer ${analyzer.name} on /${path} exceeded`) &&
    what.test(e.message) &&
    e.message.includes('likely crafted');

test('sandbox: a JavaScript loop in a thread is stopped at its deadline and the pool goes on', {
  timeout: 30_000,
}, async () => {
  const p = pool();
  try {
    await assert.rejects(
      p.run(jsSpinner, analyzerFile('spin/js', '')),
      overBudget(jsSpinner, 'spin/js', /its 0\.4 s budget \(0\.4 s \/ 64 MB\)/),
    );
    const r = await p.run(echoThread, analyzerFile('echo/thread/a', 'after'));
    assert.equal(r.packages?.[0]?.name, 'after');
    assert.equal(r.packages?.[0]?.version, String(process.pid), 'a thread shares the process');
  } finally {
    await p.close();
  }
});

test('sandbox: native SQLite spinning in a child process is killed at its deadline', { timeout: 30_000 }, async () => {
  const p = pool();
  try {
    const { file, pid } = pidFile('spin/sqlite.db');
    await assert.rejects(p.run(sqliteSpinner, file), overBudget(sqliteSpinner, 'spin/sqlite.db', /0\.4 s budget/));
    assert.notEqual(pid(), process.pid);
    assert.ok(await isGone(pid()), 'the spinning process is gone');
  } finally {
    await p.close();
  }
});

test('sandbox: heap limits end a file as over budget, in threads and in processes', { timeout: 30_000 }, async () => {
  const p = pool();
  try {
    await assert.rejects(
      p.run(heapHogThread, analyzerFile('hog/thread', '')),
      overBudget(heapHogThread, 'hog/thread', /its 32 MB memory budget/),
    );
    await assert.rejects(
      p.run(heapHogProcess, analyzerFile('hog/process', '')),
      overBudget(heapHogProcess, 'hog/process', /its 32 MB memory budget/),
    );
  } finally {
    await p.close();
  }
});

test('sandbox: sandboxes are reused per analyzer; results and errors come back as data', {
  timeout: 30_000,
}, async () => {
  const p = pool();
  try {
    const pids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await p.run(echoProcess, analyzerFile(`echo/process/${i}`, `pkg${i}`));
      assert.equal(r.packages?.[0]?.name, `pkg${i}`);
      pids.add(r.packages?.[0]?.version ?? '');
    }
    assert.equal(pids.size, 1, 'one child process served every file');
    assert.ok(!pids.has(String(process.pid)));
    assert.equal(p.size, 1);
    await assert.rejects(p.run(echoProcess, analyzerFile('echo/process/x', 'bad')), /cannot read this one/);
    // Errors keep their CustomsError code across the boundary (a real analyzer's invalid file).
    const { rpmDb } = await import('../os/index.js');
    await assert.rejects(
      p.run(rpmDb, analyzerFile('var/lib/rpm/Packages', 'not a database')),
      (e: unknown) => e instanceof CustomsError && e.code === 'ANALYZE_FILE_INVALID',
    );
  } finally {
    await p.close();
  }
});

test('sandbox: aborting kills a process stuck in native code at once', { timeout: 30_000 }, async () => {
  const controller = new AbortController();
  const p = new SandboxPool({
    plan: PACKAGES_PLAN,
    modules: MODULES,
    signal: controller.signal,
  });
  const slow: Analyzer = { ...sqliteSpinner, budget: { ms: 60_000, heapMb: 64, isolation: 'process' } };
  const { file, pid } = pidFile('spin/sqlite.db');
  const running = p.run(slow, file);
  for (let i = 0; i < 200; i++) {
    try {
      pid();
      break;
    } catch {
      await sleep(25);
    }
  }
  const started = Date.now();
  controller.abort();
  await assert.rejects(running, (e: unknown) => e instanceof CustomsError && e.code === 'ABORTED');
  assert.ok(await isGone(pid()), 'the spinning process is gone');
  assert.ok(Date.now() - started < 2000);
});
