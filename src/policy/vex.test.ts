import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCustomsError } from '../core/index.js';
import { loadVex } from './vex.js';

function vexError(text: string): string {
  try {
    loadVex(text, 'doc.json');
  } catch (e) {
    assert.ok(isCustomsError(e));
    assert.equal(e.code, 'VEX_INVALID');
    return e.message;
  }
  assert.fail('expected VEX_INVALID');
}

test('format detection and the statement model (OpenVEX v0.2 and the older string vulnerability)', () => {
  const ov = loadVex(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        {
          vulnerability: { name: 'CVE-2024-0727', aliases: ['GHSA-9v9h-cgj8-h64p'] },
          products: [{ '@id': 'pkg:deb/debian/libssl3', identifiers: { purl: 'pkg:deb/debian/libssl3' } }],
          status: 'fixed',
        },
        { vulnerability: 'CVE-2023-1', products: ['pkg:npm/x'], status: 'under_investigation' },
      ],
    }),
    'a.json',
  );
  assert.equal(ov.format, 'openvex');
  assert.deepEqual(ov.statements[0]?.vulnerabilities, ['CVE-2024-0727', 'GHSA-9v9h-cgj8-h64p']);
  assert.equal(ov.statements[1]?.status, 'under_investigation');
  const cdx = loadVex(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      vulnerabilities: [
        {
          id: 'CVE-1',
          references: [{ id: 'GHSA-x' }],
          analysis: { state: 'exploitable' },
          affects: [{ ref: 'pkg:npm/x@1' }],
        },
        { id: 'CVE-2' },
      ],
    }),
    'b.json',
  );
  assert.equal(cdx.format, 'cyclonedx');
  assert.deepEqual(
    cdx.statements.map((s) => [s.vulnerabilities, s.status]),
    [[['CVE-1', 'GHSA-x'], 'affected']],
  );
});

test('invalid VEX is refused with every problem named', () => {
  assert.match(vexError('{'), /not JSON/);
  assert.match(vexError('[]'), /JSON object/);
  assert.match(vexError('{"hello": 1}'), /neither OpenVEX/);
  const msg = vexError(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        { vulnerability: {}, products: [], status: 'not_affected' },
        { vulnerability: 'CVE-1', products: ['x'], status: 'maybe' },
        7,
      ],
    }),
  );
  for (const want of [
    'statements[0].vulnerability',
    'statements[0].products',
    'statements[0]: not_affected without justification',
    'statements[1].status',
    'statements[2]: not an object',
  ])
    assert.ok(msg.includes(want), msg);
  assert.match(
    vexError(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'nope' }, affects: [{ ref: 'x' }] }],
      }),
    ),
    /analysis\.state: "nope"/,
  );
});

const cdxWithState = (state: string): string =>
  JSON.stringify({
    bomFormat: 'CycloneDX',
    vulnerabilities: [{ id: 'CVE-1', analysis: { state, justification: 'code_not_present' }, affects: [{ ref: 'x' }] }],
  });

test('CycloneDX analysis states are looked up as the document words they are: no Object.prototype member passes', () => {
  for (const state of Object.getOwnPropertyNames(Object.prototype)) {
    assert.match(vexError(cdxWithState(state)), new RegExp(`analysis\\.state: "${state}" is not a CycloneDX`), state);
  }
  assert.equal(loadVex(cdxWithState('false_positive'), 'v.json').statements[0]?.status, 'not_affected');
});

/** `{"k": {"k": … 1 …}}` nested `depth` deep, written without recursion. */
const nested = (depth: number, open: string, close: string, inner = '1'): string =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

test('a VEX document nested 200,000 deep is refused as VEX_INVALID naming the file, not a crash', () => {
  const components = `{"bomFormat":"CycloneDX","components":[${nested(200_000, '{"bom-ref":"a","components":[', ']}', '{}')}]}`;
  const msg = vexError(components);
  assert.match(msg, /^doc\.json: nested more than 256 levels deep at \/components\/0\/components\/0\//);
  assert.match(
    vexError(`{"@context":"https://openvex.dev/ns/v0.2.0","x":${nested(200_000, '[', ']')}}`),
    /nested more than 256/,
  );
  // Nesting within the bound is read as before.
  const ok = `{"bomFormat":"CycloneDX","components":[${nested(60, '{"bom-ref":"r","purl":"pkg:npm/a@1","components":[', ']}', '{}')}],"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"resolved"},"affects":[{"ref":"r"}]}]}`;
  assert.deepEqual(loadVex(ok, 'ok.json').statements[0]?.products, ['pkg:npm/a@1']);
});

test('a BOM-Link that does not percent-decode is a problem of the document, not a crash', () => {
  const doc = JSON.stringify({
    bomFormat: 'CycloneDX',
    vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'resolved' }, affects: [{ ref: 'urn:cdx:abc/1#%E0%A4%A' }] }],
  });
  assert.match(vexError(doc), /vulnerabilities\[0\]\.affects: "urn:cdx:abc\/1#%E0%A4%A" is not a BOM-Link/);
});
