import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CustomsError, createContext } from '../core/index.js';
import { scan } from './scan.js';

test('scan of an SBOM with only file scanners says an SBOM has no files to search', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'customs-sbom-scanners-'));
  try {
    const sbom = join(dir, 'app.cdx.json');
    await writeFile(
      sbom,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [{ type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' }],
      }),
    );
    // No DB exists under dir: had another scanner run instead, this would fail for the DB.
    const ctx = {
      ...createContext({ config: { cacheDir: dir, dbDir: join(dir, 'db') } }),
      dbPath: join(dir, 'none.db'),
    };
    for (const scanners of [['secret'], ['secret', 'malware'], ['misconfig']] as const) {
      await assert.rejects(
        scan(sbom, { scanners }, ctx),
        (e: unknown) =>
          e instanceof CustomsError &&
          e.code === 'USAGE_BAD_FLAG' &&
          e.message.includes('is an SBOM') &&
          e.message.includes('no files') &&
          e.message.includes(scanners.join(', ')),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
