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
