/**
 * Rescans in proportion to what changed (docs/rescans.md). After a
 * vulnerability DB update, only the stored packages under the (namespace,
 * package) keys whose advisories changed are re-matched — found through the
 * store's package index, never by reading every inventory — with the same
 * matchers a scan uses (match/matchInventory on the stored package facts), and
 * their findings are updated per image: new, changed (severity, fix, KEV),
 * withdrawn (no advisory names it any more) and fixed (no longer affected).
 * No image is pulled or read. When the two DB versions cannot be compared
 * (a DB built without change hashes), every stored inventory is re-matched
 * instead, and the log says why.
 */
import type { Package } from '../../core/index.js';
import { CustomsError, compareStrings, OS_ECOSYSTEMS } from '../../core/index.js';
import { matchInventory } from '../../match/index.js';
import { vulnerabilityJson } from '../../report/index.js';
import type { Inventory } from '../../sbom/index.js';
import type { EventInput, PackageFacts, RematchApplied, RematchImage, RematchUpdate } from '../../store/index.js';
import { changedKeys, type DbChanges, openVulnDb, type VulnDbReader } from '../../vulndb/index.js';
import type { ServerContext } from '../context.js';
import { EVENT_TYPES } from '../event-types.js';

export interface RescanOptions {
  /** The DB file the stored findings were matched with. */
  readonly from: string;
  /** The DB file to match with now. */
  readonly to: string;
  /** Images per transaction (default 500). */
  readonly batchSize?: number;
  /** Re-match every stored inventory even when the DBs can be compared (the benchmark's baseline). */
  readonly full?: boolean;
  readonly signal?: AbortSignal;
}

export interface RescanReport {
  /** `keys`: only packages under changed keys; `full`: every stored inventory. */
  readonly mode: 'keys' | 'full';
  /** Why every inventory was re-matched, in `full` mode. */
  readonly reason?: string;
  readonly changedKeys: number;
  readonly changedAdvisories: { readonly added: number; readonly changed: number; readonly withdrawn: number };
  /** Images and inventory rows re-matched. */
  readonly images: number;
  /** Images whose findings were written (a package of theirs matched differently under the new DB). */
  readonly imagesChanged: number;
  readonly packages: number;
  /** Images left alone: stored without package facts (need a scan from the image), or scanned meanwhile. */
  readonly skipped: { readonly withoutFacts: number; readonly scannedMeanwhile: number };
  readonly findings: {
    readonly new: number;
    readonly changed: number;
    readonly withdrawn: number;
    readonly fixed: number;
  };
  readonly events: number;
  readonly durationMs: number;
  readonly phases: Readonly<RescanPhases>;
}

/** Where a rescan's time went (ms), for the log and the benchmark. */
export interface RescanPhases {
  changedKeys: number;
  read: number;
  match: number;
  apply: number;
  events: number;
}

/** Image digests listed in one event; the counts are always complete. */
export const EVENT_DIGEST_LIMIT = 1000;
const DEFAULT_BATCH = 500;
/** Below this many re-matched rows per image, the store reads only the findings of their purls. */
const FEW_ROWS = 100;

const OS = new Set<string>(OS_ECOSYSTEMS);

/** One digest event per CVE and kind of change, aggregated over the whole rescan. */
interface Digest {
  readonly images: Set<string>;
  readonly severities: Map<string, number>;
  readonly transitions: Map<string, number>;
}

class Digests {
  readonly byType = new Map<string, Map<string, Digest>>();
  add(type: string, findingId: string, digest: string, severity: string, previous?: string): void {
    const m = this.byType.get(type) ?? new Map<string, Digest>();
    this.byType.set(type, m);
    const d = m.get(findingId) ?? { images: new Set(), severities: new Map(), transitions: new Map() };
    m.set(findingId, d);
    d.images.add(digest);
    d.severities.set(severity, (d.severities.get(severity) ?? 0) + 1);
    if (previous !== undefined && previous !== severity) {
      const t = `${previous}→${severity}`;
      d.transitions.set(t, (d.transitions.get(t) ?? 0) + 1);
    }
  }
}

