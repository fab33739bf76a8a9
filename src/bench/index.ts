export type * from './types.js';
export { BENCH_STATUSES, BENCHMARKS, compareControlIds, countStatuses } from './types.js';
export type * from './docker/facts.js';
export { DOCKER_BENCHMARK_VERSION, DOCKER_CONTROLS } from './docker/controls.js';
export { evaluateDocker, AUTOMATED_DOCKER_CONTROLS } from './docker/evaluate.js';
export { collectDockerFacts, type CollectOptions } from './docker/collect.js';
export { benchDocker, dockerBenchReport } from './docker/bench-docker.js';
export { benchMisconfigurations } from './misconfigurations.js';
export { K8S_BENCHMARK_VERSION, K8S_CONTROL_PLANE_CONTROLS, K8S_NODE_CONTROLS } from './k8s/controls.js';
export { benchK8sNode, collectNodeFacts, evaluateNode, type NodeFacts } from './k8s/node.js';
export {
  benchK8sControlPlane,
  collectControlPlaneFacts,
  evaluateControlPlane,
  type ControlPlaneFacts,
} from './k8s/control-plane.js';
