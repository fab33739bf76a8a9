import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CUSTOMS_UUID_NAMESPACE, uuidV5 } from './content-uuid.js';

test('uuidV5 matches the RFC 9562 test vector', () => {
  // RFC 9562 Appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
  assert.equal(
    uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
  );
});

test('the customs namespace is uuidV5("customs") in the URL namespace', () => {
  assert.equal(uuidV5('customs', '6ba7b811-9dad-11d1-80b4-00c04fd430c8'), CUSTOMS_UUID_NAMESPACE);
  assert.notEqual(uuidV5('a'), uuidV5('b'));
  assert.throws(() => uuidV5('x', 'nope'), /not a UUID/);
});
