/**
 * Preloaded with `node --import` into the CLI and, through the inherited
 * flags, into its sandbox processes: adds to the analyzer registry a test
 * analyzer that spins inside SQLite's native code on `spin/sqlite.db`, as a
 * crafted rpmdb.sqlite could. The file's text names where it writes its pid.
 */
import { ANALYZERS } from '../../src/analyze/analyzers.js';
import { sqliteSpinner } from '../../src/analyze/sandbox/test-support/hostile-analyzers.js';
import type { Analyzer } from '../../src/analyze/types.js';

// A budget far past the test's patience: only the signal can end the run.
(ANALYZERS as Analyzer[]).push({ ...sqliteSpinner, budget: { ms: 600_000, heapMb: 64, isolation: 'process' } });
