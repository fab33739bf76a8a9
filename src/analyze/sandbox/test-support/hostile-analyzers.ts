/**
 * Test-only analyzers that misbehave the way crafted files make real parsers
 * misbehave: spin in JavaScript, spin inside SQLite's native code, eat the
 * heap. Sandbox tests name this module in the pool's `modules` so the sandbox
 * can re-create them by name. Each writes its process id to the path given in
 * the file's text (when there is one) before misbehaving, so tests can check
 * that the process is gone afterwards.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Analyzer, AnalyzerFile } from '../../types.js';

function announce(file: AnalyzerFile): void {
  const to = file.text().trim();
  if (to !== '') writeFileSync(to, String(process.pid));
}

/** An endless loop in JavaScript: a worker thread's termination interrupts it. */
export const jsSpinner: Analyzer = {
  name: 'test-js-spinner',
  version: 1,
  wants: (p) => p === 'spin/js',
  budget: { ms: 400, heapMb: 64, isolation: 'thread' },
  analyze: (file) => {
    announce(file);
    for (;;) {
      // spin
    }
  },
};

/**
 * An endless recursive CTE: SQLite never returns to JavaScript, so neither a
 * thread's termination nor a timer can stop it; only killing the process does.
 */
export const sqliteSpinner: Analyzer = {
  name: 'test-sqlite-spinner',
  version: 1,
  wants: (p) => p === 'spin/sqlite.db',
  budget: { ms: 400, heapMb: 64, isolation: 'process' },
  analyze: (file) => {
    announce(file);
    const db = new Database(':memory:');
    db.prepare('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n').get();
    return {};
  },
};

function hog(): never {
  const keep: number[][] = [];
  for (;;) keep.push(Array.from({ length: 100_000 }, (_, i) => i));
}

/** Fills the heap until the sandbox's heap limit stops it. */
export const heapHogThread: Analyzer = {
  name: 'test-heap-hog-thread',
  version: 1,
  wants: (p) => p === 'hog/thread',
  budget: { ms: 60_000, heapMb: 32, isolation: 'thread' },
  analyze: () => hog(),
};

export const heapHogProcess: Analyzer = {
  name: 'test-heap-hog-process',
  version: 1,
  wants: (p) => p === 'hog/process',
  budget: { ms: 60_000, heapMb: 32, isolation: 'process' },
  analyze: () => hog(),
};

/** A well-behaved isolated analyzer: one package named by the file's text and the process it ran in. */
const echo = (isolation: 'thread' | 'process'): Analyzer => ({
  name: `test-echo-${isolation}`,
  version: 1,
  wants: (p) => p.startsWith(`echo/${isolation}/`),
  budget: { ms: 10_000, heapMb: 64, isolation },
  analyze: (file) => {
    if (file.text() === 'bad') throw new Error('cannot read this one');
    return { packages: [{ ecosystem: 'npm', name: file.text(), version: String(process.pid) }] };
  },
});
export const echoThread = echo('thread');
export const echoProcess = echo('process');
