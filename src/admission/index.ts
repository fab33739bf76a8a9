export {
  AdmissionController,
  type AdmissionControllerOptions,
  type DecisionEvent,
  type RuleResult,
} from './admission-controller.js';
export {
  type AdmissionConfig,
  admissionConfigOf,
  COLD_PATHS,
  type ColdPath,
  DEFAULT_RULES,
  defaultAdmissionConfig,
  FAILURE_POLICIES,
  type FailurePolicy,
  MODES,
  type Mode,
  parseAdmissionConfig,
} from './config.js';
export { containerImages } from './images.js';
export type {
  DigestResolver,
  InlineScanner,
  ScanQueue,
  TrustOutcome,
  TrustStatus,
  TrustVerifier,
  VerdictSource,
} from './ports.js';
export { type AdmissionResponse, parseAdmissionReview } from './review.js';
export { type LabelSelector, selectorMatches } from './selector.js';
export {
  ADMISSION_EVENT,
  followStoreEvents,
  ServerClient,
  storeDecisionSink,
  storeQueue,
  storeVerdicts,
} from './sources.js';
export { createWebhookServer, type JsonLog, jsonLog, type WebhookServer } from './webhook-server.js';
export { admissionManifests, type ManifestOptions, manifestsYaml, WEBHOOK_RULES } from './manifests.js';
export { type WebhookCertificates, webhookCertificates } from './certificates.js';
