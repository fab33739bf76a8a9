// The API suite on the embedded SQLite store (a temp data directory per test).
import { sqliteFixture } from '../../store/test-support/harness.js';
import { apiSuite } from '../test-support/api-suite.js';

apiSuite(sqliteFixture());
