/**
 * The fuzz targets, listed explicitly (docs/security.md "Fuzzing"). Each drives
 * one parser of attacker bytes through its product entry point, with a
 * structure-aware generator.
 */
import type { FuzzTarget } from '../protocol.js';
import { customsJsonTarget, cyclonedxTarget, spdxTarget, vexTarget } from './documents.js';
import { httpResponseTarget } from './http-response.js';
import { inflateParityTarget } from './inflate.js';
import { layerGzip, layerPlain, layerZstd, tarTarget } from './layer.js';
import { lockYamlTarget } from './lock-yaml.js';
import { policyTarget } from './policy.js';
import { cosignSignatureTarget, sigstoreBundleTarget } from './signature.js';
import { rpmBdbTarget, rpmHeaderTarget, rpmNdbTarget, rpmSqliteTarget } from './rpm.js';
import { apkTarget, dpkgTarget } from './text-db.js';
import { javaArchiveTarget } from './zip.js';

export const TARGETS: readonly FuzzTarget[] = [
  tarTarget,
  layerGzip,
  inflateParityTarget,
  layerZstd,
  layerPlain,
  rpmHeaderTarget,
  rpmBdbTarget,
  rpmNdbTarget,
  rpmSqliteTarget,
  apkTarget,
  dpkgTarget,
  lockYamlTarget,
  httpResponseTarget,
  javaArchiveTarget,
  cyclonedxTarget,
  spdxTarget,
  customsJsonTarget,
  vexTarget,
  policyTarget,
  cosignSignatureTarget,
  sigstoreBundleTarget,
];
