/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) as
 * GitHub code scanning reads it
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
 * one run; one rule per vulnerability ID, check ID, secret rule and malware
 * rule, with help text and markdown that carry the fix, and
 * `properties.security-severity` (a CVSS score, or a number in GitHub's band
 * for the severity) so alerts get GitHub's severity; results with a level, a
 * location (the Dockerfile's FROM line for findings of the base layer when
 * the Dockerfile is known, else the file inside the image; misconfigurations
 * at their file:line), partialFingerprints, and suppressions (§3.35) for what
 * the verdict suppressed.
 */
import type { Severity } from '../core/index.js';
import { DOCKERFILE_CHECKS, HISTORY_CHECKS, IMAGE_CHECKS, KUBERNETES_CHECKS } from '../checks/index.js';
import {
  cvssScore,
  describeRemediation,
  isBaseLayer,
  type MachineReportOptions,
  remediationsFor,
  stableHash,
  verdictIndex,
  vulnRemediation,
} from './finding-refs.js';
import { type Finding, type FindingFields, findingsOf, type ScanResult } from '../result/index.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/**
 * GitHub maps security-severity > 9.0 to critical, 7.0–8.9 high, 4.0–6.9
 * medium, 0.1–3.9 low; a finding without a CVSS score gets a number inside
 * its severity's band.
 */
const SEVERITY_SCORE: Record<Severity, number> = { critical: 9.5, high: 8.0, medium: 5.5, low: 2.0, unknown: 0.0 };

