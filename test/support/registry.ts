/**
 * startRegistry(): a real docker-registry on loopback for integration tests,
 * plus pushLayout() (skopeo). The implementation lives beside the image
 * tests that use it (src/image/test-support/test-registry.ts, compiled by the main
 * tsconfig); this is the shared entry point for tests under test/.
 */
export {
  startRegistry,
  pushLayout,
  freePort,
  type RegistryOptions,
  type TestRegistry,
} from '../../src/image/test-support/test-registry.js';
