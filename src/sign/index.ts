/**
 * Signatures and attestations (docs/signing.md) and the trust policy
 * (docs/trust-policy.md). Layer 2: imports core, version and image only.
 *
 * The API the admission webhook and promotion use:
 *   loadTrustPolicy(file) → TrustPolicy
 *   verifyImageAgainstPolicy(image, policy, { ctx, digest?, clients? }) → ImageVerification
 *     { status: 'verified' | 'unverified' | 'invalid', image, digest, rule, reasons, signatures, attestations }
 */
export {
  type KeyPairPem,
  COSIGN_PRIVATE_KEY_PEM,
  SIGSTORE_PRIVATE_KEY_PEM,
  decryptPrivateKey,
  encryptPrivateKey,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  publicKeyPem,
  signBytes,
  verifyBytesSignature,
} from './keys.js';
export {
  type SimpleSigningPayload,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SIMPLE_SIGNING_TYPE,
  parseSimpleSigningPayload,
  simpleSigningPayload,
} from './simple-signing.js';
export {
  type Attachment,
  type AttachmentKind,
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  appendAttachment,
  attachmentTag,
  readAttachments,
} from './cosign-layout.js';
export {
  type DsseEnvelope,
  type Statement,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V1,
  envelopeVerifies,
  imageStatement,
  pae,
  parseEnvelope,
  parseStatement,
  signEnvelope,
  statementCovers,
} from './dsse.js';
export {
  type BundleOutcome,
  type TrustRoot,
  BUNDLE_V03_MEDIA_TYPE,
  identityMatches,
  keyBundle,
  keyHint,
  keyTrustRoot,
  legacyKeylessBundle,
  parseTrustedRoot,
  verifyBundle,
} from './bundle.js';
export {
  type SignerRequirement,
  type TrustedIdentity,
  type TrustedKey,
  type TrustPolicy,
  type TrustRule,
  PREDICATE_TYPES,
  imageMatches,
  loadTrustPolicy,
  parseTrustPolicy,
  predicateTypeOf,
  ruleFor,
} from './trust-policy.js';
export {
  type ImageVerification,
  type SignatureRecord,
  type VerificationStatus,
  type VerifyOptions,
  adHocRule,
  COSIGN_SIGN_PREDICATE,
  imageReferenceOf,
  verifyImageAgainstPolicy,
  verifyCosignSignature,
  verifyImageWithRule,
} from './verify-image.js';
export { type SignOutcome, attestImage, signImage } from './sign-image.js';
export { type PolicyVerifier, openPolicyVerifier } from './policy-verifier.js';
