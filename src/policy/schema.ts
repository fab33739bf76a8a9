/**
 * The policy file format, `apiVersion: customs/v1`, `kind: Policy`, as one
 * TypeBox schema: the validator of loadPolicies and the JSON Schema published
 * in schema/policy-v1.json (a golden test keeps them equal) so editors can
 * complete and check policy files. docs/policy.md documents every field.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ECOSYSTEMS, RATED_SEVERITIES, SEVERITIES } from '../core/index.js';

export const POLICY_API_VERSION = 'customs/v1';
export const POLICY_SCHEMA_ID = 'urn:customs:schema:policy:v1';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const strict = <T extends Parameters<typeof Type.Object>[0]>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description !== undefined ? { description } : {}) });
const NonEmpty = Type.String({ minLength: 1 });

/** Rule ids are what later files replace and `disable` by: letters, digits, . _ - / : */
export const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$';

const VulnerabilitiesRule = strict(
  {
    minSeverity: Type.Optional(lit(SEVERITIES)),
    minCvss: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    fixableOnly: Type.Optional(Type.Boolean()),
    kev: Type.Optional(Type.Boolean()),
    epssAbove: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    fixAvailableForDays: Type.Optional(Type.Integer({ minimum: 0 })),
    packageTypes: Type.Optional(Type.Array(lit(['os', 'language'] as const), { minItems: 1, uniqueItems: true })),
    layers: Type.Optional(Type.Array(lit(['base', 'app'] as const), { minItems: 1, uniqueItems: true })),
  },
  'A vulnerability matches when it meets every condition given ({} matches every vulnerability).',
);

const BaseImageMatcher = Type.Union([
  Type.String({
    minLength: 1,
    description: 'An image reference: REPOSITORY[:TAG-GLOB][@DIGEST]; "debian" means docker.io/library/debian.',
  }),
  strict({
    repository: Type.Optional(NonEmpty),
    tag: Type.Optional(Type.String({ minLength: 1, description: 'Glob: * matches any characters.' })),
    digest: Type.Optional(Type.String({ pattern: '^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$' })),
  }),
]);

const ImageRule = strict({
  allowedBaseImages: Type.Optional(Type.Array(BaseImageMatcher, { minItems: 1 })),
  blockedBaseImages: Type.Optional(Type.Array(BaseImageMatcher, { minItems: 1 })),
  allowedRegistries: Type.Optional(Type.Array(NonEmpty, { minItems: 1 })),
  requireNonRootUser: Type.Optional(Type.Boolean()),
  requireHealthcheck: Type.Optional(Type.Boolean()),
  requiredLabels: Type.Optional(
    Type.Array(Type.Union([NonEmpty, strict({ name: NonEmpty, pattern: Type.Optional(NonEmpty) })]), { minItems: 1 }),
  ),
  requireEntrypoint: Type.Optional(Type.Boolean()),
  forbiddenPorts: Type.Optional(
    Type.Array(
      Type.Union([
        Type.Integer({ minimum: 1, maximum: 65535 }),
        Type.String({ pattern: '^[0-9]{1,5}(?:/(?:tcp|udp|sctp))?$' }),
      ]),
      {
        minItems: 1,
      },
    ),
  ),
  maxSizeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  maxAgeDays: Type.Optional(Type.Integer({ minimum: 0 })),
});

const ECOSYSTEM_NAMES = ECOSYSTEMS;

const PackagesRule = strict({
  forbidden: Type.Optional(
    Type.Array(
      strict({
        name: NonEmpty,
        ecosystem: Type.Optional(lit(ECOSYSTEM_NAMES)),
        versions: Type.Optional(Type.String({ minLength: 1, description: 'Constraint: ">= 1.0, < 2.0 || = 2.5.1"' })),
      }),
      { minItems: 1 },
    ),
  ),
  minimumVersions: Type.Optional(
    Type.Array(
      Type.String({ pattern: '^(?:[a-z]+:)?[^\\s]+\\s*>=\\s*[^\\s]+$', description: '"[ECOSYSTEM:]NAME >= VERSION"' }),
      {
        minItems: 1,
      },
    ),
  ),
  forbiddenLicenses: Type.Optional(
    Type.Array(NonEmpty, { minItems: 1, description: 'SPDX licence ids or expressions' }),
  ),
});

