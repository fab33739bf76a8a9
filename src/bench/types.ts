/**
 * Host benchmarks: the CIS Docker Benchmark and the CIS Kubernetes Benchmark's
 * node and control-plane sections, run against the host itself (the Docker
 * Engine and its files, or a node's filesystem). A benchmark is a list of
 * controls (facts from the benchmark: number, title, level, automated or not,
 * remediation) and one pure evaluation from collected facts to a status per
 * control, so every control is testable without a host (docs/bench.md).
 */

/**
 * What a control concluded.
 * - pass / fail: the control's audit decided it.
 * - warn: something to look at that the audit cannot call a failure (a shared
 *   default bridge, a read-only sensitive mount).
 * - info: not applicable here, or only facts to read (no TCP socket, no containers).
 * - manual: the benchmark's audit needs a person (a "Manual" control).
 */
export const BENCH_STATUSES = ['pass', 'fail', 'warn', 'info', 'manual'] as const;
export type BenchStatus = (typeof BENCH_STATUSES)[number];

/** The benchmarks `customs bench` runs. */
export const BENCHMARKS = ['cis-docker', 'cis-k8s-node', 'cis-k8s-control-plane'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** One control as the benchmark defines it. */
export interface BenchControl {
  /** The benchmark's own number: "5.5", "4.2.1". */
  readonly id: string;
  /** The benchmark's title, without the "(Automated)" / "(Manual)" suffix. */
  readonly title: string;
  /** The benchmark section the control sits in ("Container Runtime"). */
  readonly section: string;
  /** Profile applicability: Level 1 (baseline) or Level 2 (defence in depth). */
  readonly level: 1 | 2;
  /** "Automated" (scored) in the benchmark, as opposed to "Manual". */
  readonly scored: boolean;
  readonly remediation: string;
}

/** One control's outcome. */
export interface BenchResult extends BenchControl {
  readonly status: BenchStatus;
  /**
   * What decided it, one line each, naming the file, the daemon flag or
   * daemon.json key, or the container: "daemon.json /etc/docker/daemon.json: icc=false",
   * "container /web: HostConfig.NetworkMode=host". Never empty.
   */
  readonly evidence: readonly string[];
}

/** What `customs bench` returns. */
export interface BenchReport {
  readonly schemaVersion: 1;
  readonly benchmark: BenchmarkName;
  /** The benchmark release the control list follows ("1.6.0"). */
  readonly benchmarkVersion: string;
  /** What was checked: the daemon endpoint, or the root directory of a node's files. */
  readonly target: string;
  /** In the benchmark's order. */
  readonly results: readonly BenchResult[];
}

/** Counts per status, for summaries. */
export function countStatuses(results: readonly BenchResult[]): Record<BenchStatus, number> {
  const out = { pass: 0, fail: 0, warn: 0, info: 0, manual: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

/** Compare control numbers numerically part by part: "5.9" < "5.10", "1.1.2" < "1.1.10". */
export function compareControlIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** A control's outcome from its definition, a status and the evidence that decided it. */
export function decide(control: BenchControl, status: BenchStatus, evidence: readonly string[]): BenchResult {
  return { ...control, status, evidence: evidence.length > 0 ? [...evidence] : ['(no evidence recorded)'] };
}
