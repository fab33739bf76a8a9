export { harborRoutes, harborScanner, HARBOR_PREFIX, REFRESH_AFTER_SECONDS } from './routes.js';
export {
  runHarborScanJob,
  withHarborPullConfig,
  isHarborScanJob,
  type HarborScanJobPayload,
  type RegistryScan,
} from './job.js';
export { toHarborReport, type HarborReport } from './report.js';
export { HARBOR_MIME } from './mime.js';
