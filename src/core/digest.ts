import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CustomsError } from './errors.js';

/** An OCI content digest, `algorithm:hex` (image-spec descriptor.md#digests). */
export type Digest = `${string}:${string}`;

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

export function parseDigest(s: unknown, what: string): Digest {
  if (typeof s !== 'string' || !isDigest(s)) {
    throw new CustomsError('IMAGE_MANIFEST_INVALID', `${what}: "${String(s)}" is not a sha256/sha512 digest`);
  }
  return s;
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function digestOf(algorithm: string, data: Uint8Array): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export function algorithmOf(d: Digest): string {
  return d.slice(0, d.indexOf(':'));
}

/**
 * A pass-through stream that hashes what flows through it and fails at the end
 * if the digest differs from the expected one. `what` names the blob in the error.
 */
export class VerifyDigest extends Transform {
  private readonly hash: Hash;
  private bytes = 0;

  constructor(
    private readonly expected: Digest,
    private readonly what: string,
  ) {
    super();
    this.hash = createHash(algorithmOf(expected));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = `${algorithmOf(this.expected)}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      cb(
        new CustomsError(
          'IMAGE_DIGEST_MISMATCH',
          `${this.what}: content digest is ${actual} (${this.bytes} bytes) but ${this.expected} was expected`,
        ),
      );
      return;
    }
    cb();
  }
}

export function verifyBytes(data: Uint8Array, expected: Digest, what: string): void {
  const actual = digestOf(algorithmOf(expected), data);
  if (actual !== expected) {
    throw new CustomsError(
      'IMAGE_DIGEST_MISMATCH',
      `${what}: content digest is ${actual} but ${expected} was expected`,
    );
  }
}
