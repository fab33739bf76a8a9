import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAddress, parseNetTable, parseStat } from './proc-facts.js';

test('/proc/PID/stat: comm with spaces and parentheses', () => {
  assert.deepEqual(parseStat('42 (my (odd) proc) S 7 42 42 0 -1'), { comm: 'my (odd) proc', ppid: 7 });
  assert.equal(parseStat('garbage'), undefined);
});

test('/proc/net addresses: IPv4 and IPv6 in little-endian words', () => {
  assert.equal(decodeAddress('0100007F:1F90'), '127.0.0.1:8080');
  assert.equal(decodeAddress('00000000000000000000000001000000:0016'), '[0:0:0:0:0:0:0:1]:22');
  const t = parseNetTable(
    'tcp',
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1267 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1\n',
  );
  assert.deepEqual(t, [{ proto: 'tcp', local: '127.0.0.1:4711', remote: '0.0.0.0:0', state: 'LISTEN', inode: 12345 }]);
});
