/**
 * Budgets of the parsers that run isolated (docs/security.md, "Parser sandbox
 * and decoder budgets"). A genuine file stays far inside them; a file that
 * reaches one is reported as an Unknown (ANALYZER_BUDGET_EXCEEDED).
 */
import type { AnalyzerBudget } from '../types.js';

/**
 * rpm databases (rpmdb.sqlite through SQLite, Packages through the Berkeley DB
 * hash reader, Packages.db through the NDB reader). 30 s: a full RHEL/Fedora
 * database (~2,000 packages, ~100 MB) parses in about a second, so this is
 * ample headroom for a slow, shared CI machine. 1 GiB of heap: every header's
 * tags and file lists become objects, a few hundred MB for the largest
 * databases. A process, because SQLite runs in native code that terminating a
 * worker thread cannot interrupt (docs/adr/0005-parser-sandbox.md).
 */
export const RPM_DB_BUDGET: AnalyzerBudget = { ms: 30_000, heapMb: 1024, isolation: 'process' };

/**
 * Java archives (zip central directories, nested jars). 30 s: inflating the
 * whole per-archive allowance (LIMITS.maxInflatedBytesPerArchive, 512 MiB)
 * takes ~3 s, and walking even 200,000 directory entries well under one.
 * 1 GiB of heap: entry lists and facts of the biggest fat jars are tens of MB
 * (inflated bytes live outside the V8 heap and are bounded by LIMITS). A
 * worker thread: the parser is pure JavaScript, which termination interrupts,
 * and a thread takes the file's bytes without a pipe copy.
 */
export const JAVA_ARCHIVE_BUDGET: AnalyzerBudget = { ms: 30_000, heapMb: 1024, isolation: 'thread' };

/**
 * Young generation of a sandbox, MiB: V8's own default for 64-bit heaps is
 * 16-32 MiB of semi-space; allocation-heavy parsers run faster with room to
 * spare, and it is small beside the old-generation budget.
 */
export const SANDBOX_YOUNG_GENERATION_MB = 64;

/**
 * Stack of a sandbox thread, MiB (Node's default for worker threads): deep
 * recursion in a parser ends in a RangeError, which becomes an Unknown.
 */
export const SANDBOX_STACK_MB = 4;

/**
 * Time a sandbox may take to start and find its analyzer before the file's
 * own budget starts, ms: loading Node and the analyzers takes well under a
 * second; a sandbox that cannot start in 30 s is broken, and the file becomes
 * an Unknown rather than a hang.
 */
export const SANDBOX_START_MS = 30_000;

/**
 * How often an isolated child process checks that its parent is still there,
 * ms. If the scanner dies without killing it (SIGKILL, a crash) while the
 * child is stuck in native code, the child's watchdog thread kills it within
 * this time instead of leaving it spinning.
 */
export const SANDBOX_ORPHAN_CHECK_MS = 250;
