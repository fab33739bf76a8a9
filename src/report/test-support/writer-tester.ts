import assert from 'node:assert/strict';
import type { ScanResult } from '../../result/index.js';
import type { RenderOptions } from '../types.js';
import { type ScanFormat, writerFor } from '../writers.js';

/** One rendering of a result by a registered writer, with assertions on its text. */
export class Rendered {
  constructor(
    readonly format: ScanFormat,
    readonly text: string,
    private readonly result: ScanResult,
    private readonly opts: RenderOptions,
  ) {}

  /** The text contains every one of `parts`. */
  contains(...parts: string[]): this {
    for (const p of parts) assert.ok(this.text.includes(p), `${this.format} output lacks ${JSON.stringify(p)}`);
    return this;
  }

  /** The text contains none of `parts`. */
  lacks(...parts: string[]): this {
    for (const p of parts) assert.ok(!this.text.includes(p), `${this.format} output has ${JSON.stringify(p)}`);
    return this;
  }

  /** The text matches every pattern. */
  matches(...patterns: RegExp[]): this {
    for (const re of patterns) assert.match(this.text, re);
    return this;
  }

  /** The text matches none of the patterns. */
  doesNotMatch(...patterns: RegExp[]): this {
    for (const re of patterns) assert.doesNotMatch(this.text, re);
    return this;
  }

  /**
   * Same input, same bytes: a second rendering of a deep copy of the result and options gives
   * the same text (no clock, no randomness, no dependence on object identity or on mutating the input).
   */
  deterministic(): this {
    const again = writerFor(this.format).render(structuredClone(this.result), structuredClone(this.opts));
    assert.equal(again, this.text, `${this.format} output differs between two renderings of the same result`);
    return this;
  }

  /** The text parsed as JSON (the machine formats). */
  json<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }
}

/** Renders results through the writer registered for a format, as `customs scan --format` does. */
export class WriterTester {
  constructor(readonly format: ScanFormat) {}

  renders(result: ScanResult, opts: RenderOptions = {}): Rendered {
    return new Rendered(this.format, writerFor(this.format).render(result, opts), result, opts);
  }
}

/** `writerTester('html').renders(sample, { verdict }).contains('…').deterministic()`. */
export function writerTester(format: ScanFormat): WriterTester {
  return new WriterTester(format);
}
