import type { PackageFact } from '../../core/index.js';
import { JAVA_ARCHIVE_BUDGET } from '../sandbox/budgets.js';
import type { Analyzer } from '../types.js';
import { baseName, LIMITS, limitExceeded } from './limits.js';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip-directory.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/** Zip-based Java archives (JAR File Specification; WAR/EAR, Jenkins plugins .jpi/.hpi, JBoss .par/.sar). */
const EXTENSIONS = ['.jar', '.war', '.ear', '.jpi', '.hpi', '.par', '.sar'] as const;

export function isJavaArchiveName(path: string): boolean {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || path.length - dot !== 4) return false;
  const ext = path.slice(dot).toLowerCase();
  return (EXTENSIONS as readonly string[]).includes(ext);
}

/**
 * Java archives. Maven writes `META-INF/maven/<groupId>/<artifactId>/pom.properties`
 * into every artifact it builds; each one found is reported as `groupId:artifactId`
 * (a shaded jar holds one per bundled artifact, and each is a package in the image).
 * Nested archives (WEB-INF/lib/*.jar in wars, BOOT-INF/lib/*.jar in Spring Boot fat
 * jars, lib/*.jar in ears) are read recursively, at most LIMITS.maxArchiveDepth deep;
 * their packages carry meta.path = "outer.war!/WEB-INF/lib/inner.jar".
 *
 * Without pom.properties the identity is inferred, first from META-INF/MANIFEST.MF
 * (Implementation-Title/-Version, then Bundle-SymbolicName/Bundle-Version, then
 * Specification-Title/-Version), then from the file name (`name-1.2.3.jar`).
 * Decision on the group of an inferred package: only `Implementation-Vendor-Id`
 * (which Maven's archiver historically filled with the groupId) is trusted; otherwise
 * the group is left unknown and the name is the bare artifactId (no "group:" part,
 * meta.groupId absent, meta.inferred = "manifest" | "filename"). Guessing a group
 * (Syft copies the artifact, Trivy asks Maven Central) would turn a guess into a
 * confident identity that vulnerability matching cannot tell apart from a real one.
 */
export const javaArchive: Analyzer = {
  name: 'java-archive',
  version: ANALYZER_VERSIONS['java-archive'],
  wants: (path) => isJavaArchiveName(path),
  // Zip directories and nested archives of attacker bytes: isolated (sandbox/budgets.ts).
  budget: JAVA_ARCHIVE_BUDGET,
  analyze(file) {
    const facts: PackageFact[] = [];
    const budget = { left: LIMITS.maxInflatedBytesPerArchive };
    scanArchive(file.bytes, file.path, file.path, 1, budget, facts);
    return { packages: facts };
  },
};

interface Budget {
  left: number;
}

const MANIFEST = 'META-INF/MANIFEST.MF';

function isPomProperties(name: string): boolean {
  if (!name.startsWith('META-INF/maven/') || !name.endsWith('/pom.properties')) return false;
  // META-INF/maven/<g>/<a>/pom.properties: exactly five segments.
  return name.split('/').length === 5;
}

/**
 * One archive: its central directory is read once (zip-directory.ts); metadata
 * entries and nested archives are inflated from it by offset. (Listing the
 * directory again per nested archive made a war of n nested jars cost n
 * directory parses: quadratic in the entry count.)
 */
