/**
 * What `customs sbom` runs: loaded when the command runs (not for `--help`), and importing
 * the pipeline by name, so that a bundle that tree-shakes (the image commands' entry,
 * scripts/bundle.mjs) holds what an SBOM needs and not the matcher, the policy engine or
 * the report writers that share the engine's modules.
 */
import { sbom } from '../../engine/index.js';
import { type Inventory, loadCycloneDx, toCustomsJson, toCycloneDx, toSpdx, toTable } from '../../sbom/index.js';
import { renderTarget } from '../image-command.js';

export { sbom };

/** The formats `customs sbom` writes (sbom.ts lists them for --format). */
export type SbomFormat = 'table' | 'json' | 'cyclonedx' | 'spdx';

/**
 * Start loading what `render` will need for `format` while the image is read: the CycloneDX
 * library is ~15 ms of module loading that otherwise runs after the scan, on one core, while
 * the layer thread has finished (docs/adr/0009). A failure is `render`'s to report.
 */
export function preload(format: SbomFormat): void {
  if (format === 'cyclonedx') loadCycloneDx().catch(() => undefined);
}

/** The inventory in the chosen format; `file` is where it goes (undefined: stdout). */
export async function render(inv: Inventory, format: SbomFormat, file: string | undefined): Promise<string> {
  if (format === 'cyclonedx') await loadCycloneDx();
  switch (format) {
    case 'table':
      return toTable(inv, renderTarget(file));
    case 'json':
      return toCustomsJson(inv);
    case 'cyclonedx':
      return toCycloneDx(inv);
    case 'spdx':
      return toSpdx(inv);
  }
}
