export { rescan, EVENT_DIGEST_LIMIT, type RescanOptions, type RescanReport } from './rescan.js';
export { rescanJob, parseRescanPayload, RESCAN_JOB_KIND, type RescanPayload } from './job.js';
