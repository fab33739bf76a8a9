/**
 * Test support for signing tests: a real docker-registry with a small image
 * pushed by skopeo, and a Context whose docker config holds the registry's
 * credentials (several registries can share one config).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, createContext } from '../../core/index.js';
import { writeOciLayout } from '../../image/test-support/image-fixtures.js';
import { pushLayout, type TestRegistry } from '../../image/test-support/test-registry.js';

/** Push a one-layer image whose file says `marker` (so two markers give two digests). */
export async function pushImage(reg: TestRegistry, work: string, repoTag: string, marker: string): Promise<void> {
  const dir = mkdtempSync(join(work, 'layout-'));
  writeOciLayout(dir, [
    {
      image: {
        layers: [
          {
            files: [{ path: 'etc/os-release', data: `ID=alpine\nVERSION_ID=3.19.0\n# ${marker}\n` }],
            compression: 'gzip',
          },
        ],
      },
    },
  ]);
  await pushLayout(reg, dir, repoTag);
}

/** A docker config.json with Basic credentials for each registry that has them. */
export function dockerConfigFor(work: string, regs: readonly TestRegistry[]): string {
  const auths: Record<string, { auth: string }> = {};
  for (const r of regs) {
    if (r.username && r.password)
      auths[r.host] = { auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') };
  }
  const file = join(mkdtempSync(join(work, 'docker-')), 'config.json');
  writeFileSync(file, JSON.stringify({ auths }));
  return file;
}

export function registryContext(work: string, dockerConfig: string): Context {
  return createContext({ config: { cacheDir: join(work, 'cache'), dockerConfig } });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
