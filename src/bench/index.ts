export type * from './types.js';
export { BENCH_STATUSES, BENCHMARKS, compareControlIds, countStatuses } from './types.js';
export type * from './docker/facts.js';
export { DOCKER_BENCHMARK_VERSION, DOCKER_CONTROLS } from './docker/controls.js';
export { evaluateDocker, AUTOMATED_DOCKER_CONTROLS } from './docker/evaluate.js';
export { collectDockerFacts, type CollectOptions } from './docker/collect.js';
export { benchDocker, dockerBenchReport } from './docker/bench-docker.js';
export { benchMisconfigurations } from './misconfigurations.js';
