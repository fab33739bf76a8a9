/**
 * Bench results as misconfiguration findings (checks' Misconfiguration, the
 * result model's `misconfig` kind), so SARIF, JUnit, HTML, the gate's rules and
 * the compliance report read a failed control exactly as they read a failed
 * Dockerfile or manifest check. Only fail and warn become findings: pass, info
 * and manual have nothing to fix.
 */
import type { Misconfiguration } from '../checks/index.js';
import type { BenchReport, BenchResult } from './types.js';

const PREFIX: Record<BenchReport['benchmark'], string> = {
  'cis-docker': 'CIS-DOCKER',
  'cis-k8s-node': 'CIS-K8S',
  'cis-k8s-control-plane': 'CIS-K8S',
};

/**
 * Severity: a failed Level 1 automated control is high (the baseline), a failed
 * Level 2 or manual one medium, a warning low.
 */
function severityOf(r: BenchResult): Misconfiguration['severity'] {
  if (r.status === 'warn') return 'low';
  return r.level === 1 && r.scored ? 'high' : 'medium';
}

/** The check ID a control reports under: "CIS-DOCKER-5.5", "CIS-K8S-4.2.1". */
export function benchCheckId(benchmark: BenchReport['benchmark'], id: string): string {
  return `${PREFIX[benchmark]}-${id}`;
}

export function benchMisconfigurations(report: BenchReport): Misconfiguration[] {
  return report.results
    .filter((r) => r.status === 'fail' || r.status === 'warn')
    .map((r) => ({
      checkId: benchCheckId(report.benchmark, r.id),
      severity: severityOf(r),
      title: r.title,
      message: `${r.status === 'fail' ? 'fails' : 'warns'}: ${r.evidence.join('; ')}`,
      target: report.target,
      evidence: r.evidence.join('\n'),
    }));
}
