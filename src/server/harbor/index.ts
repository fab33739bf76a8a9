export { harborRoutes, harborScanner, HARBOR_PREFIX, REFRESH_AFTER_SECONDS } from './routes.js';
export { withHarborPullConfig, isHarborScanJob, type HarborScanJobPayload } from './job.js';
export { toHarborReport, type HarborReport } from './report.js';
export { HARBOR_MIME } from './mime.js';
