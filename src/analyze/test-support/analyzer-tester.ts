import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCustomsError, type PackageFact } from '../../core/index.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult, FileInfo } from '../types.js';

/** The layer id every tested file claims to come from. */
export const TEST_LAYER = 'sha256:test';

/** What the layer walker records for one analyzer on one file: its result, or the file's Unknown. */
export type TestOutcome =
  | { readonly kind: 'result'; readonly result: AnalyzerResult }
  | { readonly kind: 'unknown'; readonly code: string; readonly message: string };

/**
 * An AnalyzerFile as the layer walker builds it: the tar header's path, size and mode, the
 * layer's diffID, the bytes, and text() decoded once as UTF-8.
 */
export function analyzerFile(path: string, content: Buffer | string, mode = 0o644, layer = TEST_LAYER): AnalyzerFile {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let text: string | undefined;
  return {
    path,
    size: bytes.length,
    mode,
    layer,
    bytes,
    text: () => {
      text ??= bytes.toString('utf8');
      return text;
    },
  };
}

/** A testdata file as an AnalyzerFile at `path` in the image. */
export function analyzerFileFrom(diskPath: string, path: string, mode = 0o644): AnalyzerFile {
  return analyzerFile(path, readFileSync(diskPath), mode);
}

/** Runs one analyzer on one file the way the layer walker does, and compares what it records. */
export class AnalyzerTester {
  #file: AnalyzerFile | undefined;
  #checkWants = true;

  constructor(private readonly analyzer: Analyzer) {}

  /** The file at `path` in the image with this content (mode 0644 unless given). */
  file(path: string, content: Buffer | string, mode = 0o644): this {
    this.#file = analyzerFile(path, content, mode);
    return this;
  }

  /** The file `imagePath` of a testdata directory, presented at the same path in the image. */
  fromDir(testdataDir: string, imagePath: string, mode = 0o644): this {
    return this.file(imagePath, readFileSync(join(testdataDir, imagePath)), mode);
  }

  /** A testdata file presented at `imagePath` in the image. */
  fromDisk(diskPath: string, imagePath: string, mode = 0o644): this {
    return this.file(imagePath, readFileSync(diskPath), mode);
  }

  /**
   * Skip the wants() check: for files the walker would not hand over (the analyzer is called on
   * them by a test that is about parsing, not about the path).
   */
  unwanted(): this {
    this.#checkWants = false;
    return this;
  }

  /** The walker's outcome: wants() must accept the file; a throw becomes the file's Unknown. */
  async outcome(): Promise<TestOutcome> {
    const file = this.#file;
    if (file === undefined) throw new Error('analyzerTester: call .file() or .fromDir() first');
    if (this.#checkWants) {
      const info: FileInfo = { path: file.path, size: file.size, mode: file.mode };
      assert.equal(this.analyzer.wants(file.path, info), true, `${this.analyzer.name} does not want ${file.path}`);
    }
    try {
      return { kind: 'result', result: await this.analyzer.analyze(file) };
    } catch (e) {
      const code = isCustomsError(e) ? e.code : 'ANALYZER_FAILED';
      return { kind: 'unknown', code, message: e instanceof Error ? e.message : String(e) };
    }
  }

  /** The analyzer's result; fails the test if the file became an Unknown. */
  async result(): Promise<AnalyzerResult> {
    const o = await this.outcome();
    if (o.kind === 'unknown') assert.fail(`expected a result, got Unknown ${o.code}: ${o.message}`);
    return o.result;
  }

  /** The whole result equals `expected`. */
  async expects(expected: AnalyzerResult): Promise<AnalyzerResult> {
    const r = await this.result();
    assert.deepEqual(r, expected);
    return r;
  }

  /** The packages found equal `expected` (in order); `[]` also accepts no `packages` at all. */
  async expectsPackages(expected: readonly PackageFact[]): Promise<AnalyzerResult> {
    const r = await this.result();
    assert.deepEqual(r.packages ?? [], expected);
    return r;
  }

  /**
   * The file becomes an Unknown with this code; `message` (a substring or pattern) must match
   * its message. Returns the message.
   */
  async expectsUnknown(code: string, message?: string | RegExp): Promise<string> {
    const o = await this.outcome();
    if (o.kind === 'result') assert.fail(`expected Unknown ${code}, got a result: ${JSON.stringify(o.result)}`);
    assert.equal(o.code, code, o.message);
    if (typeof message === 'string') assert.ok(o.message.includes(message), `"${o.message}" lacks "${message}"`);
    else if (message) assert.match(o.message, message);
    return o.message;
  }
}

/** `analyzerTester(dpkgStatus).file('var/lib/dpkg/status', text).expectsPackages([...])`. */
export function analyzerTester(analyzer: Analyzer): AnalyzerTester {
  return new AnalyzerTester(analyzer);
}
