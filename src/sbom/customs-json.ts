import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import { redactImageConfig } from '../analyze/index.js';
import { CustomsError, nestingProblem, type OsInfo, type Package, type Unknown } from '../core/index.js';
import { InventorySchema } from './inventory-schema.js';
import { sortPackages, sortUnknowns } from './sort.js';
import type { Inventory, InventoryLayer, InventoryTarget } from './types.js';

/**
 * The customs inventory JSON (schema/inventory-v1.json).
 *
 * Output is built field by field in a fixed, documented order (the order of
 * the schema), so internal renames never leak into it and the same inventory
 * always gives the same bytes: two-space indent, a final newline, lists in
 * their documented order (packages and unknowns are re-sorted here so the
 * order holds whoever built the inventory).
 */
export function toCustomsJson(inv: Inventory): string {
  const layerOrder = inv.target.layers.map((l) => l.diffID);
  const doc = {
    schemaVersion: inv.schemaVersion,
    tool: { name: inv.tool.name, version: inv.tool.version },
    createdAt: inv.createdAt,
    target: targetJson(inv.target),
    os: inv.os ? osJson(inv.os) : undefined,
    packages: sortPackages(inv.packages).map(packageJson),
    unknowns: sortUnknowns(inv.unknowns, layerOrder).map(unknownJson),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function targetJson(t: InventoryTarget): Record<string, unknown> {
  return {
    name: t.name,
    transport: t.transport,
    manifestDigest: t.manifestDigest,
    configDigest: t.configDigest,
    repoDigests: [...t.repoDigests],
    repoTags: [...t.repoTags],
    platform: t.platform,
    created: t.created,
    labels: t.labels ? sortedRecord(t.labels) : undefined,
    layers: t.layers.map(layerJson),
  };
}

function layerJson(l: InventoryLayer): Record<string, unknown> {
  return { diffID: l.diffID, digest: l.digest, size: l.size, mediaType: l.mediaType, createdBy: l.createdBy };
}

function osJson(os: OsInfo): Record<string, unknown> {
  return {
    family: os.family,
    version: os.version,
    name: os.name,
    codename: os.codename,
    distroless: os.distroless,
    eol: os.eol,
  };
}

function packageJson(p: Package): Record<string, unknown> {
  return {
    id: p.id,
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    purl: p.purl,
    arch: p.arch,
    source: p.source ? { name: p.source.name, version: p.source.version } : undefined,
    epoch: p.epoch,
    license: p.license,
    qualifiers: p.qualifiers ? sortedRecord(p.qualifiers) : undefined,
    meta: p.meta ? sortedRecord(p.meta) : undefined,
    layer: p.layer,
    paths: [...p.paths],
    files: p.files ? [...p.files] : undefined,
  };
}

function unknownJson(u: Unknown): Record<string, unknown> {
  return { path: u.path, layer: u.layer, analyzer: u.analyzer, code: u.code, message: u.message };
}

/**
 * Records (labels, qualifiers, meta) have no order of their own: sort keys by code unit.
 * Built with fromEntries (own data properties), as assignment would turn an image's label
 * named "__proto__" into a prototype change and drop it.
 */
function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(r)
      .sort()
      .flatMap((k) => {
        const v = r[k];
        return v === undefined ? [] : [[k, v] as const];
      }),
  );
}

let compiled: ReturnType<typeof TypeCompiler.Compile<typeof InventorySchema>> | undefined;
/** Compiled on first use: compiling costs start-up time for every command that never parses JSON. */
const checkInventory = (): ReturnType<typeof TypeCompiler.Compile<typeof InventorySchema>> => {
  compiled ??= TypeCompiler.Compile(InventorySchema);
  return compiled;
};

/** At most this many problems are listed in one error; the rest are counted. */
const MAX_LISTED_ERRORS = 50;

/**
 * Read customs inventory JSON back, validating it against the v1 schema.
 * Throws SBOM_INVALID listing every bad field (JSON pointer and reason).
 */
export function parseCustomsJson(text: string): Inventory {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CustomsError(
      'SBOM_INVALID',
      `customs inventory JSON: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      e,
    );
  }
  const deep = nestingProblem(value);
  if (deep !== undefined) throw new CustomsError('SBOM_INVALID', `customs inventory JSON: ${deep}`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = (value as Record<string, unknown>).schemaVersion;
    if (typeof v === 'number' && v !== 1) {
      throw new CustomsError(
        'SBOM_INVALID',
        `customs inventory JSON: schemaVersion ${v} is not supported; this customs reads schemaVersion 1 (upgrade customs to read newer inventories)`,
      );
    }
  }
  if (checkInventory().Check(value)) return withRedactedTarget(value as Inventory);
  const problems: string[] = [];
  let more = 0;
  const seen = new Set<string>();
  for (const err of checkInventory().Errors(value)) {
    const line = `${err.path || '/'}: ${describeError(err)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    if (problems.length < MAX_LISTED_ERRORS) problems.push(line);
    else more++;
  }
  const tail = more > 0 ? `\n  … and ${more} more` : '';
  throw new CustomsError(
    'SBOM_INVALID',
    `customs inventory JSON does not match schema v1 (${problems.length + more} ${problems.length + more === 1 ? 'problem' : 'problems'}):\n  ${problems.join('\n  ')}${tail}`,
  );
}

/**
 * An inventory from an older customs, or written by hand, may hold build history and labels
 * in clear. A scan redacts the image config where it enters (engine's openRedacted); an
 * inventory read from a file is the other way image text enters, so it is redacted here,
 * with the same function, before any writer sees it.
 */
function withRedactedTarget(inv: Inventory): Inventory {
  const t = inv.target;
  const red = redactImageConfig({
    rootfs: { type: 'layers', diff_ids: [] },
    ...(t.labels ? { config: { Labels: t.labels } } : {}),
    history: t.layers.map((l) => (l.createdBy !== undefined ? { created_by: l.createdBy } : {})),
  });
  const labels = red.config?.Labels;
  const target: InventoryTarget = {
    ...t,
    ...(labels ? { labels } : {}),
    layers: t.layers.map((l, i) => {
      const createdBy = red.history?.[i]?.created_by;
      return createdBy === undefined ? l : { ...l, createdBy };
    }),
  };
  return { ...inv, target };
}

/** TypeBox says "Expected union value" for enums; name the allowed values and what was found instead. */
function describeError(err: ValueError): string {
  const anyOf = (err.schema as { anyOf?: readonly { const?: unknown }[] }).anyOf;
  if (anyOf?.every((s) => typeof s.const === 'string')) {
    const found = JSON.stringify(err.value);
    const shown = found === undefined ? 'nothing' : found.length > 60 ? `${found.slice(0, 60)}…` : found;
    return `expected one of ${anyOf.map((s) => s.const).join(', ')}, found ${shown}`;
  }
  return err.message;
}
