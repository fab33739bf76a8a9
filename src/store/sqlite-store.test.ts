// The state store suite on the embedded SQLite backend (a temp data directory per test).
import { sqliteFixture } from './test-support/harness.js';
import { storeSuite } from './test-support/store-suite.js';

storeSuite(sqliteFixture());
