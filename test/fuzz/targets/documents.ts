/**
 * Targets for documents users hand to customs: SBOMs (CycloneDX, SPDX, customs
 * inventory JSON) through the engine's parseSbomText, the entry `customs scan
 * SBOM.json` uses; VEX documents (OpenVEX, CycloneDX VEX) through loadVex.
 * Generators start from real documents (the golden SBOMs, Trivy's, the VEX
 * corpus) and mutate the JSON tree: hostile scalars and keys (prototype keys
 * included), deleted or duplicated nodes, components nested in components,
 * plain deep nesting.
 */
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { type Inventory, parseSbomText } from '../../../src/sbom/index.js';
import { loadVex, VEX_STATUSES } from '../../../src/policy/index.js';
import { hostileScalar, mutatedJson } from '../mutate.js';
import type { FuzzTarget } from '../protocol.js';
import { isPlainString, packageProblems } from './check.js';

const json = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8'));

function inventoryProblems(inv: Inventory, notes: readonly { message: string }[]): string[] {
  const out: string[] = [];
  if (!Array.isArray(inv.packages)) return ['inventory packages is not an array'];
  inv.packages.forEach((p, i) => {
    const where = `packages[${i}]`;
    out.push(...packageProblems(p, where));
    if (!isPlainString(p.id) || !isPlainString(p.purl) || !isPlainString(p.layer))
      out.push(`${where}: id, purl or layer is not a string`);
    if (!Array.isArray(p.paths) || !p.paths.every(isPlainString)) out.push(`${where}: paths are not strings`);
  });
  if (inv.os && !(isPlainString(inv.os.family) && isPlainString(inv.os.version) && isPlainString(inv.os.name)))
    out.push('os family/version/name are not strings');
  if (!isPlainString(inv.target?.name) || inv.target.name === '') out.push('target name is missing');
  if (!notes.every((n) => isPlainString(n.message))) out.push('a note is not a string');
  return out.slice(0, 20);
}

function sbomTarget(name: string, format: string, seeds: readonly string[], nestKeys: readonly string[]): FuzzTarget {
  return {
    name,
    entry: `engine parseSbomText → ${format} reader (customs scan SBOM.json)`,
    arbitrary: () => mutatedJson(seeds.map(json), nestKeys),
    run(input) {
      const text = Buffer.from(input.bytes).toString('utf8');
      const { inventory, notes } = parseSbomText(text, 'fuzz.json', new Date(0));
      return inventoryProblems(inventory, notes);
    },
  };
}

export const cyclonedxTarget = sbomTarget(
  'sbom-cyclonedx',
  'parseCycloneDx',
  ['src/sbom/testdata/golden/sample.cdx.json', 'src/sbom/testdata/trivy/rootfs.cdx.json'],
  ['components', 'properties', 'licenses'],
);

export const spdxTarget = sbomTarget(
  'sbom-spdx',
  'parseSpdx',
  ['src/sbom/testdata/golden/sample.spdx.json', 'src/sbom/testdata/trivy/rootfs.spdx.json'],
  ['packages', 'relationships', 'externalRefs', 'annotations'],
);

export const customsJsonTarget = sbomTarget(
  'sbom-customs',
  'parseCustomsJson (TypeBox schema v1)',
  ['src/sbom/testdata/golden/sample.customs.json'],
  ['packages', 'layers', 'files', 'meta'],
);

/** Values that mean something to the VEX reader: statuses, states (prototype keys too), BOM-links. */
const vexScalar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileScalar, weight: 2 },
  {
    arbitrary: fc.constantFrom(
      ...[
        ...VEX_STATUSES,
        'false_positive',
        'resolved',
        'exploitable',
        'in_triage',
        'constructor',
        '__proto__',
        'toString',
        'valueOf',
        'hasOwnProperty',
      ].map((s) => JSON.stringify(s)),
      '"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#%zz"',
      '"urn:cdx:x/1#pkg%3Anpm%2Flodash%404.17.20"',
      '"urn:cdx:"',
      '"https://openvex.dev/ns/v0.2.0"',
    ),
    weight: 3,
  },
);

export const vexTarget: FuzzTarget = {
  name: 'vex',
  entry: 'policy loadVex (OpenVEX and CycloneDX VEX)',
  arbitrary: () =>
    mutatedJson(
      [json('test/corpus/policy/openvex.json'), json('test/corpus/policy/cyclonedx-vex.json')],
      ['components', 'statements', 'products', 'subcomponents', 'vulnerabilities', 'affects'],
      vexScalar,
    ),
  run(input) {
    const doc = loadVex(Buffer.from(input.bytes).toString('utf8'), 'fuzz.vex.json');
    const out: string[] = [];
    if (doc.format !== 'openvex' && doc.format !== 'cyclonedx') out.push(`format ${String(doc.format)}`);
    doc.statements.forEach((s, i) => {
      const where = `statements[${i}]`;
      if (!(VEX_STATUSES as readonly unknown[]).includes(s.status)) out.push(`${where}: status ${String(s.status)}`);
      if (
        !Array.isArray(s.vulnerabilities) ||
        s.vulnerabilities.length === 0 ||
        !s.vulnerabilities.every((v) => isPlainString(v) && v !== '')
      )
        out.push(`${where}: vulnerabilities are not non-empty strings`);
      for (const k of ['products', 'subcomponents'] as const)
        if (!Array.isArray(s[k]) || !s[k].every(isPlainString)) out.push(`${where}: ${k} are not strings`);
      if (!isPlainString(s.rawStatus)) out.push(`${where}: rawStatus is not a string`);
      for (const k of ['justification', 'timestamp'] as const)
        if (s[k] !== undefined && !isPlainString(s[k])) out.push(`${where}: ${k} is not a string`);
    });
    return out.slice(0, 20);
  },
};
