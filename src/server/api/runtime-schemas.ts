/**
 * The runtime resources' schemas: the report a sensor POSTs (docs/runtime.md
 * "Reporting": schema customs.runtime.report/v1), written here from that
 * documented body rather than imported, and the nodes and containers the
 * server answers with. Objects of the report accept fields this version does
 * not know (a newer sensor may send more); what the server reads is required.
 */
import { Type } from '@sinclair/typebox';
import { DigestSchema, Millis } from './schemas.js';

/** The report's schema identifier (docs/runtime.md). */
export const REPORT_SCHEMA_ID = 'customs.runtime.report/v1';

const Text = (max: number, description?: string) =>
  Type.String({ maxLength: max, ...(description !== undefined ? { description } : {}) });
const Strings = (maxItems: number) => Type.Array(Text(4096), { maxItems });
/** Most containers (or images) one node's inventory may list. */
const MAX_CONTAINERS = 20_000;
/** Most alerts or actions in one report (the sensor sends every 5 s). */
const MAX_EVENTS = 10_000;
const Count = Type.Integer({ minimum: 0 });

const ReportPrivilegesSchema = Type.Object({
  privileged: Type.Boolean(),
  capAdd: Strings(200),
  capDrop: Strings(200),
  hostPid: Type.Boolean(),
  hostNetwork: Type.Boolean(),
  hostIpc: Type.Boolean(),
  hostUts: Type.Boolean(),
  user: Text(256),
  readOnlyRootfs: Type.Boolean(),
});

const ReportContainerSchema = Type.Object({
  runtime: Text(32, 'docker, containerd'),
  namespace: Type.Optional(Text(256)),
  id: Type.String({ minLength: 1, maxLength: 256 }),
  name: Text(1024),
  imageRef: Text(1024),
  imageId: Text(256, 'The image ID (config digest)'),
  imageDigests: Type.Array(Text(1024), { maxItems: 100, description: 'repo@sha256:… registry digests' }),
  state: Text(32),
  created: Type.Optional(Text(64)),
  pid: Type.Optional(Type.Integer({ minimum: 0 })),
  labels: Type.Record(Type.String(), Text(8192)),
  kubernetes: Type.Optional(
    Type.Object({
      pod: Type.Optional(Text(512)),
      namespace: Type.Optional(Text(512)),
      container: Type.Optional(Text(512)),
      podUid: Type.Optional(Text(128)),
    }),
  ),
  mounts: Type.Array(Type.Object({}), { maxItems: 1000 }),
  privileges: ReportPrivilegesSchema,
  networkMode: Text(512),
  networks: Type.Array(Type.Object({}), { maxItems: 1000 }),
});

const ReportInventorySchema = Type.Object({
  host: Text(253),
  collectedAt: Text(64),
  engines: Type.Array(Type.Object({}), { maxItems: 16 }),
  containers: Type.Array(ReportContainerSchema, { maxItems: MAX_CONTAINERS }),
  images: Type.Array(Type.Object({}), { maxItems: MAX_CONTAINERS }),
  notes: Strings(1000),
});

const ContainerRefSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 256 }),
  name: Text(1024),
  imageId: Text(256),
  imageRef: Text(1024),
});

const ReportAlertSchema = Type.Object({
  ruleId: Type.String({ minLength: 1, maxLength: 200 }),
  ruleName: Text(200),
  severity: Text(32),
  title: Text(1024),
  detail: Text(65536),
  time: Text(64),
  host: Text(253),
  source: Text(32, 'kernel, falco'),
  container: Type.Optional(ContainerRefSchema),
});

const ReportActionSchema = Type.Object({
  action: Text(32, 'alert, pause, stop, kill, isolate'),
  ruleId: Text(200),
  container: ContainerRefSchema,
  dryRun: Type.Boolean(),
  ok: Type.Boolean(),
  calls: Strings(100),
  error: Type.Optional(Text(8192)),
  time: Text(64),
});

