import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AddressClass, classifyAddress, refusedTarget, registryClass } from './address-policy.js';

test('classifyAddress: loopback, link-local, private and public, v4 and v6 spellings', () => {
  const want: Record<string, AddressClass> = {
    '127.0.0.1': 'loopback',
    '127.255.0.9': 'loopback',
    '0.0.0.0': 'loopback',
    '::1': 'loopback',
    '[::1]': 'loopback',
    '::': 'loopback',
    '0:0:0:0:0:0:0:1': 'loopback',
    '::ffff:127.0.0.1': 'loopback',
    '::ffff:7f00:1': 'loopback',
    '64:ff9b::7f00:1': 'loopback',
    '169.254.169.254': 'link-local',
    'fe80::1%eth0': 'link-local',
    'febf::1': 'link-local',
    '::ffff:169.254.169.254': 'link-local',
    '10.1.2.3': 'private',
    '172.16.0.1': 'private',
    '172.31.255.255': 'private',
    '192.168.1.1': 'private',
    '100.64.0.1': 'private',
    'fd00:ec2::254': 'private',
    'fc00::1': 'private',
    '224.0.0.1': 'reserved',
    '255.255.255.255': 'reserved',
    'ff02::1': 'reserved',
    'not-an-ip': 'reserved',
    '172.32.0.1': 'public',
    '172.15.0.1': 'public',
    '8.8.8.8': 'public',
    '100.128.0.1': 'public',
    '2606:4700::1111': 'public',
    '::ffff:8.8.8.8': 'public',
  };
  for (const [ip, cls] of Object.entries(want)) assert.equal(classifyAddress(ip), cls, ip);
});

test('refusedTarget: public always; private only from a private registry; never loopback or link-local', () => {
  for (const reg of ['public', 'private', 'loopback'] as const) {
    assert.equal(refusedTarget('52.95.1.1', reg), undefined);
    assert.match(refusedTarget('127.0.0.1', reg) ?? '', /loopback/);
    assert.match(refusedTarget('169.254.169.254', reg) ?? '', /link-local/);
  }
  assert.equal(refusedTarget('10.0.0.6', 'private'), undefined); // a company registry and its blob store
  assert.match(refusedTarget('10.0.0.6', 'public') ?? '', /private/);
  assert.match(refusedTarget('10.0.0.6', 'loopback') ?? '', /private/);
});

test('registryClass: private only when every address is', () => {
  assert.equal(registryClass(['10.0.0.5']), 'private');
  assert.equal(registryClass(['10.0.0.5', 'fd00::5']), 'private');
  assert.equal(registryClass(['10.0.0.5', '52.95.1.1']), 'public');
  assert.equal(registryClass(['127.0.0.1', '::1']), 'loopback');
  assert.equal(registryClass([]), 'public');
});
