/**
 * Generated scan result documents (schema/scan-result-v1.json shape) and
 * inventories for the store tests.
 */
import { createHash } from 'node:crypto';
import type { InventoryPackage } from '../types.js';

export const digestOf = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

export interface VulnSpec {
  readonly id: string;
  readonly pkg: string;
  readonly version?: string;
  readonly severity?: string;
  readonly state?: string;
  readonly fixedVersions?: readonly string[];
  readonly kev?: boolean;
}

export function vulnerability(v: VulnSpec): Record<string, unknown> {
  const version = v.version ?? '1.0-1';
  return {
    id: v.id,
    aliases: [],
    severity: v.severity ?? 'high',
    severitySource: 'debian',
    kev: v.kev ?? false,
    state: v.state ?? 'fixed',
    package: {
      id: `pkg-${v.pkg}-${version}`,
      ecosystem: 'deb',
      name: v.pkg,
      version,
      purl: `pkg:deb/debian/${v.pkg}@${version}?distro=debian-12`,
    },
    installedVersion: version,
    fixedVersions: [...(v.fixedVersions ?? ['1.0-2'])],
    layer: digestOf('layer-0'),
    paths: ['var/lib/dpkg/status'],
    url: `https://security-tracker.debian.org/tracker/${v.id}`,
    ratings: [],
    match: { matcher: 'dpkg', searchedBy: `source ${v.pkg}`, advisory: v.id, constraint: '< 1.0-2' },
  };
}

export interface DocSpec {
  readonly vulns?: readonly VulnSpec[];
  readonly secrets?: readonly { readonly ruleId: string; readonly location: string; readonly line?: number }[];
}

export function scanDocument(spec: DocSpec = {}): Record<string, unknown> {
  const vulns = (spec.vulns ?? []).map(vulnerability);
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00Z',
    target: {
      name: 'registry.test/app:1',
      transport: 'registry',
      configDigest: digestOf('config'),
      platform: 'linux/amd64',
    },
    scanners: ['vuln', 'secret'],
    summary: {
      total: vulns.length,
      critical: 0,
      high: vulns.length,
      medium: 0,
      low: 0,
      unknown: 0,
      packages: 0,
      vulnerablePackages: vulns.length,
      unknowns: 0,
    },
    vulnerabilities: vulns,
    secrets: (spec.secrets ?? []).map((s) => ({
      ruleId: s.ruleId,
      category: 'cloud',
      title: s.ruleId,
      severity: 'critical',
      location: s.location,
      ...(s.line !== undefined ? { line: s.line } : {}),
      match: '****',
    })),
    notes: [],
  };
}

/** A Debian 12 package row. */
export function debPackage(name: string, version = '1.0-1', source?: string): InventoryPackage {
  return {
    ecosystem: 'deb',
    namespace: 'Debian:12',
    name,
    ...(source !== undefined ? { sourceName: source } : {}),
    version,
    purl: `pkg:deb/debian/${name}@${version}?distro=debian-12`,
    layer: digestOf('layer-0'),
  };
}

export function pypiPackage(name: string, version = '1.0'): InventoryPackage {
  return {
    ecosystem: 'pypi',
    namespace: 'PyPI',
    name,
    version,
    purl: `pkg:pypi/${name.toLowerCase()}@${version}`,
    layer: digestOf('layer-1'),
  };
}