export const RuntimeReportSchema = Type.Object(
  {
    schema: Type.Literal(REPORT_SCHEMA_ID),
    host: Type.String({ minLength: 1, maxLength: 253, description: 'The node: its reports replace its containers' }),
    sentAt: Type.String({ format: 'date-time', description: 'With host, the identity of the report' }),
    inventory: Type.Optional(ReportInventorySchema),
    alerts: Type.Array(ReportAlertSchema, { maxItems: MAX_EVENTS }),
    actions: Type.Array(ReportActionSchema, { maxItems: MAX_EVENTS }),
    inUse: Type.Optional(
      Type.Array(Type.Object({ containerId: Text(256), imageId: Text(256), files: Strings(100_000) }), {
        maxItems: MAX_CONTAINERS,
      }),
    ),
    stats: Type.Object({
      lines: Count,
      events: Count,
      malformed: Count,
      lost: Count,
      unattributed: Count,
      alerts: Count,
      suppressed: Count,
      actions: Count,
      falcoLines: Count,
      falcoErrors: Count,
      restarts: Count,
    }),
  },
  { description: 'A sensor report (docs/runtime.md "Reporting")' },
);

export const RuntimeReportResultSchema = Type.Object({
  node: Type.String(),
  duplicate: Type.Boolean({ description: 'The node already reported at this sentAt or later: inventory not applied' }),
  inventoryApplied: Type.Boolean({ description: "The report's inventory replaced the node's containers" }),
  containers: Type.Integer({ description: 'Containers the node has now' }),
  events: Type.Integer({ description: 'Alerts, actions and inventory events appended (re-sent ones are not)' }),
});

const ContainerPrivilegesSchema = Type.Object({
  privileged: Type.Boolean(),
  capAdd: Type.Array(Type.String()),
  hostPid: Type.Boolean(),
  hostNetwork: Type.Boolean(),
  hostIpc: Type.Boolean(),
  user: Type.String({ description: '"" = the image’s user' }),
  readOnlyRootfs: Type.Boolean(),
});

export const RuntimeNodeSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  lastReportAt: Millis('sentAt of the last report applied'),
  receivedAt: Millis('When the server received it'),
  inventoryAt: Type.Optional(Millis('sentAt of the last report with an inventory')),
  containers: Type.Integer({ description: 'Containers its last inventory listed' }),
  running: Type.Integer({ description: 'Of which running' }),
  stats: Type.Unknown({ description: "The sensor's counters in its last report" }),
  createdAt: Millis('First report'),
  ownerTokenId: Type.Optional(
    Type.Integer({
      description:
        'The API token the node is bound to (the first to report it); absent: none yet (docs/runtime.md "Node ownership")',
    }),
  ),
});

/** PUT /runtime/nodes/{name}/owner: bind the node to another token, or null to let its next reporter bind it. */
export const NodeOwnerSchema = Type.Object(
  {
    tokenId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'An active API token id (GET /api/v1/tokens), or null to unbind',
    }),
  },
  { additionalProperties: false },
);

export const RuntimeContainerSchema = Type.Object({
  id: Type.Integer(),
  node: Type.String(),
  containerId: Type.String(),
  name: Type.String(),
  runtime: Type.String(),
  imageId: Type.String({ description: 'The image ID (config digest)' }),
  imageDigest: Type.Optional(Type.String({ description: 'The registry manifest digest' })),
  imageRef: Type.String(),
  state: Type.String(),
  kubernetesNamespace: Type.Optional(Type.String()),
  kubernetesPod: Type.Optional(Type.String()),
  privileges: ContainerPrivilegesSchema,
  lastSeenAt: Millis('sentAt of the report that last listed it'),
});

export const ContainerQuerySchema = {
  node: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'On this node' })),
  /** Running this image: its manifest digest or image ID. */
  image: Type.Optional(DigestSchema),
  state: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'running, exited, …' })),
};

export const RunningSchema = Type.Object(
  { containers: Type.Integer(), nodes: Type.Integer() },
  { description: 'Running containers of the image, on how many nodes (runtime sensors’ last inventories)' },
);
