import assert from 'node:assert/strict';
import type { OsInfo, Package } from '../../core/index.js';
import type { Inventory } from '../../sbom/index.js';
import type { Advisory, AffectedPackage, CveEnrichment } from '../../vulndb/index.js';
import { matchInventory } from '../match-inventory.js';
import type { MatchOptions, MatchResult, VulnFinding } from '../types.js';
import { memoryDb } from './memory-db.js';

export const TEST_LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

/** An inventory package with the fields tests rarely care about filled in (id, purl, path, layer). */
export function testPackage(p: Partial<Package> & Pick<Package, 'ecosystem' | 'name' | 'version'>): Package {
  return {
    id: `${p.ecosystem}-${p.name}-${p.version}`,
    purl: `pkg:${p.ecosystem}/${p.name}@${p.version}`,
    paths: ['var/lib/dpkg/status'],
    layer: TEST_LAYER,
    ...p,
  };
}

/** An advisory with empty aliases, references and severities unless given. */
export function advisory(a: Partial<Advisory> & Pick<Advisory, 'id' | 'affected'>): Advisory {
  return { aliases: [], references: [], severity: [], source: 'test', ...a };
}

/** An affected-package statement: every version before `fixed` (ECOSYSTEM range). */
export function fixedIn(ecosystem: string, name: string, fixed: string): AffectedPackage {
  return { ecosystem, name, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }], versions: [] };
}

/** An inventory of these packages on this OS, as the analyzers would hand it to the matchers. */
export function testInventory(packages: readonly Package[], os?: OsInfo): Inventory {
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.0.0' },
    createdAt: '2026-01-01T00:00:00Z',
    target: { name: 't', transport: 'dir', configDigest: TEST_LAYER, repoDigests: [], repoTags: [], layers: [] },
    ...(os ? { os } : {}),
    packages: [...packages],
    unknowns: [],
  };
}

/** Matches an inventory against an in-memory DB through every registered matcher, as a scan does. */
export class MatcherTester {
  readonly #advisories: Advisory[] = [];
  readonly #enrichment: CveEnrichment[] = [];
  readonly #packages: Package[] = [];
  #result: MatchResult | undefined;

  constructor(
    private readonly os?: OsInfo,
    private readonly opts: MatchOptions = {},
  ) {}

  advisories(...list: Advisory[]): this {
    this.#advisories.push(...list);
    return this;
  }

  enrichment(...list: CveEnrichment[]): this {
    this.#enrichment.push(...list);
    return this;
  }

  /** Inventory packages (missing id/purl/path/layer filled in by testPackage). */
  packages(...list: (Partial<Package> & Pick<Package, 'ecosystem' | 'name' | 'version'>)[]): this {
    this.#packages.push(...list.map(testPackage));
    return this;
  }

  /** The match result (computed once). */
  run(): MatchResult {
    this.#result ??= matchInventory(
      testInventory(this.#packages, this.os),
      memoryDb(this.#advisories, this.#enrichment),
      this.opts,
    );
    return this.#result;
  }

  /** The findings' IDs, in report order, are exactly `ids`. Returns the findings. */
  expectsIds(ids: readonly string[]): readonly VulnFinding[] {
    const { findings } = this.run();
    assert.deepEqual(
      findings.map((f) => f.id),
      ids,
    );
    return findings;
  }

  /** The notes' messages are exactly `messages`. */
  expectsNotes(messages: readonly string[]): this {
    assert.deepEqual(
      this.run().notes.map((n) => n.message),
      messages,
    );
    return this;
  }

  /**
   * The finding `id` (of package `packageName`, when several packages have it) explains its match
   * with these fields (matcher, searchedBy, comparedVersion, advisory, constraint). Returns the finding.
   */
  explained(id: string, explanation: Partial<VulnFinding['match']>, packageName?: string): VulnFinding {
    const found = this.run().findings.filter(
      (f) => f.id === id && (packageName === undefined || f.package.name === packageName),
    );
    assert.equal(found.length, 1, `expected one finding ${id}${packageName ? ` for ${packageName}` : ''}`);
    const f = found[0] as VulnFinding;
    const shown = Object.fromEntries(
      Object.keys(explanation).map((k) => [k, f.match[k as keyof VulnFinding['match']]]),
    );
    assert.deepEqual(shown, explanation);
    return f;
  }
}

/** `matcherTester(bookworm).advisories(...).packages(...).expectsIds([...])`. */
export function matcherTester(os?: OsInfo, opts: MatchOptions = {}): MatcherTester {
  return new MatcherTester(os, opts);
}
