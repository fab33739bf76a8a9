import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DB_FILE, dbPath } from './db-file.js';

test('the DB file is customs.db in the DB directory (a name users put in --db and scripts)', () => {
  assert.equal(DB_FILE, 'customs.db');
  assert.equal(dbPath('/var/lib/customs/db'), join('/var/lib/customs/db', 'customs.db'));
});