/** SARIF result.level (§3.27.10) from the severity. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  unknown: 'note',
};

const CHECK_META = new Map(
  [...DOCKERFILE_CHECKS, ...HISTORY_CHECKS, ...IMAGE_CHECKS, ...KUBERNETES_CHECKS].map((c) => [c.id, c] as const),
);

type Json = Record<string, unknown>;

/** A path inside the image or a repository path as a relative URI reference (RFC 3986: segments percent-encoded). */
export function pathToUri(path: string): string {
  return path
    .replace(/^\/+/, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** The SARIF rule id: vulnerability and check IDs as they are; secret and malware rules under a prefix so they cannot clash. */
function sarifRuleId(f: Finding): string {
  const id = f.ruleId;
  return f.kind === 'secret' || f.kind === 'malware' ? `${f.kind}/${id}` : id;
}

function scoreOf(f: Finding): number {
  if (f.kind === 'vuln') return cvssScore(f.vuln) ?? SEVERITY_SCORE[f.severity];
  return SEVERITY_SCORE[f.severity];
}

function mdEscape(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, (c) => `\\${c}`);
}

function rule(f: Finding, result: ScanResult, opts: MachineReportOptions, score: number): Json {
  const id = sarifRuleId(f);
  const tags = ['security', f.kind === 'vuln' ? 'vulnerability' : f.kind, f.severity];
  let short: string;
  let full: string;
  let helpText: string;
  let helpMd: string;
  let helpUri: string | undefined;
  switch (f.kind) {
    case 'vuln': {
      const v = f.vuln;
      short = `${v.id}${v.title ? `: ${v.title}` : ` in ${v.package.name}`}`;
      full = v.title ?? `${v.id} affects ${v.package.name}.`;
      const fix = vulnRemediation(result, v, opts.verdict) ?? '';
      const aliases = v.aliases.length > 0 ? `Aliases: ${v.aliases.join(', ')}.` : '';
      helpText = [`${v.id} (${v.severity}, rated by ${v.severitySource})`, aliases, `Fix: ${fix}`, `More: ${v.url}`]
        .filter(Boolean)
        .join('\n');
      helpMd = [
        `**${mdEscape(v.id)}** (${v.severity}, rated by ${mdEscape(v.severitySource)})`,
        '',
        '| Package | Installed | Fixed in |',
        '| --- | --- | --- |',
        `| ${mdEscape(v.package.name)} | ${mdEscape(v.installedVersion)} | ${v.fixedVersions.map(mdEscape).join(', ') || 'no fix yet'} |`,
        '',
        `**Fix:** ${mdEscape(fix)}`,
        '',
        `[${mdEscape(v.id)}](${v.url})`,
      ].join('\n');
      helpUri = v.url;
      tags.push(v.package.ecosystem);
      if (v.kev) tags.push('kev');
      break;
    }
    case 'misconfig': {
      const m = f.misconfig;
      const meta = CHECK_META.get(m.checkId);
      short = m.title;
      full = meta?.rationale ?? m.title;
      const fix = meta?.remediation ?? 'See the check documentation.';
      helpText = `${full}\nFix: ${fix}${meta?.references[0] ? `\nMore: ${meta.references.join(' ')}` : ''}`;
      helpMd = `${mdEscape(full)}\n\n**Fix:** ${mdEscape(fix)}${(meta?.references ?? []).map((r) => `\n\n- <${r}>`).join('')}`;
      helpUri = meta?.references[0];
      tags.push('misconfiguration');
      break;
    }
    case 'secret': {
      const s = f.secret;
      short = s.title;
      full = `${s.title} (${s.category}) found in the image.`;
      const fix =
        'Revoke and rotate the credential, then remove it from the build: a file deleted in a later layer, an ENV or a build argument still ships in the image. Use build secrets (RUN --mount=type=secret) or runtime configuration.';
      helpText = `${full}\nFix: ${fix}`;
      helpMd = `${mdEscape(full)}\n\n**Fix:** ${mdEscape(fix)}`;
      tags.push(s.category);
      break;
    }
    case 'malware': {
      const m = f.malware;
      short = m.title;
      full = `${m.title} (${m.kind}).`;
      const fix =
        'Remove the file from every layer and find out how it got into the build; rebuild from trusted sources.';
      helpText = `${full}\nFix: ${fix}`;
      helpMd = `${mdEscape(full)}\n\n**Fix:** ${mdEscape(fix)}`;
      tags.push(m.kind);
      break;
    }
    default: {
      // A kind this writer has no rendering of: its common fields (src/result/findings.ts).
      const g = f as FindingFields;
      short = g.title;
      full = g.title;
      helpText = g.title;
      helpMd = mdEscape(g.title);
    }
  }
  return {
    id,
    shortDescription: { text: short },
    fullDescription: { text: full },
    defaultConfiguration: { level: LEVEL[f.severity] },
    ...(helpUri !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(helpUri) ? { helpUri } : {}),
    help: { text: helpText, markdown: helpMd },
    properties: { 'security-severity': score.toFixed(1), tags, precision: f.kind === 'vuln' ? 'very-high' : 'high' },
  };
}

function physical(uri: string, region?: { startLine: number; endLine?: number; startColumn?: number }): Json {
  const r =
    region && region.startLine >= 1
      ? {
          region: {
            startLine: region.startLine,
            ...(region.endLine !== undefined && region.endLine >= region.startLine ? { endLine: region.endLine } : {}),
            ...(region.startColumn !== undefined && region.startColumn >= 1 ? { startColumn: region.startColumn } : {}),
          },
        }
      : {};
  return { physicalLocation: { artifactLocation: { uri: pathToUri(uri) }, ...r } };
}

function locations(f: Finding, result: ScanResult, opts: MachineReportOptions): Json[] {
  const df = opts.dockerfile;
  const atDockerfile = (): Json[] =>
    df ? [physical(df.path, df.fromLine !== undefined ? { startLine: df.fromLine } : undefined)] : [];
  switch (f.kind) {
    case 'vuln': {
      const v = f.vuln;
      if (df && isBaseLayer(result, v.layer)) return atDockerfile();
      const p = v.paths[0];
      return p !== undefined ? [physical(p)] : df ? [physical(df.path)] : [];
    }
    case 'misconfig': {
      const loc = f.misconfig.location;
      if (loc) return [physical(loc.path, { startLine: loc.startLine, endLine: loc.endLine })];
      return df ? [physical(df.path)] : [];
    }
    case 'secret': {
      const s = f.secret;
      if (s.path !== undefined) {
        return [
          physical(
            s.path,
            s.line !== undefined
              ? { startLine: s.line, ...(s.column !== undefined ? { startColumn: s.column } : {}) }
              : undefined,
          ),
        ];
      }
      return df ? [physical(df.path)] : [];
    }
    case 'malware':
      return [physical(f.malware.path)];
    default:
      return (f as FindingFields).paths.map((p) => physical(p));
  }
}

/** Stable across rescans and version upgrades: the rule, and what it is about (package or file), not the version. */
function fingerprint(f: Finding): string {
  switch (f.kind) {
    case 'vuln':
      return stableHash(
        `vuln\0${f.vuln.id}\0${f.vuln.package.ecosystem}\0${f.vuln.package.name}\0${f.vuln.paths[0] ?? ''}`,
      );
    case 'secret':
      return stableHash(`secret\0${f.secret.ruleId}\0${f.secret.location}\0${f.secret.line ?? ''}`);
    case 'misconfig': {
      const m = f.misconfig;
      return stableHash(`misconfig\0${m.checkId}\0${m.target}\0${m.location?.path ?? ''}\0${m.message}`);
    }
    case 'malware':
      return stableHash(`malware\0${f.malware.ruleId}\0${f.malware.path}`);
    default: {
      const g = f as FindingFields;
      return stableHash(`${g.kind}\0${g.id}`);
    }
  }
}

function resultProperties(f: Finding, result: ScanResult, opts: MachineReportOptions): Json {
  switch (f.kind) {
    case 'vuln': {
      const v = f.vuln;
      const fixes = remediationsFor(opts.verdict, v.package.name).map(describeRemediation);
      return {
        package: v.package.name,
        purl: v.package.purl,
        installedVersion: v.installedVersion,
        fixedVersions: [...v.fixedVersions],
        state: v.state,
        layer: v.layer,
        baseLayer: isBaseLayer(result, v.layer),
        ...(fixes.length > 0 ? { remediation: fixes } : {}),
      };
    }
    case 'secret':
      return { location: f.secret.location, ...(f.secret.layer ? { layer: f.secret.layer } : {}) };
    case 'misconfig':
      return { target: f.misconfig.target };
    case 'malware':
      return { layer: f.malware.layer, ...(f.malware.sha256 ? { sha256: f.malware.sha256 } : {}) };
    default:
      return {};
  }
}

/** SARIF 2.1.0 JSON of a scan result. Same input, same bytes. */
export function renderSarif(result: ScanResult, opts: MachineReportOptions = {}): string {
  const findings = findingsOf(result);
  const index = verdictIndex(opts.verdict);
  const rules: Json[] = [];
  const ruleIndex = new Map<string, number>();
  // Rules carry the highest score among their findings (one rule per ID, several packages possible).
  const best = new Map<string, { f: Finding; score: number }>();
  for (const f of findings) {
    const id = sarifRuleId(f);
    const score = scoreOf(f);
    const prev = best.get(id);
    if (!prev || score > prev.score) best.set(id, { f, score });
  }
  for (const id of [...best.keys()].sort()) {
    const b = best.get(id) as { f: Finding; score: number };
    ruleIndex.set(id, rules.length);
    rules.push(rule(b.f, result, opts, b.score));
  }

  const results = findings.map((f) => {
    const id = sarifRuleId(f);
    const fv = index.of(f);
    const policy = fv.rules.map((r) => `${r.action} ${r.ruleId}: ${r.message}`);
    const text = `${f.title} [${f.severity}]${policy.length > 0 ? ` — policy ${policy.join('; ')}` : ''}`;
    const s = fv.suppression;
    return {
      ruleId: id,
      ruleIndex: ruleIndex.get(id) ?? 0,
      level: LEVEL[f.severity],
      message: { text },
      locations: locations(f, result, opts),
      partialFingerprints: { 'customsFinding/v1': fingerprint(f) },
      ...(s
        ? {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification: `${s.by}: ${s.reason}${s.vex ? ` (VEX ${s.vex.status}${s.vex.justification ? `, ${s.vex.justification}` : ''})` : ''}${s.owner ? `; owner ${s.owner}` : ''}${s.expires ? `; expires ${s.expires}` : ''}`,
              },
            ],
          }
        : {}),
      properties: {
        ...resultProperties(f, result, opts),
        ...(fv.rules.length > 0 ? { policyRules: fv.rules.map((r) => `${r.action}:${r.ruleId}`) } : {}),
      },
    };
  });

  const verdict = opts.verdict;
  const run = {
    tool: {
      driver: {
        name: 'customs',
        fullName: 'customs container security scanner',
        version: result.inventory.tool.version,
        semanticVersion: result.inventory.tool.version,
        rules,
      },
    },
    automationDetails: { id: `customs/${result.inventory.target.name}/` },
    results,
    columnKind: 'utf16CodeUnits',
    properties: {
      target: result.inventory.target.name,
      scanners: [...result.scanners],
      ...(verdict ? { verdict: verdict.status, policies: [...verdict.policies] } : {}),
    },
  };
  return `${JSON.stringify({ $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] }, null, 2)}\n`;
}
