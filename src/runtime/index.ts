export type * from './types.js';
export { CONTAINER_RUNTIMES, IMAGE_USAGE } from './types.js';
export { nodeInventory, inventoryTable, type InventoryOptions } from './inventory.js';
export {
  containerDrift,
  driftTable,
  mergePackages,
  packageDrift,
  type ContainerDrift,
  type PackageDrift,
  type PackageRef,
} from './drift.js';
export { overlayDiff, DRIFT_KINDS, type DriftEntry, type DriftKind } from './overlay-diff.js';
export { runSensor, type RunSensorOptions } from './run-sensor.js';
export { Sensor, type SensorOptions, type SensorRecord } from './sensor.js';
export { storeReporter, serverReporter, type Reporter } from './reporters.js';
export { ACTIONS, type ActionRecord, type EnforcementAction } from './enforce.js';
export { RULES, ruleByIdOrName, type RuntimeRule, type ContainerRef } from './rules.js';
export type { RuntimeAlert } from './alerts.js';
export type { KernelEvent } from './events.js';
export {
  RUNTIME_EVENTS,
  RUNTIME_REPORT_PATH,
  RUNTIME_REPORT_SCHEMA,
  type RuntimeReport,
  type SensorStats,
  type InUseFiles,
  zeroSensorStats,
} from './payload.js';
export {
  collectBundle,
  verifyBundle,
  readBundle,
  packBundle,
  IR_BUNDLE_SCHEMA,
  type BundleManifest,
  type VerifyResult,
  type IrOptions,
} from './ir-bundle.js';
export { ripPlan, planMarkdown, inUseFromStore, isVulnId, type RipPlan } from './rip-plan.js';
export { packagesInUse } from './in-use.js';
export { dockerApi as dockerApiOf, type DockerApi } from './docker-api.js';
export {
  segmentation,
  proposeNetworkPolicies,
  namespacesWithPolicies,
  workloadOf,
  SENSITIVITY_LABEL,
  type SegmentationReport,
} from './segmentation.js';
export type { BaselineJson } from './baseline.js';
export { scanActiveImages, type ScanImagesResult } from './scan-images.js';
