/**
 * The `customs scan --format json` document, version 1 (schema/scan-result-v1.json
 * is generated from this; docs/scan.md explains each field). Changing a field's
 * meaning or removing one is a new version; adding an optional field is not.
 */
import { Type } from '@sinclair/typebox';
import { RATED_SEVERITIES, SEVERITIES } from '../core/index.js';
import { FIX_STATES } from '../vulndb/index.js';

const Str = Type.String();
const Opt = Type.Optional;
const SEVERITY = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));
const STATE = Type.Union(FIX_STATES.map((s) => Type.Literal(s)));

const Rating = Type.Object(
  { source: Str, severity: SEVERITY, vector: Opt(Str), score: Opt(Type.Number()), cvssVersion: Opt(Str) },
  { additionalProperties: false },
);

export const ScanFindingSchema = Type.Object(
  {
    id: Type.String({ description: 'Primary ID: the CVE when there is one, else the advisory ID' }),
    aliases: Type.Array(Str, { description: 'Other IDs of the same flaw (GHSA, DSA, PYSEC …), sorted' }),
    severity: SEVERITY,
    severitySource: Type.String({
      description:
        'Who rated it: debian, ubuntu, ghsa, nvd, cna:… (precedence in docs/scan.md); "none" when no one did',
    }),
    cvss: Opt(Type.Object({ vector: Str, score: Type.Number(), version: Str }, { additionalProperties: false })),
    epss: Opt(Type.Object({ score: Type.Number(), percentile: Type.Number() }, { additionalProperties: false })),
    kev: Type.Boolean({ description: 'In CISA Known Exploited Vulnerabilities' }),
    state: STATE,
    package: Type.Object(
      { id: Str, ecosystem: Str, name: Str, version: Str, purl: Str },
      { additionalProperties: false },
    ),
    installedVersion: Str,
    fixedVersions: Type.Array(Str),
    layer: Type.String({
      description: 'diffID of the layer that introduced the package ("" for SBOM input without layers)',
    }),
    paths: Type.Array(Str),
    title: Opt(Str),
    published: Opt(Str),
    url: Str,
    ratings: Type.Array(Rating),
    match: Type.Object(
      { matcher: Str, searchedBy: Str, advisory: Str, constraint: Str, comparedVersion: Opt(Str) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Sev = Type.Union(RATED_SEVERITIES.map((s) => Type.Literal(s)));
const SecretSchema = Type.Object(
  {
    ruleId: Str,
    category: Str,
    title: Str,
    severity: Sev,
    location: Str,
    path: Opt(Str),
    line: Opt(Type.Integer()),
    column: Opt(Type.Integer()),
    layer: Opt(Str),
    hiddenByLayer: Opt(Str),
    match: Str,
  },
  { additionalProperties: false },
);
const MisconfigSchema = Type.Object(
  {
    checkId: Str,
    severity: Sev,
    title: Str,
    message: Str,
    target: Str,
    location: Opt(
      Type.Object({ path: Str, startLine: Type.Integer(), endLine: Type.Integer() }, { additionalProperties: false }),
    ),
    evidence: Opt(Str),
  },
  { additionalProperties: false },
);
const MalwareSchema = Type.Object(
  {
    kind: Str,
    ruleId: Str,
    severity: Sev,
    title: Str,
    detail: Str,
    sha256: Opt(Str),
    path: Str,
    layer: Str,
    hiddenByLayer: Opt(Str),
  },
  { additionalProperties: false },
);
const LicensesSchema = Type.Object(
  {
    byCategory: Type.Record(Str, Type.Integer()),
    byLicense: Type.Array(
      Type.Object({ license: Str, category: Str, packages: Type.Array(Str) }, { additionalProperties: false }),
    ),
    unknown: Type.Array(Type.Object({ license: Str, packages: Type.Array(Str) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/**
 * What policy rules read of the image config (USER, HEALTHCHECK, ENTRYPOINT, CMD, EXPOSE, ENV).
 * Env is as every output has it: redacted where the config enters the scan (docs/security.md).
 */
const ConfigSchema = Type.Object(
  {
    user: Opt(Str),
    env: Opt(Type.Array(Str, { description: 'Env, secret values redacted' })),
    entrypoint: Opt(Type.Array(Str)),
    cmd: Opt(Type.Array(Str)),
    workingDir: Opt(Str),
    exposedPorts: Opt(Type.Array(Str)),
    healthcheck: Opt(Type.Array(Str, { description: 'Healthcheck.Test' })),
    stopSignal: Opt(Str),
  },
  { additionalProperties: false, description: 'The image config fields policies read' },
);
const PackageSchema = Type.Object(
  {
    id: Str,
    ecosystem: Str,
    name: Str,
    version: Str,
    purl: Str,
    license: Opt(Str),
    layer: Str,
    paths: Type.Array(Str),
  },
  { additionalProperties: false },
);

export const ScanJsonSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    tool: Type.Object({ name: Type.Literal('customs'), version: Str }, { additionalProperties: false }),
    createdAt: Str,
    target: Type.Object(
      {
        name: Str,
        transport: Str,
        manifestDigest: Opt(Str),
        configDigest: Str,
        platform: Opt(Str),
        // Added in 0.1 without a new version (optional): what policies read about the image,
        // so a gate on the saved result decides as a gate on the image does (docs/gate.md).
        repoTags: Opt(Type.Array(Str, { description: 'Image references of the target (RepoTags), sorted' })),
        repoDigests: Opt(Type.Array(Str, { description: 'name@digest references (RepoDigests), sorted' })),
        created: Opt(Str),
        labels: Opt(Type.Record(Str, Str)),
        layers: Opt(
          Type.Array(
            Type.Object(
              { diffID: Str, digest: Str, mediaType: Str, size: Opt(Type.Integer()), createdBy: Opt(Str) },
              { additionalProperties: false },
            ),
            { description: 'The layers, base first' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    os: Opt(
      Type.Object(
        { family: Str, version: Str, name: Str, codename: Opt(Str), eol: Opt(Type.Boolean()) },
        { additionalProperties: false },
      ),
    ),
    scanners: Type.Array(Str),
    db: Opt(
      Type.Object(
        {
          schemaVersion: Type.Number(),
          builtAt: Str,
          sources: Type.Array(
            Type.Object({ name: Str, timestamp: Str, records: Type.Number() }, { additionalProperties: false }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    summary: Type.Object(
      {
        total: Type.Integer(),
        critical: Type.Integer(),
        high: Type.Integer(),
        medium: Type.Integer(),
        low: Type.Integer(),
        unknown: Type.Integer(),
        packages: Type.Integer({ description: 'Packages in the inventory' }),
        vulnerablePackages: Type.Integer(),
        unknowns: Type.Integer({ description: 'Files that could not be analysed (customs sbom lists them)' }),
      },
      { additionalProperties: false },
    ),
    vulnerabilities: Type.Array(ScanFindingSchema),
    notes: Type.Array(Type.Object({ message: Str, ecosystem: Opt(Str) }, { additionalProperties: false })),
    secrets: Opt(Type.Array(SecretSchema)),
    misconfigurations: Opt(Type.Array(MisconfigSchema)),
    malware: Opt(Type.Array(MalwareSchema)),
    licenses: Opt(LicensesSchema),
    config: Opt(ConfigSchema),
    packages: Opt(Type.Array(PackageSchema, { description: 'Every package of the inventory (summary.packages)' })),
  },
  {
    $id: 'https://customs.dev/schema/scan-result-v1.json',
    title: 'customs scan result',
    additionalProperties: false,
  },
);

/** The JSON Schema document (draft 2020-12) written to schema/scan-result-v1.json. */
export function scanJsonSchema(): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(ScanJsonSchema)) };
}
