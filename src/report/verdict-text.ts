import type { Verdict } from '../policy/index.js';
import { printable as t } from './text.js';

/** The verdict for people, below the findings table of `customs gate`. */
export function renderVerdictText(v: Verdict, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const head = { pass: paint('32;1', 'PASS'), warn: paint('33;1', 'PASS with warnings'), fail: paint('31;1', 'FAIL') }[
    v.status
  ];
  // Rule messages and finding summaries quote the image (package names, label values): printable (text.ts).
  const out = ['', `Gate: ${head}  (policies: ${t(v.policies.join(', ')) || 'none'})`];
  for (const r of v.rules) {
    out.push(
      `  ${r.action === 'fail' ? paint('31', 'FAIL') : paint('33', 'WARN')} ${t(r.ruleId)}: ${t(r.message)}  [${t(r.source)}, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}]`,
    );
    for (const f of r.findings.slice(0, 10)) out.push(`      - ${t(f.summary)}`);
    if (r.findings.length > 10) out.push(`      … and ${r.findings.length - 10} more`);
  }
  // The findings table above lists suppressed findings with why (scan-table.ts).
  if (v.suppressed.length > 0)
    out.push(`  Suppressed: ${v.suppressed.length} finding${v.suppressed.length === 1 ? '' : 's'} (listed above)`);
  for (const n of v.notes ?? []) out.push(`  Note: ${t(n)}`);
  for (const e of v.expiredExceptions)
    out.push(`  Expired exception ${t(e.id)} (${t(e.source)}, expired ${t(e.expired)}): no longer applies`);
  if (v.remediation.length > 0) {
    out.push('  Remediation:');
    for (const r of v.remediation) {
      out.push(
        `      - ${r.how === 'rebuild-base' ? 'rebuild on a newer base image:' : 'upgrade'} ${t(`${r.package} ${r.from} → ${r.to} (clears ${r.clears.join(', ')})`)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