const VERB: Readonly<Record<string, string>> = {
  [EVENT_TYPES.findingNew]: 'now affects',
  [EVENT_TYPES.findingChanged]: 'changed in',
  [EVENT_TYPES.findingWithdrawn]: 'was withdrawn from',
  [EVENT_TYPES.findingFixed]: 'no longer affects',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The stored rows of one image as the Packages a scan matched (facts + the row's layer). */
function packagesOf(
  img: RematchImage,
  facts: ReadonlyMap<number, PackageFacts>,
): {
  packages: { pkg: Package; factsId: number }[];
  distroKey: string | undefined;
  withoutFacts: number;
} {
  const packages: { pkg: Package; factsId: number }[] = [];
  let distroKey: string | undefined;
  let withoutFacts = 0;
  for (const r of img.rows) {
    const f = r.factsId === null ? undefined : facts.get(r.factsId);
    if (f === undefined || r.factsId === null) {
      withoutFacts++;
      continue;
    }
    packages.push({ pkg: { ...f, layer: r.layer } as Package, factsId: r.factsId });
    // OS rows are keyed by the image's distro release, the DB key the OS matchers look in.
    if (distroKey === undefined && OS.has(f.ecosystem)) distroKey = r.namespace;
  }
  return { packages, distroKey, withoutFacts };
}

function inventoryOf(packages: readonly Package[]): Inventory {
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: '' },
    createdAt: '',
    target: { name: 'stored inventory' } as Inventory['target'],
    packages,
    unknowns: [],
  };
}

/**
 * Vulnerabilities of one stored package (facts id) in one distro release, as
 * a scan document holds them. Matching is per package (match/matchInventory
 * matches each package on its own), so a package held by thousands of images
 * is matched once per rescan; only the layer differs between images.
 */
type MatchMemo = Map<string, readonly Record<string, unknown>[]>;

function vulnerabilitiesOf(
  pkg: Package,
  factsId: number,
  distroKey: string | undefined,
  db: VulnDbReader,
  memo: MatchMemo,
): Record<string, unknown>[] {
  const key = `${factsId}\u0000${distroKey ?? ''}`;
  let found = memo.get(key);
  if (found === undefined) {
    const m = matchInventory(inventoryOf([pkg]), db, distroKey !== undefined ? { distroKey } : {});
    // The JSON a scan document holds, so the stored finding is byte for byte what a scan stores.
    found = m.findings.map((f) => JSON.parse(JSON.stringify(vulnerabilityJson(f))) as Record<string, unknown>);
    memo.set(key, found);
  }
  // Same keys in the same order, only the layer of this image's row.
  return found.map((v) => (v.layer === pkg.layer ? v : { ...v, layer: pkg.layer }));
}

/**
 * The DB to match with, and the DB the stored findings came from when it can be
 * read: a package whose vulnerabilities are the same under both (a changed
 * advisory that does not touch its installed version, say) leaves its stored
 * findings as they are — exactly what recording a scan with the new DB would do
 * (an unchanged finding keeps its row) — so only images with a package whose
 * vulnerabilities differ are written.
 */
interface Matching {
  readonly db: VulnDbReader;
  readonly memo: MatchMemo;
  readonly old?: { readonly db: VulnDbReader; readonly memo: MatchMemo };
  readonly same: Map<string, boolean>;
}

function unchangedByUpdate(m: Matching, pkg: Package, factsId: number, distroKey: string | undefined): boolean {
  if (m.old === undefined) return false;
  const key = `${factsId}\u0000${distroKey ?? ''}`;
  let same = m.same.get(key);
  if (same === undefined) {
    same =
      JSON.stringify(vulnerabilitiesOf(pkg, factsId, distroKey, m.db, m.memo)) ===
      JSON.stringify(vulnerabilitiesOf(pkg, factsId, distroKey, m.old.db, m.old.memo));
    m.same.set(key, same);
  }
  return same;
}

