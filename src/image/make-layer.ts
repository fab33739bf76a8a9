/**
 * Builds a Layer whose open() streams: stored bytes → (size guard) → blob
 * digest check → decoder → diffID check. Every source uses this one pipeline.
 */
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { CustomsError, type Limits, VerifyDigest } from '../core/index.js';
import { fileRangeStream } from './file-range-stream.js';
import { LayerDecoder } from './layer-decoder.js';
import { tarSplitStream } from './tar-split.js';
import { pipeStream } from './layer-pipe.js';
import type { EngineLayerFiles, FileRange, Layer, LayerDescription, LayerSource } from './types.js';

/** How to build a layer: its description (types.ts LayerDescription) plus how to read its bytes. */
export interface LayerSpec extends LayerDescription {
  readonly limits: Limits;
  /** Opens the stored bytes. */
  readonly openBlob: () => Promise<Readable>;
  /** Where the stored bytes are on local disk, when they are (lets another thread read the layer). */
  readonly file?: FileRange | undefined;
  /** The local engine's files of the layer, when read from there (lets another thread read it too). */
  readonly engine?: EngineLayerFiles | undefined;
}

/** Counts stored bytes for progress and refuses more than the descriptor's size. */
class StoredBytes extends Transform {
  private n = 0;
  constructor(
    private readonly max: number | undefined,
    private readonly what: string,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.n += chunk.length;
    if (this.max !== undefined && this.n > this.max) {
      cb(
        new CustomsError(
          'IMAGE_DIGEST_MISMATCH',
          `${this.what}: blob is longer than its declared size of ${this.max} bytes`,
        ),
      );
      return;
    }
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.max !== undefined && this.n < this.max) {
      cb(
        new CustomsError(
          'LAYER_TRUNCATED',
          `${this.what}: blob ends after ${this.n} of its declared ${this.max} bytes`,
        ),
      );
      return;
    }
    cb();
  }
}

export function makeLayer(spec: LayerSpec): Layer {
  const { openBlob, limits: _limits, file, engine, ...described } = spec;
  const source: LayerSource | undefined = file ? { ...described, file } : engine ? { ...described, engine } : undefined;
  const layer: Layer = {
    stored: { description: described, open: openBlob },
    diffID: spec.diffID,
    digest: spec.digest,
    mediaType: spec.mediaType,
    ...(spec.size !== undefined ? { size: spec.size } : {}),
    ...(source ? { source } : {}),
    async open(onBytes?: (n: number) => void): Promise<Readable> {
      const raw = await spec.openBlob();
      const stages: (Readable | Transform)[] = [raw, new StoredBytes(spec.size, spec.what, onBytes)];
      if (spec.verifyBlob) stages.push(new VerifyDigest(spec.digest, `${spec.what} blob ${spec.digest}`));
      stages.push(
        new LayerDecoder({
          expected: spec.compression,
          what: spec.what,
          maxSize: spec.limits.maxLayerSize,
          maxRatio: spec.limits.maxCompressionRatio,
        }),
      );
      // An uncompressed blob's digest is its diffID: hashing it twice would only cost time.
      const sameBytes = spec.verifyBlob && spec.digest === spec.diffID;
      if (spec.verifyDiffID && !sameBytes)
        stages.push(new VerifyDigest(spec.diffID, `${spec.what} diffID ${spec.diffID}`));
      const last = stages[stages.length - 1] as Transform;
      // pipeline destroys every stage on error; hand the first error to the consumer.
      pipeline(stages, (err) => {
        if (err && !last.destroyed) last.destroy(err);
        else if (err && !last.errored) last.destroy(err);
      });
      return last;
    },
  };
  return layer;
}

/** Rebuild a layer from its serialisable description (in a worker thread, say). */
export function layerFromSource(source: LayerSource, limits: Limits): Layer {
  const { file, engine, pipe, ...described } = source;
  if (pipe) return makeLayer({ ...described, limits, openBlob: async () => pipeStream(pipe) });
  if (engine) {
    return makeLayer({
      ...source,
      limits,
      openBlob: async () => tarSplitStream(engine.tarSplit, engine.diffDir, source.what),
    });
  }
  return makeLayer({
    ...source,
    limits,
    openBlob: async () =>
      file.length === 0 ? Readable.from([]) : fileRangeStream({ path: file.path }, file.start, file.length),
  });
}
