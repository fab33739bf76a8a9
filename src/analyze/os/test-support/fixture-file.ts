import { readFileSync } from 'node:fs';
import type { AnalyzerFile } from '../../types.js';

/** An AnalyzerFile as the layer walker hands it over, for tests of the analyzers in this folder. */
export function fixtureFile(path: string, content: Buffer | string): AnalyzerFile {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    path,
    size: bytes.length,
    mode: 0o644,
    layer: 'sha256:test',
    bytes,
    text: () => bytes.toString('utf8'),
  };
}

/** Read a fixture file from disk and present it at `path` inside the image. */
export function fixtureFromDisk(diskPath: string, imagePath: string): AnalyzerFile {
  return fixtureFile(imagePath, readFileSync(diskPath));
}
