export { rescan, EVENT_DIGEST_LIMIT, type RescanOptions, type RescanReport } from './rescan.js';
export {
  rescanJob,
  rescanJobHandler,
  parseRescanPayload,
  keepBaseline,
  RESCAN_JOB_KIND,
  RESCAN_BASELINE,
  type RescanPayload,
  type RescanJobResult,
} from './job.js';
