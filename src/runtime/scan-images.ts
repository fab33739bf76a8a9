/**
 * Images the store does not know yet, scanned from the node itself: every active
 * Docker image without a stored scan is read through the Docker Engine
 * (`docker-daemon:ID`), scanned for vulnerabilities by the engine, and recorded
 * under its image ID (a locally built image has no registry digest), so its
 * findings join the containers that run it (`customs ir plan`).
 */
import { type ScanContext, scan } from '../engine/index.js';
import { renderScanJson } from '../report/index.js';
import { inventoryPackagesOf, type Store } from '../store/index.js';
import type { NodeInventory } from './types.js';

export interface ScanImagesResult {
  readonly scanned: readonly string[];
  readonly known: readonly string[];
  readonly failed: readonly { readonly imageId: string; readonly error: string }[];
}

export async function scanActiveImages(inv: NodeInventory, store: Store, ctx: ScanContext): Promise<ScanImagesResult> {
  const scanned: string[] = [];
  const known: string[] = [];
  const failed: { imageId: string; error: string }[] = [];
  for (const image of inv.images) {
    if (image.runtime !== 'docker' || image.usage !== 'active') continue;
    if (await store.scans.latest(image.id)) {
      known.push(image.id);
      continue;
    }
    try {
      const result = await scan(`docker-daemon:${image.id}`, { scanners: ['vuln'] }, ctx);
      await store.scans.record({
        imageDigest: image.id,
        document: JSON.parse(renderScanJson(result)) as unknown,
        packages: inventoryPackagesOf(result.inventory),
        ...(result.db ? { dbVersion: result.db.builtAt } : {}),
      });
      scanned.push(image.id);
    } catch (e) {
      failed.push({ imageId: image.id, error: (e as Error).message });
    }
  }
  return { scanned, known, failed };
}
