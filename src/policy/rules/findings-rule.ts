import { malwareRefId, misconfigRefId, secretRefId } from '../finding-ids.js';
import type { Hit, RuleContext } from '../input.js';
import type { FindingsSpec } from '../schema.js';

const RANK: Readonly<Record<string, number>> = { low: 1, medium: 2, high: 3, critical: 4 };

function keep(spec: FindingsSpec, id: string, severity: string): boolean {
  if (spec.minSeverity !== undefined && (RANK[severity] ?? 0) < (RANK[spec.minSeverity] ?? 0)) return false;
  return spec.ids === undefined || spec.ids.includes(id);
}

/** `secrets: {}` fails on any secret; minSeverity / ids narrow it. */
export function secretHits(spec: FindingsSpec, ctx: RuleContext): Hit[] {
  return (ctx.input.secrets ?? [])
    .filter((s) => keep(spec, s.ruleId, s.severity))
    .map((s) => {
      const where = s.line !== undefined ? `${s.location}:${s.line.toString()}` : s.location;
      return {
        ref: {
          kind: 'secret',
          id: secretRefId(s),
          summary: `${s.title} (${s.severity}) in ${where}: ${s.match}`,
        },
        advisories: [s.ruleId],
        packages: [],
        paths: s.path !== undefined ? [s.path] : [],
      };
    });
}

export function misconfigurationHits(spec: FindingsSpec, ctx: RuleContext): Hit[] {
  return (ctx.input.misconfigurations ?? [])
    .filter((m) => keep(spec, m.checkId, m.severity))
    .map((m) => ({
      ref: {
        kind: 'misconfig',
        id: misconfigRefId(m),
        summary: `${m.checkId} ${m.title} (${m.severity}): ${m.message}`,
      },
      advisories: [m.checkId],
      packages: [],
      paths: m.location !== undefined ? [m.location.path] : [],
    }));
}

export function malwareHits(spec: FindingsSpec, ctx: RuleContext): Hit[] {
  return (ctx.input.malware ?? [])
    .filter((m) => keep(spec, m.ruleId, m.severity))
    .map((m) => ({
      ref: {
        kind: 'malware',
        id: malwareRefId(m),
        summary: `${m.title} (${m.severity}) in ${m.path}: ${m.detail}`,
      },
      advisories: [m.ruleId],
      packages: [],
      paths: [m.path],
    }));
}
