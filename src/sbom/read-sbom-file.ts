/**
 * An SBOM file as a scan target: `customs scan sbom.cdx.json` and `customs gate sbom.spdx.json`
 * read CycloneDX, SPDX or customs inventory JSON into an Inventory instead of reading an image.
 */
import { open, stat } from 'node:fs/promises';
import { CustomsError, OS_ECOSYSTEMS, type OsInfo, sha256 } from '../core/index.js';
import { parseCustomsJson } from './customs-json.js';
import { parseCycloneDx } from './cyclonedx.js';
import type { ImportedSbom } from './imported.js';
import { sbomDistro } from './purl-distro.js';
import { parseSpdx } from './spdx.js';
import type { Inventory } from './types.js';

/** At most this many skipped SBOM entries are named, one note each; the rest are counted. */
const MAX_SKIPPED_NOTES = 20;

/**
 * True when `path` is a regular file that starts like a JSON document (an SBOM or a saved
 * scan, not an image tarball or a layout directory).
 */
export async function isJsonFile(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return false;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, 64, 0);
    return /^\s*[{[]/.test(
      buf
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } finally {
    await fh.close();
  }
}

/**
 * The SBOM's OS: its own (CycloneDX operating-system component, SPDX OS
 * package), else the release its distro packages' purl `distro` qualifiers
 * agree on (several generators state it only there).
 */
function osOf(sbom: ImportedSbom): { os?: OsInfo; notes: { message: string }[] } {
  if (sbom.os !== undefined) return { os: sbom.os, notes: [] };
  const d = sbomDistro(sbom.packages.filter((p) => OS_ECOSYSTEMS.includes(p.ecosystem)).map((p) => p.purl));
  if (d.kind === 'one') {
    const named = `${d.os.family} ${d.os.version}${d.os.codename ? ` (${d.os.codename})` : ''}`;
    return {
      os: { ...d.os, name: `${d.os.name} (from purl distro qualifiers)` },
      notes: [{ message: `the SBOM names no OS; its packages' purl distro qualifiers name ${named}, matched as such` }],
    };
  }
  if (d.kind === 'conflict') {
    return {
      notes: [
        {
          message: `the SBOM names no OS and its packages' purl distro qualifiers name several releases (${d.releases.join(', ')}); give the one to match with --distro NAME:VERSION`,
        },
      ],
    };
  }
  return { notes: [] };
}

function fromImported(sbom: ImportedSbom, text: string, path: string, now: Date, os?: OsInfo): Inventory {
  // An empty subject name is as good as none: the file names what was read.
  const name = sbom.subject?.name || path;
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: '' },
    createdAt: sbom.createdAt ?? now.toISOString(),
    target: {
      name,
      transport: sbom.format, // No image config here: the SBOM document's own digest identifies what was scanned.
      configDigest: sha256(text),
      repoDigests: [],
      repoTags: [],
      layers: [],
    },
    ...(os ? { os } : {}),
    packages: sbom.packages.map((p) => ({ ...p, layer: p.layer ?? '' })),
    unknowns: [],
  };
}

/**
 * Read a CycloneDX, SPDX or customs JSON SBOM into an Inventory, with notes for the
 * entries it could not use (they become the scan's notes).
 */
export function parseSbomText(
  text: string,
  path: string,
  now: Date,
): { inventory: Inventory; notes: { message: string }[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new CustomsError(
      'SBOM_INVALID',
      `${path} is not JSON (${(e as Error).message}); scan reads CycloneDX, SPDX or customs JSON SBOMs`,
      e,
    );
  }
  const o = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  // The fields of a saved scan result (schema/scan-result-v1.json) that no SBOM format has together.
  if (Array.isArray(o.vulnerabilities) && Array.isArray(o.scanners) && o.target !== undefined) {
    throw new CustomsError(
      'SBOM_INVALID',
      `${path} is a saved scan result, not an SBOM; gate it with \`customs gate ${path}\`, or scan the image again`,
    );
  }
  let imported: ImportedSbom;
  if (o.bomFormat === 'CycloneDX') imported = parseCycloneDx(text);
  else if (typeof o.spdxVersion === 'string') imported = parseSpdx(text);
  else if (typeof o.tool === 'object' && o.tool !== null && (o.tool as Record<string, unknown>).name === 'customs') {
    return { inventory: parseCustomsJson(text), notes: [] };
  } else {
    throw new CustomsError(
      'SBOM_INVALID',
      `${path} is neither CycloneDX (bomFormat), SPDX (spdxVersion) nor customs inventory JSON (tool.name "customs"); export the SBOM as JSON in one of them`,
    );
  }
  const { os, notes: osNotes } = osOf(imported);
  const notes = imported.skipped
    .slice(0, MAX_SKIPPED_NOTES)
    .map((s) => ({ message: `SBOM entry ${s.ref} was not matched: ${s.reason}` }));
  if (imported.skipped.length > MAX_SKIPPED_NOTES)
    notes.push({
      message: `… and ${imported.skipped.length - MAX_SKIPPED_NOTES} more SBOM entries were not matched`,
    });
  return { inventory: fromImported(imported, text, path, now, os), notes: [...osNotes, ...notes] };
}
