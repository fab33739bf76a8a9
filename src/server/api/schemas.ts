/**
 * The API's resource schemas (TypeBox): validation, response serialisation
 * (fields not listed here are never sent — registry credentials have no
 * field) and the OpenAPI document all come from these. Times are
 * milliseconds since the Unix epoch, as in the store.
 */
import { Type } from '@sinclair/typebox';
import { SEVERITIES } from '../../core/index.js';
import { VERDICT_STATUSES } from '../../policy/index.js';
import { JOB_STATES, TOKEN_ROLES } from '../../store/index.js';

const literals = <T extends string>(values: readonly T[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description !== undefined ? { description } : {},
  );

export const Millis = (description: string) => Type.Integer({ description: `${description} (ms since the epoch)` });
export const SeveritySchema = literals(SEVERITIES);
export const VerdictStatusSchema = literals(VERDICT_STATUSES);
export const JobStateSchema = literals(JOB_STATES);
export const RoleSchema = literals(TOKEN_ROLES, 'admin ⊃ ci ⊃ viewer');
export const DigestSchema = Type.String({ pattern: '^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$', maxLength: 200 });
export const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const DigestParam = Type.Object({ digest: DigestSchema });

export const SeverityCountsSchema = Type.Object({
  critical: Type.Integer(),
  high: Type.Integer(),
  medium: Type.Integer(),
  low: Type.Integer(),
  unknown: Type.Integer(),
});

// ---- registries ----

const TlsSchema = Type.Object({
  insecure: Type.Boolean({ description: 'Plain HTTP (loopback and test registries only)' }),
  skipVerify: Type.Boolean({ description: 'Accept any certificate' }),
  caCertPem: Type.Optional(Type.String({ maxLength: 65536, description: 'Extra CA certificate(s), PEM' })),
});
const SelectionSchema = Type.Object({
  include: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 1000 }),
  exclude: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 1000 }),
  platforms: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$' }), {
      maxItems: 50,
      description: 'Platforms of a multi-platform image to scan (default linux/amd64); docs/registries.md',
    }),
  ),
});
const CredentialsSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 1000 }),
    password: Type.String({ minLength: 1, maxLength: 10000 }),
  },
  { description: 'Write-only: stored sealed (AES-256-GCM), never returned nor logged' },
);
export const RegistrySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  tls: TlsSchema,
  selection: SelectionSchema,
  hasCredentials: Type.Boolean({ description: 'Credentials are stored (they are never returned)' }),
  createdAt: Millis('Created'),
  updatedAt: Millis('Last changed'),
  discovery: Type.Optional(
    Type.Object(
      {
        at: Millis('When the run ended'),
        repositories: Type.Integer({ minimum: 0 }),
        tags: Type.Integer({ minimum: 0 }),
        digests: Type.Integer({ minimum: 0 }),
        queued: Type.Integer({ minimum: 0, description: 'Scans the run queued' }),
        errors: Type.Array(Type.String(), { description: 'Per-tag errors the run went past (the first 20)' }),
        error: Type.Optional(Type.String({ description: 'Why the run as a whole failed' })),
      },
      { description: 'The last discovery run; absent when none ran' },
    ),
  ),
  lastPush: Type.Optional(
    Type.Object(
      {
        at: Millis('When the notification was received'),
        repository: Type.String(),
        tag: Type.Optional(Type.String()),
        digest: Type.Optional(Type.String()),
      },
      { description: 'The last push notification received; absent when none was' },
    ),
  ),
});
export const RegistryCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' }),
    tls: Type.Optional(TlsSchema),
    selection: Type.Optional(SelectionSchema),
    credentials: Type.Optional(CredentialsSchema),
  },
  { additionalProperties: false },
);
export const RegistryPatchSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://' })),
    tls: Type.Optional(TlsSchema),
    selection: Type.Optional(SelectionSchema),
    credentials: Type.Optional(Type.Union([CredentialsSchema, Type.Null()], { description: 'null removes them' })),
  },
  { additionalProperties: false },
);

// ---- repositories, tags, images ----