/** Re-match the given rows of a batch of images and apply the result; returns what changed. */
async function rematchBatch(
  ctx: ServerContext,
  images: readonly RematchImage[],
  matching: Matching,
  counters: { images: number; imagesChanged: number; packages: number; withoutFacts: number; scannedMeanwhile: number },
  phases: RescanPhases,
): Promise<{ applied: RematchApplied[]; digests: Map<number, string> }> {
  let t = performance.now();
  const facts = await ctx.store.rematch.packageFacts(
    images.flatMap((i) => i.rows.flatMap((r) => (r.factsId === null ? [] : [r.factsId]))),
  );
  phases.read += performance.now() - t;
  t = performance.now();
  const updates: RematchUpdate[] = [];
  const digests = new Map<number, string>();
  for (const img of images) {
    const { packages, distroKey, withoutFacts } = packagesOf(img, facts);
    if (withoutFacts > 0) {
      counters.withoutFacts++;
      ctx.log.warn(
        { image: img.digest, rows: withoutFacts },
        'stored inventory has packages without facts (recorded before rescans existed): scan the image again to include them',
      );
    }
    if (packages.length === 0) continue;
    counters.images++;
    counters.packages += packages.length;
    const changed = packages.filter((p) => !unchangedByUpdate(matching, p.pkg, p.factsId, distroKey));
    if (changed.length === 0) continue;
    const vulnerabilities: Record<string, unknown>[] = [];
    for (const { pkg, factsId } of changed)
      vulnerabilities.push(...vulnerabilitiesOf(pkg, factsId, distroKey, matching.db, matching.memo));
    updates.push({
      imageId: img.imageId,
      inventoryAt: img.inventoryAt,
      packageIds: [...new Set(changed.map((p) => p.pkg.id))],
      vulnerabilities,
      ...(changed.length < FEW_ROWS ? { packagePurls: [...new Set(changed.map((p) => p.pkg.purl))] } : {}),
    });
    digests.set(img.imageId, img.digest);
    counters.imagesChanged++;
  }
  phases.match += performance.now() - t;
  t = performance.now();
  const applied = updates.length > 0 ? await ctx.store.rematch.applyRematch(updates) : [];
  phases.apply += performance.now() - t;
  for (const a of applied) if (a.skipped) counters.scannedMeanwhile++;
  return { applied, digests };
}

/** Whether the new DB still has an advisory (not withdrawn) with this ID or alias. */
function stillAdvised(db: VulnDbReader, id: string, memo: Map<string, boolean>): boolean {
  let v = memo.get(id);
  if (v === undefined) {
    v = (db.advisoriesById?.(id) ?? []).some((a) => a.withdrawn === undefined);
    memo.set(id, v);
  }
  return v;
}

