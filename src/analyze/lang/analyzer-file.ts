import { readFileSync } from 'node:fs';
import type { AnalyzerFile } from '../types.js';

/** Test helper: an AnalyzerFile as the layer walker would hand it over. */
export function analyzerFile(path: string, data: Buffer | string, mode = 0o644): AnalyzerFile {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return {
    path,
    size: bytes.length,
    mode,
    layer: 'sha256:test',
    bytes,
    text: () => bytes.toString('utf8'),
  };
}

/** Test helper: a testdata file as an AnalyzerFile at `path` in the image. */
export function analyzerFileFrom(diskPath: string, path: string, mode = 0o644): AnalyzerFile {
  return analyzerFile(path, readFileSync(diskPath), mode);
}
