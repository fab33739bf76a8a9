export type * from './types.js';
export { compareStrings, comparePackages, sortPackages, sortUnknowns } from './sort.js';
export { toCustomsJson, parseCustomsJson } from './customs-json.js';
export {
  InventorySchema,
  PackageSchema,
  UnknownSchema,
  OsInfoSchema,
  InventoryTargetSchema,
  InventoryLayerSchema,
  INVENTORY_SCHEMA_ID,
  inventoryJsonSchema,
  type InventoryJson,
} from './inventory-schema.js';
export { loadCycloneDx, toCycloneDx, parseCycloneDx } from './cyclonedx.js';
export { toSpdx, parseSpdx } from './spdx.js';
export { toTable, type TableOptions } from './table.js';
export type { ImportedSbom, ImportedPackage, SkippedEntry } from './imported.js';
export { imageIdentity, parseImageReference, type ImageIdentity, type ParsedReference } from './image-identity.js';
export { classifyLicense, isSpdxExpression, type ClassifiedLicense } from './license.js';
export { decodePurl, type DecodedPurl, type DecodeResult } from './purl-decode.js';
export { PROP as SBOM_PROPERTIES } from './properties.js';
export { categorizeLicense, LICENSE_CATEGORIES, type LicenseCategory } from './license-category.js';
export { normalizeLicense, type NormalizedLicense } from './license-normalize.js';
export {
  type DeclaredPackageLicenses,
  type LicenseReport,
  type LicenseReportEntry,
  licenseReport,
} from './license-report.js';
export { buildInventory, NOT_ROOTFS } from './build-inventory.js';
export { isJsonFile, parseSbomText } from './read-sbom-file.js';
export { DISTRO_NAMES, distroRelease, osFromPurl, sbomDistro, type SbomDistro } from './purl-distro.js';
