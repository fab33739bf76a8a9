import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { absolutePath } from './event-paths.js';

test('event paths: relative to the task working directory, dot segments folded', (t) => {
  const proc = mkdtempSync(join(tmpdir(), 'customs-proc-'));
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  mkdirSync(join(proc, '7'));
  symlinkSync('/etc', join(proc, '7', 'cwd'));
  mkdirSync(join(proc, '8'));
  symlinkSync('/srv/app (deleted)', join(proc, '8', 'cwd'));
  assert.equal(absolutePath('motd', 7, proc), '/etc/motd');
  assert.equal(absolutePath('./ssh/../shadow', 7, proc), '/etc/shadow');
  assert.equal(absolutePath('../usr/bin/x', 7, proc), '/usr/bin/x');
  assert.equal(absolutePath('/tmp/../etc//shadow', 7, proc), '/etc/shadow');
  assert.equal(absolutePath('/../../etc/passwd', 7, proc), '/etc/passwd');
  assert.equal(absolutePath('data.db', 8, proc), '/srv/app/data.db');
  // The task is gone: the name as the program gave it, folded.
  assert.equal(absolutePath('a/./b', 9, proc), 'a/b');
  assert.equal(absolutePath('', 7, proc), '');
});
