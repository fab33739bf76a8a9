/**
 * JUnit XML, the de-facto format CI servers read (Jenkins, GitLab
 * `artifacts:reports:junit`, Azure DevOps; the shape of Ant's JUnit task and
 * Jenkins' junit-10.xsd): `<testsuites>` with one `<testsuite>` per scanner
 * that ran and, when a verdict is given, one per policy rule that failed or
 * warned. A finding is a `<testcase>`; it has a `<failure>` when it fails the
 * gate (a `fail` rule names it; without a verdict: high or critical), a
 * `<skipped>` when the verdict suppressed it. A suite with no findings gets
 * one passing test case, so CI shows the check ran.
 */
import type { RuleOutcome } from '../policy/index.js';
import { failsGate, type MachineReportOptions, verdictIndex, vulnRemediation } from './finding-refs.js';
import { type Finding, type FindingFields, findingsOf, type ScanResult } from '../result/index.js';

/**
 * Text safe in XML 1.0 content and attribute values: the five predefined
 * entities escaped, and characters XML 1.0 forbids (§2.2 Char: C0 controls
 * but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
 */
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids; matching them is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

interface Case {
  readonly classname: string;
  readonly name: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly skipped?: string;
  readonly out?: string;
}

function suiteXml(name: string, cases: readonly Case[], timestamp: string): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const lines = [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0" timestamp="${xmlEscape(timestamp)}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="0"`;
    const inner: string[] = [];
    if (c.failure) {
      inner.push(
        `      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.body)}</failure>`,
      );
    }
    if (c.skipped !== undefined) inner.push(`      <skipped message="${xmlEscape(c.skipped)}"/>`);
    if (c.out !== undefined) inner.push(`      <system-out>${xmlEscape(c.out)}</system-out>`);
    lines.push(inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`);
  }
  lines.push('  </testsuite>');
  return lines.join('\n');
}

function detail(f: Finding, result: ScanResult, opts: MachineReportOptions): string {
  switch (f.kind) {
    case 'vuln': {
      const v = f.vuln;
      return [
        `${v.id} (${v.severity}) in ${v.package.name} ${v.installedVersion} [${v.package.purl}]`,
        v.aliases.length > 0 ? `Aliases: ${v.aliases.join(', ')}` : '',
        `Fix: ${vulnRemediation(result, v, opts.verdict) ?? ''}`,
        `Found in: ${v.paths.join(', ')} (layer ${v.layer})`,
        v.url,
      ]
        .filter(Boolean)
        .join('\n');
    }
    case 'secret':
      return `${f.secret.title} (${f.secret.severity}) at ${f.secret.location}${f.secret.line !== undefined ? `:${f.secret.line}` : ''}: ${f.secret.match}`;
    case 'misconfig': {
      const m = f.misconfig;
      const at = m.location ? ` at ${m.location.path}:${m.location.startLine}` : '';
      return `${m.checkId} (${m.severity}) ${m.title}: ${m.message}${at}${m.evidence ? `\n${m.evidence}` : ''}`;
    }
    case 'malware':
      return `${f.malware.title} (${f.malware.severity}) in ${f.malware.path}: ${f.malware.detail}`;
    default:
      // A kind this writer has no rendering of: its common fields (src/result/findings.ts).
      return (f as FindingFields).ruleSummary;
  }
}

function classnameOf(f: Finding): string {
  switch (f.kind) {
    case 'vuln':
      return `${f.vuln.package.ecosystem}.${f.vuln.package.name}`;
    case 'secret':
      return `secret.${f.secret.path ?? f.secret.location}`;
    case 'misconfig':
      return `misconfig.${f.misconfig.location?.path ?? f.misconfig.target}`;
    case 'malware':
      return `malware.${f.malware.path}`;
    default: {
      const g = f as FindingFields;
      return `${g.kind}.${g.paths[0] ?? g.ruleId}`;
    }
  }
}

/** JUnit XML of a scan result (and its verdict). Same input, same bytes. */
export function renderJunit(result: ScanResult, opts: MachineReportOptions = {}): string {
  const timestamp = result.inventory.createdAt;
  const findings = findingsOf(result);
  const index = verdictIndex(opts.verdict);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const add = (name: string, cases: Case[]): void => {
    tests += cases.length;
    failures += cases.filter((c) => c.failure).length;
    skipped += cases.filter((c) => c.skipped !== undefined).length;
    suites.push(suiteXml(name, cases, timestamp));
  };

  const scanners = [...new Set([...result.scanners, ...findings.map((f) => f.scanner)])];
  for (const scanner of scanners) {
    const cases: Case[] = [];
    for (const f of findings) {
      if (f.scanner !== scanner) continue;
      const fv = index.of(f);
      const body = detail(f, result, opts);
      const fail = failsGate(f, fv, opts.verdict);
      const why = fv.rules.map((r) => `${r.action} ${r.ruleId}: ${r.message}`);
      cases.push({
        classname: classnameOf(f),
        name: f.title,
        ...(fail
          ? {
              failure: {
                message: why.length > 0 ? why.join('; ') : `${f.severity} ${f.ruleId}`,
                type: f.severity,
                body,
              },
            }
          : {}),
        ...(fv.suppression ? { skipped: `suppressed by ${fv.suppression.by}: ${fv.suppression.reason}` } : {}),
        ...(!fail && !fv.suppression ? { out: why.length > 0 ? `${why.join('; ')}\n${body}` : body } : {}),
      });
    }
    if (cases.length === 0) cases.push({ classname: `customs.${scanner}`, name: `${scanner}: no findings` });
    add(`customs ${scanner}`, cases);
  }

  const verdict = opts.verdict;
  if (verdict) {
    for (const r of verdict.rules) add(`policy ${r.ruleId}`, ruleCases(r));
    if (verdict.rules.length === 0) {
      add('policy', [
        {
          classname: 'customs.policy',
          name: `verdict: ${verdict.status}`,
          out: `policies: ${verdict.policies.join(', ')}`,
        },
      ]);
    }
    const expired = verdict.expiredExceptions.map(
      (e) => `exception ${e.id} (${e.reason}) expired ${e.expired} [${e.source}]`,
    );
    if (expired.length > 0) {
      add('policy expired exceptions', [
        {
          classname: 'customs.policy',
          name: `${expired.length} expired exception(s) no longer apply`,
          out: expired.join('\n'),
        },
      ]);
    }
  }

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="customs ${xmlEscape(result.inventory.target.name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function ruleCases(r: RuleOutcome): Case[] {
  const cls = `policy.${r.ruleId}`;
  if (r.findings.length === 0) {
    return [
      r.action === 'fail'
        ? {
            classname: cls,
            name: r.message,
            failure: { message: r.message, type: 'policy', body: `rule ${r.ruleId} from ${r.source}` },
          }
        : { classname: cls, name: r.message, out: `warning: rule ${r.ruleId} from ${r.source}` },
    ];
  }
  return r.findings.map((ref) =>
    r.action === 'fail'
      ? {
          classname: cls,
          name: ref.summary,
          failure: {
            message: r.message,
            type: 'policy',
            body: `${ref.kind} ${ref.id} (rule ${r.ruleId} from ${r.source})`,
          },
        }
      : {
          classname: cls,
          name: ref.summary,
          out: `warning: ${r.message} — ${ref.kind} ${ref.id} (rule ${r.ruleId} from ${r.source})`,
        },
  );
}