export const RepositorySchema = Type.Object({
  id: Type.Integer(),
  registryId: Type.Integer(),
  registry: Type.String(),
  name: Type.String(),
  tagCount: Type.Integer(),
  createdAt: Millis('First seen'),
});
export const TagSchema = Type.Object({
  tag: Type.String(),
  digest: Type.String(),
  updatedAt: Millis('Last set'),
});
export const TagHistorySchema = Type.Object({
  digest: Type.String(),
  previousDigest: Type.Optional(Type.String({ description: 'Absent when the tag was created' })),
  at: Millis('When'),
});
const TagRefSchema = Type.Object({
  registry: Type.String(),
  repository: Type.String(),
  repositoryId: Type.Integer(),
  tag: Type.String(),
});
export const ImageSummarySchema = Type.Object({
  id: Type.Integer(),
  digest: Type.String({ description: 'Manifest digest' }),
  platform: Type.Optional(Type.String()),
  createdAt: Millis('First stored'),
  inventoryAt: Type.Optional(Millis('Last inventory (scan)')),
  openFindings: SeverityCountsSchema,
  verdict: Type.Optional(VerdictStatusSchema),
  tags: Type.Array(TagRefSchema),
});
export const LayerSchema = Type.Object({
  digest: Type.String(),
  diffId: Type.String(),
  size: Type.Integer(),
  mediaType: Type.Optional(Type.String()),
});
export const ImageDetailSchema = Type.Object({
  ...ImageSummarySchema.properties,
  configDigest: Type.Optional(Type.String()),
  layers: Type.Array(LayerSchema),
});
export const PackageSchema = Type.Object({
  ecosystem: Type.String(),
  namespace: Type.String({ description: 'The vulnerability DB key: distro release or ecosystem' }),
  name: Type.String(),
  sourceName: Type.Optional(Type.String()),
  version: Type.String(),
  purl: Type.String(),
  layer: Type.String({ description: 'diffID of the layer that added it' }),
});
export const FindingSchema = Type.Object({
  ref: Type.String({ description: 'The finding reference: ID@package or rule@location' }),
  kind: Type.String(),
  findingId: Type.String(),
  severity: Type.String(),
  packagePurl: Type.Optional(Type.String()),
  data: Type.Unknown({ description: 'The finding as the scan document has it' }),
  firstSeenAt: Millis('First seen'),
  lastSeenAt: Millis('Last seen'),
  fixedAt: Type.Optional(Millis('When a scan first no longer reported it')),
});
export const ImageWithFindingSchema = Type.Object({
  ...ImageSummarySchema.properties,
  refs: Type.Array(Type.String()),
  packages: Type.Array(Type.String({ description: 'purl' })),
  severity: Type.String(),
});
export const VulnerabilitySpreadSchema = Type.Object({
  id: Type.String(),
  images: Type.Optional(Type.Integer({ description: 'Stored images with the finding open (first page only)' })),
  repositories: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.Integer(), registry: Type.String(), name: Type.String(), images: Type.Integer() }),
      { description: 'Repositories with such images, and how many (first page only)' },
    ),
  ),
  containers: Type.Optional(
    Type.Integer({
      description: 'Running containers of those images, as the runtime sensors last reported (first page only)',
    }),
  ),
  nodes: Type.Optional(Type.Integer({ description: 'Nodes those containers run on (first page only)' })),
  items: Type.Array(
    Type.Object({
      ...ImageWithFindingSchema.properties,
      running: Type.Object(
        { containers: Type.Integer(), nodes: Type.Integer() },
        { description: 'Running containers of this image, on how many nodes (runtime sensors)' },
      ),
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});
export const HistoryDaySchema = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD (UTC)' }),
  opened: SeverityCountsSchema,
  fixed: SeverityCountsSchema,
  open: SeverityCountsSchema,
});

// ---- verdicts, policies, exceptions ----

