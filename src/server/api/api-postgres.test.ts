// The API suite on PostgreSQL: a throwaway cluster, one database per test.
import { postgresFixture } from '../../store/test-support/harness.js';
import { apiSuite } from '../test-support/api-suite.js';

apiSuite(postgresFixture());
