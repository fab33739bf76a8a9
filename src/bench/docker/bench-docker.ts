import type { BenchReport } from '../types.js';
import { type CollectOptions, collectDockerFacts } from './collect.js';
import { DOCKER_BENCHMARK_VERSION } from './controls.js';
import { evaluateDocker } from './evaluate.js';
import type { DockerFacts } from './facts.js';

/** The benchmark's report of facts already gathered. */
export function dockerBenchReport(facts: DockerFacts): BenchReport {
  return {
    schemaVersion: 1,
    benchmark: 'cis-docker',
    benchmarkVersion: DOCKER_BENCHMARK_VERSION,
    target: facts.endpoint,
    results: evaluateDocker(facts),
  };
}

/** `customs bench docker`: gather the host's facts, judge every control. */
export async function benchDocker(opts: CollectOptions = {}): Promise<BenchReport> {
  return dockerBenchReport(await collectDockerFacts(opts));
}
