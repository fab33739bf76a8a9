// The state store suite on PostgreSQL: a throwaway cluster (initdb + pg_ctl on a loopback
// port), one database per test. Missing server binaries fail the suite, they do not skip it.
import { postgresFixture } from './test-support/harness.js';
import { storeSuite } from './test-support/store-suite.js';

storeSuite(postgresFixture());