const FindingsRule = strict({
  minSeverity: Type.Optional(lit(RATED_SEVERITIES)),
  ids: Type.Optional(Type.Array(NonEmpty, { minItems: 1, description: 'Only these rule / check ids.' })),
});

const CelRule = Type.Union([NonEmpty, strict({ expression: NonEmpty })]);

export const RULE_KINDS = [
  'vulnerabilities',
  'image',
  'packages',
  'secrets',
  'misconfigurations',
  'malware',
  'cel',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

const RuleSchema = strict({
  id: Type.String({ pattern: RULE_ID_PATTERN }),
  action: lit(['fail', 'warn'] as const),
  message: NonEmpty,
  description: Type.Optional(Type.String()),
  vulnerabilities: Type.Optional(VulnerabilitiesRule),
  image: Type.Optional(ImageRule),
  packages: Type.Optional(PackagesRule),
  secrets: Type.Optional(FindingsRule),
  misconfigurations: Type.Optional(FindingsRule),
  malware: Type.Optional(FindingsRule),
  cel: Type.Optional(CelRule),
});

const DATE =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2}))?$';

const ExceptionSchema = strict({
  id: Type.Optional(Type.String({ pattern: RULE_ID_PATTERN })),
  advisory: Type.Optional(NonEmpty),
  package: Type.Optional(NonEmpty),
  image: Type.Optional(NonEmpty),
  path: Type.Optional(NonEmpty),
  rules: Type.Optional(Type.Array(Type.String({ pattern: RULE_ID_PATTERN }), { minItems: 1 })),
  reason: NonEmpty,
  owner: NonEmpty,
  expires: Type.String({
    pattern: DATE,
    description: 'YYYY-MM-DD (through the end of that day, UTC) or an RFC 3339 date-time',
  }),
});

/** What an unreadable package database does to the gate (docs/policy.md "Unknowns"). */
export const UNKNOWN_ACTIONS = ['fail', 'warn', 'ignore'] as const;
export type UnknownAction = (typeof UNKNOWN_ACTIONS)[number];

const UnknownsSettings = strict(
  {
    packageDatabases: Type.Optional(
      Type.Union(
        UNKNOWN_ACTIONS.map((v) => Type.Literal(v)),
        {
          description:
            'An OS package database (dpkg status/status.d, rpm database, apk installed) that could not be read: fail (the default), warn or ignore.',
        },
      ),
    ),
  },
  'What files customs could not analyse do to the verdict.',
);

export const PolicyFileSchema = Type.Object(
  {
    apiVersion: Type.Literal(POLICY_API_VERSION),
    kind: Type.Literal('Policy'),
    metadata: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String()), description: Type.Optional(Type.String()) },
        { additionalProperties: true },
      ),
    ),
    rules: Type.Optional(Type.Array(RuleSchema)),
    exceptions: Type.Optional(Type.Array(ExceptionSchema)),
    disable: Type.Optional(Type.Array(Type.String({ pattern: RULE_ID_PATTERN }))),
    unknowns: Type.Optional(UnknownsSettings),
  },
  { additionalProperties: false },
);

export type PolicyFile = Static<typeof PolicyFileSchema>;
export type RuleSpec = Static<typeof RuleSchema>;
export type ExceptionSpec = Static<typeof ExceptionSchema>;
export type VulnerabilitiesSpec = Static<typeof VulnerabilitiesRule>;
export type ImageSpec = Static<typeof ImageRule>;
export type PackagesSpec = Static<typeof PackagesRule>;
export type FindingsSpec = Static<typeof FindingsRule>;
export type BaseImageSpec = Static<typeof BaseImageMatcher>;

/** The published JSON Schema (schema/policy-v1.json): TypeBox's JSON plus $schema/$id/title. */
export function policyJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(PolicyFileSchema as TSchema)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: POLICY_SCHEMA_ID,
    title: 'customs policy v1',
    description:
      'A customs policy file (docs/policy.md). Files merge in the order given: later files add rules and exceptions, replace rules by id and disable rules by id.',
    ...plain,
  };
}
