/**
 * Synthetic targets with planted bugs, for harness.test.ts: each fails in one
 * way the harness must catch (another exception type, a hang, a memory
 * blow-up, a malformed result) on inputs fast-check finds quickly, and is a
 * clean parser otherwise.
 */
import * as fc from 'fast-check';
import { CustomsError } from '../../src/core/index.js';
import type { FuzzInput, FuzzTarget } from './protocol.js';

const small = (): fc.Arbitrary<FuzzInput> => fc.record({ bytes: fc.uint8Array({ maxLength: 8 }), knob: fc.nat() });

/** Clean behaviour: short inputs parse, others are rejected with a CustomsError. */
function clean(input: FuzzInput): readonly string[] {
  if (input.bytes.length > 4) throw new CustomsError('ANALYZE_FILE_INVALID', 'self-test: input longer than 4 bytes');
  return [];
}

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'throws',
    entry: 'a TypeError on any input holding the byte 0x42',
    arbitrary: small,
    run(input) {
      if (input.bytes.includes(0x42)) throw new TypeError('self-test: planted TypeError');
      return clean(input);
    },
  },
  {
    name: 'loops',
    entry: 'never returns when the first byte is 7',
    arbitrary: small,
    run(input) {
      let spins = 0;
      while (input.bytes[0] === 7) spins++;
      return spins === 0 ? clean(input) : ['unreachable'];
    },
  },
  {
    name: 'allocates',
    entry: 'touches 600 MiB when a byte is 9 modulo 32',
    arbitrary: small,
    run(input) {
      if (input.bytes.some((b) => b % 32 === 9)) {
        const held = Buffer.alloc(600 * 1024 * 1024, 1);
        return held.length > 0 ? clean(input) : ['unreachable'];
      }
      return clean(input);
    },
  },
  {
    name: 'malformed',
    entry: 'returns a problem for inputs of 3 bytes',
    arbitrary: small,
    run(input) {
      if (input.bytes.length === 3) return ['self-test: a package without a name'];
      return clean(input);
    },
  },
  {
    name: 'clean',
    entry: 'parses or rejects with a CustomsError, always',
    arbitrary: small,
    run: clean,
  },
];
