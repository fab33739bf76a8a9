/**
 * The event types the ship phase emits (store events table) and notification
 * rules subscribe to. One list: producers and the notifier name types from
 * here, never as loose strings.
 */
export const EVENT_TYPES = {
  /** A digest seen for the first time (discovery, push, CI). */
  imageNew: 'image.new',
  /** The store also writes these two itself (store/images.ts, store/scans.ts). */
  tagMoved: 'tag.moved',
  scanRecorded: 'scan.recorded',
  /** A scan job finished (data: digest, job id, counts by severity). */
  scanFinished: 'scan.finished',
  scanFailed: 'job.failed',
  /** An image's verdict went pass → fail or back. */
  verdictChanged: 'verdict.changed',
  /** A finding appeared on a stored image without a new scan (rescan after a DB update). */
  findingNew: 'finding.new',
  findingChanged: 'finding.changed',
  findingWithdrawn: 'finding.withdrawn',
  findingFixed: 'finding.fixed',
  exceptionExpiring: 'exception.expiring',
  dbUpdated: 'db.updated',
  dbUpdateFailed: 'db.update_failed',
  pushReceived: 'registry.push',
  /** The admission webhook admitted or denied a workload (data: the decision event, docs/admission.md). */
  admissionDecision: 'admission.decision',
  /** The runtime sensor (src/runtime/payload.ts RUNTIME_EVENTS): a rule fired, an enforcement action, a node's inventory. */
  runtimeAlert: 'runtime.alert',
  runtimeAction: 'runtime.action',
  runtimeInventory: 'runtime.inventory',
  runtimeInUse: 'runtime.in-use',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];
