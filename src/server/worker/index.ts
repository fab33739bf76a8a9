export {
  BUILTIN_JOB_HANDLERS,
  startWorkerPool,
  type WorkerPool,
  type WorkerPoolOptions,
  type WorkerStats,
} from './pool.js';
export { parseScanPayload, type ScanJobResult, scanJob } from './scan-job.js';
export { VulnDbHandle } from './vulndb-handle.js';
export { type HealthServer, parseHealthListen, startHealthServer, workerMetrics } from './health.js';
export { jsonLog } from './json-log.js';
export { dbUpdateJob } from './db-update-job.js';
export {
  DEFAULT_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  parseRetentionDays,
  type PruneResult,
  pruneJob,
} from './prune-job.js';
export {
  parseSchedule,
  SCHEDULED_KINDS,
  type Schedule,
  type ScheduleOptions,
  startSchedule,
  tickJobs,
} from './schedule.js';
