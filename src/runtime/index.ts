export type * from './types.js';
export { CONTAINER_RUNTIMES, IMAGE_USAGE } from './types.js';
export { nodeInventory, inventoryTable, type InventoryOptions } from './inventory.js';
