/**
 * OSV records (https://ossf.github.io/osv-schema/, schema 1.6) → Advisory.
 * A record is validated as a whole: schema (TypeBox), then the rules the
 * schema cannot say — each range event has exactly one key, ECOSYSTEM and
 * SEMVER ranges start with an `introduced` event, SEMVER values are SemVer 2.0.
 * A record breaking any of them is skipped with the reason; affected entries
 * without a package (GIT-only) are dropped quietly, as matchers cannot use them.
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { cvssRating, severityFromWord } from '../cvss.js';
import { ecosystemFamily, hasControlCharacter, normalizeEcosystem } from '../ecosystem.js';
import type { AffectedPackage, AffectedRange, Advisory, RangeEvent, SeverityRating } from '../types.js';
import { type FeedSink, schemaReason } from './sink.js';

const Str = Type.String({ maxLength: 100_000 });
const ShortStr = Type.String({ minLength: 1, maxLength: 1024 });

const OsvSeverity = Type.Object({ type: ShortStr, score: ShortStr });
const OsvEvent = Type.Object({
  introduced: Type.Optional(ShortStr),
  fixed: Type.Optional(ShortStr),
  last_affected: Type.Optional(ShortStr),
  limit: Type.Optional(ShortStr),
});
const OsvRange = Type.Object({
  type: Type.Union([Type.Literal('ECOSYSTEM'), Type.Literal('SEMVER'), Type.Literal('GIT')]),
  repo: Type.Optional(Str),
  events: Type.Array(OsvEvent, { minItems: 1, maxItems: 10_000 }),
});
const OsvAffected = Type.Object({
  package: Type.Optional(Type.Object({ ecosystem: ShortStr, name: ShortStr, purl: Type.Optional(Str) })),
  severity: Type.Optional(Type.Array(OsvSeverity, { maxItems: 100 })),
  ranges: Type.Optional(Type.Array(OsvRange, { maxItems: 10_000 })),
  versions: Type.Optional(Type.Array(ShortStr, { maxItems: 100_000 })),
  ecosystem_specific: Type.Optional(Type.Unknown()),
  database_specific: Type.Optional(Type.Unknown()),
});
export const OsvRecordSchema = Type.Object({
  schema_version: Type.Optional(Str),
  id: Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9._:+/-]*$' }),
  modified: ShortStr,
  published: Type.Optional(ShortStr),
  withdrawn: Type.Optional(ShortStr),
  aliases: Type.Optional(Type.Array(ShortStr, { maxItems: 10_000 })),
  upstream: Type.Optional(Type.Array(ShortStr, { maxItems: 10_000 })),
  related: Type.Optional(Type.Array(ShortStr)),
  summary: Type.Optional(Str),
  details: Type.Optional(Type.String()),
  severity: Type.Optional(Type.Array(OsvSeverity, { maxItems: 100 })),
  affected: Type.Optional(Type.Array(OsvAffected, { maxItems: 100_000 })),
  references: Type.Optional(
    Type.Array(Type.Object({ type: Type.Optional(ShortStr), url: Str }), { maxItems: 100_000 }),
  ),
  database_specific: Type.Optional(Type.Unknown()),
});
export type OsvRecord = Static<typeof OsvRecordSchema>;
const checkOsv = TypeCompiler.Compile(OsvRecordSchema);

/** SemVer 2.0.0 (https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string), "v" tolerated as Go writes it. */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Who rated an advisory, from its ID prefix (OSV "ID prefixes" list). */
export function ratingSourceFor(id: string): string {
  const prefix = (/^[A-Za-z]+/.exec(id)?.[0] ?? '').toUpperCase();
  switch (prefix) {
    case 'GHSA':
      return 'ghsa';
    case 'DSA':
    case 'DLA':
    case 'DTSA':
    case 'DEBIAN':
      return 'debian';
    case 'USN':
    case 'UBUNTU':
      return 'ubuntu';
    case 'RHSA':
    case 'RHBA':
    case 'RHEA':
      return 'redhat';
    case 'RLSA':
    case 'RXSA':
      return 'rocky';
    case 'ALSA':
    case 'ALBA':
    case 'ALEA':
      return 'almalinux';
    case 'SUSE':
    case 'OPENSUSE':
      return 'suse';
    case 'ALPINE':
      return 'alpine';
    case 'CGA':
      return 'chainguard';
    case 'GO':
      return 'go';
    case 'PYSEC':
      return 'pypa';
    case 'RUSTSEC':
      return 'rustsec';
    case 'MAL':
      return 'ossf-malicious';
    case 'CVE':
      return 'cve';
    default:
      return `osv:${prefix.toLowerCase() || 'unknown'}`;
  }
}

/** OSV `severity[]`: CVSS_V2/V3/V4 vectors scored; "Ubuntu" priority words kept as vendor ratings. */
function ratingsOf(list: readonly { type: string; score: string }[] | undefined, source: string): SeverityRating[] {
  const out: SeverityRating[] = [];
  for (const s of list ?? []) {
    if (s.type.startsWith('CVSS_V')) {
      const r = cvssRating(source, s.score);
      if (r) out.push(r);
    } else {
      const severity = severityFromWord(s.score);
      if (severity !== 'unknown') out.push({ source, severity });
    }
  }
  return out;
}

