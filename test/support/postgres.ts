/**
 * startPostgres(): a throwaway PostgreSQL cluster on loopback for integration
 * tests (initdb in a temp dir, pg_ctl start on a free port, one database per
 * test). The implementation lives beside the state store tests that use it
 * (src/store/test-support/postgres.ts); this is the entry point for tests under test/.
 */
export {
  startPostgres,
  findPgBinaries,
  type TestPostgres,
} from '../../src/store/test-support/postgres.js';
