/**
 * Debian Security Tracker JSON (https://security-tracker.debian.org/tracker/data/json):
 * { SOURCE-PACKAGE: { CVE-ID: { description, releases: { CODENAME: { status,
 * fixed_version, urgency, nodsa, nodsa_reason, repositories } } } } }.
 * Status per release (tracker docs, https://security-team.debian.org/security_tracker.html):
 *   resolved + fixed_version "0"         → not-affected (the release never shipped the flaw)
 *   resolved + fixed_version V           → fixed in V
 *   open, urgency "end-of-life"          → end-of-life (no more security support for the package)
 *   open, nodsa_reason "ignored"         → will-not-fix (no-dsa, and the team will not fix it)
 *   open / undetermined otherwise        → unfixed (no-dsa "postponed" included: a fix may come)
 * Releases are keyed by code name and mapped to "Debian:<version>" (ecosystem.ts).
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { severityFromWord } from '../cvss.js';
import { DEBIAN_CODENAMES } from '../ecosystem.js';
import type { AffectedPackage, Advisory, FixState } from '../types.js';
import { type FeedSink, schemaReason } from './sink.js';

const ReleaseSchema = Type.Object({
  status: Type.Union([Type.Literal('resolved'), Type.Literal('open'), Type.Literal('undetermined')]),
  fixed_version: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  urgency: Type.Optional(Type.String({ maxLength: 64 })),
  nodsa: Type.Optional(Type.String({ maxLength: 4096 })),
  nodsa_reason: Type.Optional(Type.String({ maxLength: 64 })),
  repositories: Type.Optional(Type.Record(Type.String(), Type.String())),
});
const EntrySchema = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 100_000 })),
  scope: Type.Optional(Type.String()),
  debianbug: Type.Optional(Type.Number()),
  releases: Type.Record(Type.String({ maxLength: 64 }), ReleaseSchema),
});
const checkEntry = TypeCompiler.Compile(EntrySchema);

/** Tracker IDs: CVE-…, and TEMP-… for issues that have no CVE yet. */
const TRACKER_ID = /^(CVE-\d{4}-\d{4,}|TEMP-\d{7}-[0-9A-F]{6})$/;
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*$/; // Debian Policy §5.6.1 (source package names)

export function parseDebianTracker(json: unknown, sink: FeedSink, where = 'debian-tracker'): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    sink.skip('schema: /: Expected object of source packages', where);
    return;
  }
  const byId = new Map<string, { description?: string; affected: AffectedPackage[] }>();
  for (const [pkg, cves] of Object.entries(json)) {
    if (!PACKAGE_NAME.test(pkg) || typeof cves !== 'object' || cves === null || Array.isArray(cves)) {
      sink.skip('invalid source package entry', `${where}: ${pkg.slice(0, 80)}`);
      continue;
    }
    for (const [id, entry] of Object.entries(cves as Record<string, unknown>)) {
      const at = `${where}: ${pkg} ${id.slice(0, 60)}`;
      if (!TRACKER_ID.test(id)) {
        sink.skip('invalid tracker ID', at);
        continue;
      }
      if (!checkEntry.Check(entry)) {
        sink.skip(schemaReason(checkEntry, entry), at);
        continue;
      }
      const affected: AffectedPackage[] = [];
      let bad = '';
      for (const [codename, rel] of Object.entries(entry.releases)) {
        const version = DEBIAN_CODENAMES[codename];
        if (version === undefined) {
          bad = `unknown Debian release "${codename.slice(0, 40)}"`;
          break;
        }
        if (rel.status === 'resolved' && rel.fixed_version === undefined) {
          bad = 'resolved without fixed_version';
          break;
        }
        const fixed = rel.status === 'resolved' ? rel.fixed_version : undefined;
        const urgency = (rel.urgency ?? '').replace(/\*+$/, '');
        const state: FixState =
          fixed === '0'
            ? 'not-affected'
            : fixed !== undefined
              ? 'fixed'
              : urgency === 'end-of-life'
                ? 'end-of-life'
                : rel.nodsa_reason === 'ignored'
                  ? 'will-not-fix'
                  : 'unfixed';
        const severity = severityFromWord(urgency);
        affected.push({
          ecosystem: `Debian:${version}`,
          name: pkg,
          ranges:
            state === 'not-affected'
              ? []
              : [{ type: 'ECOSYSTEM', events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }],
          versions: [],
          state,
          ...(severity !== 'unknown' ? { severity: [{ source: 'debian', severity }] } : {}),
        });
      }
      if (bad) {
        sink.skip(bad, at);
        continue;
      }
      const slot = byId.get(id) ?? { affected: [] };
      if (entry.description !== undefined && slot.description === undefined) slot.description = entry.description;
      slot.affected.push(...affected);
      byId.set(id, slot);
    }
  }
  for (const [id, slot] of byId) {
    const advisory: Advisory = {
      id,
      aliases: [],
      ...(slot.description !== undefined ? { summary: slot.description } : {}),
      references: [`https://security-tracker.debian.org/tracker/${id}`],
      severity: [],
      affected: slot.affected,
      source: 'debian-tracker',
    };
    sink.advisory(advisory);
  }
}
