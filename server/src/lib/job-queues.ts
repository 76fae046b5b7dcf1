/**
 * pg-boss settings shared by every queue of the server. pg-boss fails a job that stayed active
 * longer than its queue's `expireInSeconds` (and retries it within its retry limit) when its
 * maintenance runs, every `maintenanceIntervalSeconds`: a job whose worker died (process killed,
 * connection lost) runs again about a minute later, not after pg-boss's defaults (15 minutes,
 * checked every 2 minutes).
 */
export const JOB_EXPIRE_SECONDS = 60;
export const MAINTENANCE_INTERVAL_SECONDS = 10;