function scanArchive(
  bytes: Uint8Array,
  where: string,
  fileName: string,
  depth: number,
  budget: Budget,
  facts: PackageFact[],
): void {
  const spend = (n: number): void => {
    budget.left -= n;
    if (budget.left < 0) throw limitExceeded(where, `archive inflates past ${LIMITS.maxInflatedBytesPerArchive} bytes`);
  };
  const read = (e: ZipEntry): Uint8Array => {
    spend(e.size);
    return readZipEntry(bytes, e, where);
  };
  // Later entries of the same name win, as when unzipping.
  const meta = new Map<string, ZipEntry>();
  const nested = new Map<string, ZipEntry>();
  for (const e of readZipDirectory(bytes, where, LIMITS.maxZipEntries)) {
    if ((e.method !== 0 && e.method !== 8) || e.encrypted) continue;
    if (e.name === MANIFEST || isPomProperties(e.name)) {
      if (e.size <= LIMITS.maxZipMetaBytes) meta.set(e.name, e);
    } else if (isJavaArchiveName(e.name) && depth < LIMITS.maxArchiveDepth && e.size <= LIMITS.maxNestedArchiveBytes) {
      nested.set(e.name, e);
    }
  }

  const poms: PackageFact[] = [];
  for (const name of [...meta.keys()].sort()) {
    const entry = meta.get(name);
    if (entry === undefined || !isPomProperties(name)) continue;
    const fact = pomFact(Buffer.from(read(entry)).toString('utf8'), name, where);
    if (fact !== undefined) poms.push(fact);
  }
  facts.push(...poms);

  const fromName = parseArchiveFileName(baseName(fileName));
  const ownIsListed = poms.some((p) => p.meta?.artifactId === fromName?.artifact);
  if (poms.length === 0 || (fromName !== undefined && !ownIsListed)) {
    const mf = meta.get(MANIFEST);
    const guess =
      (mf === undefined ? undefined : manifestFact(Buffer.from(read(mf)).toString('utf8'), where)) ??
      filenameFact(fromName, where);
    if (guess !== undefined && !poms.some((p) => p.name === guess.name || p.meta?.artifactId === guess.name))
      facts.push(guess);
  }

  // One nested archive at a time, so only one is held in memory; sorted for deterministic output.
  for (const inner of [...nested.keys()].sort()) {
    if (facts.length >= LIMITS.maxPackagesPerFile)
      throw limitExceeded(where, `more than ${LIMITS.maxPackagesPerFile} packages`);
    const entry = nested.get(inner);
    if (entry === undefined) continue;
    scanArchive(read(entry), `${where}!/${inner}`, inner, depth + 1, budget, facts);
  }
}

/** java.util.Properties, the subset Maven writes: `key=value` / `key: value`, `#` and `!` comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    const sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    if (sep <= 0) continue;
    out.set(line.slice(0, sep).trim(), line.slice(sep + 1).trim());
  }
  return out;
}

function pomFact(text: string, entry: string, where: string): PackageFact | undefined {
  const props = parseProperties(text);
  const segs = entry.split('/');
  const groupId = props.get('groupId') || segs[2] || '';
  const artifactId = props.get('artifactId') || segs[3] || '';
  const version = props.get('version') ?? '';
  if (groupId === '' || artifactId === '' || version === '') return undefined;
  return {
    ecosystem: 'maven',
    name: `${groupId}:${artifactId}`,
    version,
    meta: { groupId, artifactId, path: where },
  };
}

/**
 * Main-section attributes of a JAR manifest (JAR File Specification, "Manifest
 * Specification"): `Name: value`, lines wrapped at 72 bytes continue with one space.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let lastKey: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (lastKey !== undefined) out.set(lastKey, `${out.get(lastKey) ?? ''}${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim();
    out.set(lastKey, line.slice(colon + 1).trim());
  }
  return out;
}

/** An artifact id is one token; "Apache Commons IO" is a display title, not an identity. */
function isToken(s: string | undefined): s is string {
  return s !== undefined && s !== '' && !/\s/.test(s);
}

function manifestFact(text: string, where: string): PackageFact | undefined {
  const m = parseManifest(text);
  const pairs: [string | undefined, string | undefined][] = [
    [m.get('Implementation-Title'), m.get('Implementation-Version')],
    [m.get('Bundle-SymbolicName')?.split(';')[0]?.trim(), m.get('Bundle-Version')],
    [m.get('Specification-Title'), m.get('Specification-Version')],
  ];
  for (const [artifact, version] of pairs) {
    if (!isToken(artifact) || !isToken(version)) continue;
    const group = m.get('Implementation-Vendor-Id');
    const meta: Record<string, string> = {
      artifactId: artifact,
      inferred: 'manifest',
      path: where,
    };
    if (isToken(group)) meta.groupId = group;
    return {
      ecosystem: 'maven',
      name: isToken(group) ? `${group}:${artifact}` : artifact,
      version,
      meta,
    };
  }
  return undefined;
}

/** `commons-io-2.11.0.jar` → commons-io / 2.11.0: the version starts at the first "-" followed by a digit. */
export function parseArchiveFileName(base: string): { artifact: string; version: string } | undefined {
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  for (let i = 1; i < stem.length - 1; i++) {
    const c = stem.charCodeAt(i + 1);
    if (stem.charCodeAt(i) === 0x2d && c >= 0x30 && c <= 0x39)
      return { artifact: stem.slice(0, i), version: stem.slice(i + 1) };
  }
  return undefined;
}

function filenameFact(g: { artifact: string; version: string } | undefined, where: string): PackageFact | undefined {
  if (g === undefined) return undefined;
  return {
    ecosystem: 'maven',
    name: g.artifact,
    version: g.version,
    meta: { artifactId: g.artifact, inferred: 'filename', path: where },
  };
}
