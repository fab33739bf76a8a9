// The runtime API suite on the embedded SQLite store.
import { sqliteFixture } from '../../store/test-support/harness.js';
import { runtimeApiSuite } from '../test-support/runtime-api-suite.js';

runtimeApiSuite(sqliteFixture());
