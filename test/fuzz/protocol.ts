/**
 * What the fuzzing harness (harness.ts, the parent) and its sandbox (child.ts,
 * a child process per lane) exchange, and what a fuzz target is.
 *
 * Every input is bytes, because every parser fuzzed here reads a file or a
 * stream an attacker wrote (a layer blob, an rpm database, an SBOM, a VEX or
 * policy file): text readers get the bytes decoded as UTF-8, as the product
 * does when it reads the file. `knob` is a second, small input that steers how
 * the bytes are fed (stream chunk size, which entry bodies are read, the
 * declared compression …) so that fast-check shrinks it too.
 */
import type { Arbitrary } from 'fast-check';

export interface FuzzInput {
  readonly bytes: Uint8Array;
  /** A 32-bit value the target uses to vary how it drives the parser. */
  readonly knob: number;
}

export interface FuzzTarget {
  /** Short name (FUZZ_TARGETS selects by it; findings are named after it). */
  readonly name: string;
  /** The product entry point(s) driven, for the summary and docs/security.md. */
  readonly entry: string;
  /**
   * The structure-aware generator. A function, built on first use: seeds can be
   * costly to build and the child process, which only runs inputs, never needs them.
   */
  arbitrary(): Arbitrary<FuzzInput>;
  /**
   * Parse the input as the product would. Return the problems of a result that
   * is not well-formed (empty when it is). Throwing a CustomsError is a clean
   * rejection; throwing anything else is a crash.
   */
  run(input: FuzzInput): Promise<readonly string[]> | readonly string[];
}

/** What one parse cost. */
export interface Timing {
  /** Wall-clock milliseconds the parse took. */
  readonly ms: number;
  /** Peak resident memory above the start of the parse, in MiB (VmHWM after a reset). */
  readonly peakMb: number;
}

export type Outcome =
  | ({ readonly kind: 'ok' } & Timing)
  | ({ readonly kind: 'rejected'; readonly code: string } & Timing)
  | ({ readonly kind: 'malformed'; readonly problems: readonly string[] } & Timing)
  | ({ readonly kind: 'crash'; readonly name: string; readonly message: string; readonly stack: string } & Timing)
  | { readonly kind: 'hang'; readonly ms: number }
  | { readonly kind: 'memory'; readonly mb: number; readonly ms: number; readonly detail: string };

export type FailureKind = 'malformed' | 'crash' | 'hang' | 'memory';

export function isFailure(o: Outcome): o is Extract<Outcome, { kind: FailureKind }> {
  return o.kind !== 'ok' && o.kind !== 'rejected';
}

/** Parent → child. */
export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly target: string;
  readonly input: FuzzInput;
}

/** Child → parent. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly rssMb: number; readonly targets: readonly string[] }
  | { readonly type: 'done'; readonly id: number; readonly outcome: Outcome; readonly rssMb: number }
  /** An exception escaped after the parse had returned (a stray stream error, say). */
  | { readonly type: 'late'; readonly id: number; readonly outcome: Outcome };
