export { registryContext, registryHost } from './access.js';
export {
  DEFAULT_PLATFORMS,
  type DiscoveryOptions,
  type DiscoverySummary,
  discoverJob,
  discoverRegistry,
  imageDigestsOf,
  listedRepositories,
  repositoryGlob,
  selects,
} from './discovery.js';
export {
  DISTRIBUTION_EVENTS_MEDIA_TYPE,
  distributionPushes,
  harborPushes,
  PUSH_PRIORITY,
  registryHookRoutes,
} from './hooks.js';