export const VerdictSchema = Type.Object({
  id: Type.Integer(),
  imageDigest: Type.String(),
  scanId: Type.Optional(Type.Integer()),
  status: VerdictStatusSchema,
  policy: Type.Optional(Type.String()),
  document: Type.Unknown({ description: 'The verdict as the policy engine produced it' }),
  createdAt: Millis('Judged'),
});
export const VerdictRequestSchema = Type.Object(
  {
    scan: Type.Object({}, { additionalProperties: true, description: 'A scan result (schema/scan-result-v1.json)' }),
    policy: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'One stored policy (default: all)' }),
    ),
    imageDigest: Type.Optional(DigestSchema),
  },
  { additionalProperties: false },
);
export const VerdictResponseSchema = Type.Object({
  status: VerdictStatusSchema,
  imageDigest: Type.String(),
  scanId: Type.Integer(),
  verdictId: Type.Integer(),
  policies: Type.Array(Type.Object({ name: Type.String(), revision: Type.Integer() })),
  exceptions: Type.Array(Type.Integer(), { description: 'Ids of the stored exceptions that were in force' }),
  findings: Type.Object({
    new: Type.Array(Type.String()),
    changed: Type.Array(Type.String()),
    fixed: Type.Array(Type.String()),
    unchanged: Type.Integer(),
  }),
  verdict: Type.Unknown({ description: 'The verdict: status, rules with their findings, suppressions, notes' }),
});
export const PolicySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  revision: Type.Integer(),
  body: Type.String({ description: 'The policy file (docs/policy.md)' }),
  updatedBy: Type.String(),
  createdAt: Millis('Created'),
  updatedAt: Millis('Changed'),
});
export const PolicyPutSchema = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 1_000_000, description: 'The policy file, YAML or JSON' }) },
  { additionalProperties: false },
);
export const ExceptionSchema = Type.Object({
  id: Type.Integer(),
  policy: Type.Optional(Type.String()),
  finding: Type.String(),
  scope: Type.String(),
  owner: Type.String(),
  reason: Type.String(),
  expiresAt: Millis('Expires'),
  createdBy: Type.String(),
  createdAt: Millis('Created'),
  approvedBy: Type.Optional(Type.String()),
  approvedAt: Type.Optional(Millis('Approved')),
  revokedAt: Type.Optional(Millis('Revoked')),
  active: Type.Boolean({ description: 'Approved, not revoked, not expired' }),
});
export const ExceptionCreateSchema = Type.Object(
  {
    policy: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    finding: Type.String({ minLength: 1, maxLength: 500, description: 'A finding ID: CVE-…, GHSA-…, a rule ID' }),
    scope: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Which images: "*", an image digest, or a repository glob',
    }),
    owner: Type.String({ minLength: 1, maxLength: 200 }),
    reason: Type.String({ minLength: 1, maxLength: 5000 }),
    expires: Type.String({
      pattern:
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2}))?$',
      description: 'YYYY-MM-DD (through the end of that day, UTC) or an RFC 3339 date-time',
    }),
  },
  { additionalProperties: false },
);

// ---- events, jobs, tokens, audit, DB ----

export const EventSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  subject: Type.String(),
  data: Type.Unknown(),
  createdAt: Millis('Appended'),
});
export const JobSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  idempotencyKey: Type.String(),
  payload: Type.Unknown(),
  state: JobStateSchema,
  priority: Type.Integer(),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  runAfter: Millis('Not before'),
  leaseOwner: Type.Optional(Type.String()),
  leaseExpiresAt: Type.Optional(Millis('Lease ends')),
  lastError: Type.Optional(Type.String()),
  result: Type.Optional(Type.Unknown()),
  createdAt: Millis('Enqueued'),
  updatedAt: Millis('Changed'),
  finishedAt: Type.Optional(Millis('Finished')),
});
export const TokenSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: RoleSchema,
  createdBy: Type.String(),
  createdAt: Millis('Issued'),
  expiresAt: Type.Optional(Millis('Expires')),
  lastUsedAt: Type.Optional(Millis('Last used (to the minute)')),
  revokedAt: Type.Optional(Millis('Revoked')),
});
export const TokenCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: RoleSchema,
    expiresAt: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch' })),
  },
  { additionalProperties: false },
);
export const IssuedTokenSchema = Type.Object({
  token: Type.String({ description: 'The secret: shown this once, only its SHA-256 is kept' }),
  record: TokenSchema,
});
export const AuditSchema = Type.Object({
  id: Type.Integer(),
  at: Millis('When'),
  actor: Type.String({ description: 'Who: token name, hook:<name>' }),
  action: Type.String({ description: 'What: method and route' }),
  target: Type.String({ description: 'On what: the path' }),
  source: Type.String({ description: 'From where: address (user agent)' }),
  detail: Type.Optional(Type.Unknown()),
});
export const DbStatusSchema = Type.Object({
  installed: Type.Boolean(),
  path: Type.Optional(Type.String()),
  schemaVersion: Type.Optional(Type.Integer()),
  builtAt: Type.Optional(Type.String()),
  advisories: Type.Optional(Type.Integer()),
  sources: Type.Optional(Type.Array(Type.Object({ name: Type.String(), records: Type.Integer() }))),
  message: Type.Optional(Type.String({ description: 'Why there is no usable DB' })),
});