export async function rescan(ctx: ServerContext, opts: RescanOptions): Promise<RescanReport> {
  const started = performance.now();
  const phases: RescanPhases = { changedKeys: 0, read: 0, match: 0, apply: 0, events: 0 };
  const signal = opts.signal ?? ctx.signal;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const changes: DbChanges = opts.full
    ? { mode: 'full', reason: 'a full re-match was asked for' }
    : changedKeys(opts.from, opts.to);
  phases.changedKeys = performance.now() - started;
  if (changes.mode === 'full')
    ctx.log.warn({ from: opts.from, to: opts.to, reason: changes.reason }, 'rescan re-matches every stored inventory');
  const advisories = { added: 0, changed: 0, withdrawn: 0 };
  if (changes.mode === 'keys') {
    for (const k of changes.keys) {
      advisories.added += k.added.length;
      advisories.changed += k.changed.length;
      advisories.withdrawn += k.withdrawn.length;
    }
  }
  const db = openVulnDb(opts.to);
  const counters = { images: 0, imagesChanged: 0, packages: 0, withoutFacts: 0, scannedMeanwhile: 0 };
  const totals = { new: 0, changed: 0, withdrawn: 0, fixed: 0 };
  const digests = new Digests();
  const advised = new Map<string, boolean>();
  // Keys mode compares each re-matched package under both DBs; the full re-match (the fallback) writes every image.
  let oldDb: VulnDbReader | undefined;
  if (changes.mode === 'keys') {
    try {
      oldDb = openVulnDb(opts.from);
    } catch (e) {
      ctx.log.warn(
        { from: opts.from, error: (e as Error).message },
        'rescan cannot read the old DB: every re-matched package is written',
      );
    }
  }
  const matching: Matching = {
    db,
    memo: new Map(),
    ...(oldDb !== undefined ? { old: { db: oldDb, memo: new Map() } } : {}),
    same: new Map(),
  };
  const checkAbort = (): void => {
    if (signal.aborted)
      throw new CustomsError(
        'ABORTED',
        'rescan cancelled; the images done so far keep their updated findings, run it again for the rest',
      );
  };
  const absorb = (r: { applied: RematchApplied[]; digests: Map<number, string> }): void => {
    for (const a of r.applied) {
      const digest = r.digests.get(a.imageId) ?? '';
      for (const f of a.new) {
        totals.new++;
        digests.add(EVENT_TYPES.findingNew, f.findingId, digest, f.severity);
      }
      for (const f of a.changed) {
        totals.changed++;
        digests.add(EVENT_TYPES.findingChanged, f.findingId, digest, f.severity, f.previousSeverity);
      }
      for (const f of a.closed) {
        const type = stillAdvised(db, f.findingId, advised) ? EVENT_TYPES.findingFixed : EVENT_TYPES.findingWithdrawn;
        if (type === EVENT_TYPES.findingFixed) totals.fixed++;
        else totals.withdrawn++;
        digests.add(type, f.findingId, digest, f.severity);
      }
    }
  };
  try {
    if (changes.mode === 'keys') {
      if (changes.keys.length > 0) {
        const t = performance.now();
        const images = await ctx.store.rematch.imagesUnderKeys(changes.keys);
        phases.read += performance.now() - t;
        for (let i = 0; i < images.length; i += batchSize) {
          checkAbort();
          absorb(await rematchBatch(ctx, images.slice(i, i + batchSize), matching, counters, phases));
        }
      }
    } else {
      let after = 0;
      for (;;) {
        checkAbort();
        const t = performance.now();
        const page = await ctx.store.rematch.inventoryPage(after, batchSize);
        phases.read += performance.now() - t;
        if (page.length === 0) break;
        after = (page[page.length - 1] as RematchImage).imageId;
        absorb(await rematchBatch(ctx, page, matching, counters, phases));
      }
    }
  } finally {
    db.close();
    oldDb?.close();
  }

  const te = performance.now();
  const events = await eventsOf(ctx, digests);
  await ctx.store.rematch.appendEvents(events);
  phases.events = performance.now() - te;
  const report: RescanReport = {
    mode: changes.mode,
    ...(changes.mode === 'full' ? { reason: changes.reason } : {}),
    changedKeys: changes.mode === 'keys' ? changes.keys.length : 0,
    changedAdvisories: advisories,
    images: counters.images,
    imagesChanged: counters.imagesChanged,
    packages: counters.packages,
    skipped: { withoutFacts: counters.withoutFacts, scannedMeanwhile: counters.scannedMeanwhile },
    findings: totals,
    events: events.length,
    durationMs: Math.round(performance.now() - started),
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])) as unknown as RescanPhases,
  };
  ctx.log.info({ ...report, from: opts.from, to: opts.to }, 'rescan finished');
  return report;
}

/** One event per (kind of change, finding ID): "CVE-X now affects 37 images in 5 repositories". */
async function eventsOf(ctx: ServerContext, digests: Digests): Promise<EventInput[]> {
  const all = new Set<string>();
  for (const m of digests.byType.values()) for (const d of m.values()) for (const x of d.images) all.add(x);
  const repos = await ctx.store.rematch.repositoriesOf([...all]);
  const events: EventInput[] = [];
  for (const type of [
    EVENT_TYPES.findingNew,
    EVENT_TYPES.findingChanged,
    EVENT_TYPES.findingWithdrawn,
    EVENT_TYPES.findingFixed,
  ]) {
    const m = digests.byType.get(type);
    if (!m) continue;
    for (const id of [...m.keys()].sort(compareStrings)) {
      const d = m.get(id) as Digest;
      const images = [...d.images].sort(compareStrings);
      const repositories = [...new Set(images.flatMap((i) => repos.get(i) ?? []))].sort(compareStrings);
      events.push({
        type,
        subject: id,
        data: {
          findingId: id,
          message: `${id} ${VERB[type]} ${plural(images.length, 'image')} in ${plural(repositories.length, 'repository').replace('repositorys', 'repositories')}`,
          images: images.length,
          repositories: repositories.length,
          bySeverity: Object.fromEntries([...d.severities].sort(([a], [b]) => compareStrings(a, b))),
          ...(d.transitions.size > 0
            ? { severityChanges: Object.fromEntries([...d.transitions].sort(([a], [b]) => compareStrings(a, b))) }
            : {}),
          imageDigests: images.slice(0, EVENT_DIGEST_LIMIT),
          repositoryNames: repositories.slice(0, EVENT_DIGEST_LIMIT),
          ...(images.length > EVENT_DIGEST_LIMIT ? { truncated: true } : {}),
        },
      });
    }
  }
  return events;
}
