// The runtime API suite on PostgreSQL: a throwaway cluster, one database per test.
import { postgresFixture } from '../../store/test-support/harness.js';
import { runtimeApiSuite } from '../test-support/runtime-api-suite.js';

runtimeApiSuite(postgresFixture());