/**
 * `database_specific` / `ecosystem_specific` severity words: GHSA `severity`,
 * Debian `urgency`, Ubuntu `priority`, Red Hat / SUSE `severity`.
 */
function vendorRating(extra: unknown, source: string): SeverityRating | undefined {
  if (typeof extra !== 'object' || extra === null) return undefined;
  const o = extra as Record<string, unknown>;
  for (const key of ['severity', 'urgency', 'priority']) {
    const v = o[key];
    if (typeof v === 'string') {
      const severity = severityFromWord(v);
      if (severity !== 'unknown') return { source, severity };
    }
  }
  return undefined;
}

function toEvent(e: Static<typeof OsvEvent>): RangeEvent | string {
  const keys = Object.keys(e).filter((k) => (e as Record<string, unknown>)[k] !== undefined);
  if (keys.length !== 1) return `range event with ${keys.length} keys (OSV: exactly one)`;
  if (e.introduced !== undefined) return { introduced: e.introduced };
  if (e.fixed !== undefined) return { fixed: e.fixed };
  if (e.last_affected !== undefined) return { last_affected: e.last_affected };
  if (e.limit !== undefined) return { limit: e.limit };
  return 'empty range event';
}

function toRange(r: Static<typeof OsvRange>): AffectedRange | string {
  const events: RangeEvent[] = [];
  for (const e of r.events) {
    const ev = toEvent(e);
    if (typeof ev === 'string') return ev;
    if (r.type === 'SEMVER') {
      const v = Object.values(ev)[0] as string;
      if (!(v === '0' && 'introduced' in ev) && !SEMVER.test(v))
        return `SEMVER range with a non-SemVer version "${v.slice(0, 60)}"`;
    }
    events.push(ev);
  }
  if (r.type !== 'GIT' && !events.some((e) => 'introduced' in e))
    return `${r.type} range without an "introduced" event`;
  return { type: r.type, events };
}

/**
 * Convert one parsed JSON value to an Advisory; a string is the reason to skip it.
 * Its `source` is "osv:<family of the first affected ecosystem>" ("osv:Debian",
 * "osv:npm"), whichever file or archive it came from.
 */
export function osvToAdvisory(json: unknown): Advisory | string {
  if (!checkOsv.Check(json)) return schemaReason(checkOsv, json);
  const rec = json;
  const rater = ratingSourceFor(rec.id);
  const affected: AffectedPackage[] = [];
  for (const a of rec.affected ?? []) {
    if (a.package === undefined) continue;
    const ecosystem = normalizeEcosystem(a.package.ecosystem);
    if (ecosystem === undefined) return 'affected package with an invalid ecosystem';
    const name = a.package.name.trim();
    if (name === '' || hasControlCharacter(name)) return 'affected package with an invalid name';
    const ranges: AffectedRange[] = [];
    for (const r of a.ranges ?? []) {
      const range = toRange(r);
      if (typeof range === 'string') return range;
      ranges.push(range);
    }
    const severity = [
      ...ratingsOf(a.severity, rater),
      ...[vendorRating(a.ecosystem_specific, rater), vendorRating(a.database_specific, rater)].filter(
        (r): r is SeverityRating => r !== undefined,
      ),
    ];
    affected.push({
      ecosystem,
      name,
      ranges,
      versions: a.versions ?? [],
      ...(severity.length > 0 ? { severity } : {}),
    });
  }
  const topVendor = vendorRating(rec.database_specific, rater);
  const severity = [...ratingsOf(rec.severity, rater), ...(topVendor ? [topVendor] : [])];
  const aliases = [...new Set((rec.aliases ?? []).filter((x) => x !== rec.id))].sort();
  return {
    id: rec.id,
    aliases,
    ...(rec.summary !== undefined ? { summary: rec.summary } : {}),
    ...(rec.published !== undefined ? { published: rec.published } : {}),
    modified: rec.modified,
    ...(rec.withdrawn !== undefined ? { withdrawn: rec.withdrawn } : {}),
    references: (rec.references ?? []).map((r) => r.url),
    severity,
    affected,
    ...(rec.upstream !== undefined && rec.upstream.length > 0 ? { upstream: rec.upstream } : {}),
    source: affected[0] ? `osv:${ecosystemFamily(affected[0].ecosystem)}` : 'osv',
  };
}

/** Parse one OSV JSON document (a record, or an array of records as some exports write) into the sink. */
export function parseOsvDocument(json: unknown, where: string, sink: FeedSink): void {
  const records = Array.isArray(json) ? json : [json];
  for (const r of records) {
    const a = osvToAdvisory(r);
    if (typeof a === 'string')
      sink.skip(
        a,
        `${where}${typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string' ? ` (${(r as { id: string }).id})` : ''}`,
      );
    else sink.advisory(a);
  }
}
