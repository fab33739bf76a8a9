export type * from './types.js';
export { sortMisconfigurations } from './types.js';
export { DOCKERFILE_CHECKS, HISTORY_CHECKS } from './dockerfile/registry.js';
export { baseImageLine, checkDockerfile, checkHistory } from './dockerfile/check-dockerfile.js';
export type { HistoryEntry } from './dockerfile/history-model.js';
export type { DockerfileModel } from './dockerfile/model.js';
export { IMAGE_CHECKS } from './image/registry.js';
export { checkImage, checkImageConfig } from './image/check-image-config.js';
export { checkImageFacts } from './image/check-image-facts.js';
export { type ImageCheckInput, isImageCheckPath } from './image/input.js';
export { KUBERNETES_CHECKS } from './kubernetes/registry.js';
export {
  checkKubernetes,
  checkKubernetesFiles,
  checkKubernetesInput,
  checkKubernetesValues,
} from './kubernetes/check-kubernetes.js';
export type { KubernetesCheck, KubernetesInput, KubernetesOptions } from './kubernetes/k8s-check.js';
export { CONTAINER_LISTS, POD_SPEC_PATHS } from './kubernetes/workloads.js';
export { renderChecksDoc } from './checks-doc.js';
