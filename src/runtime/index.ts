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
