import { EiGgError } from '../errors';
import type { Logger } from '../logging/logger';
import { isProcessAlive, readLockOwner } from './lock-owner';
import { remove, statOrUndefined } from './recover-files';

/** A component's own clean-up after a crash (linux-runner: its model sockets); records into the report, never throws. */
export type RecoverStep = (log: Logger, report: RecoverReport) => Promise<void>;

export interface RecoverOptions {
  /** `LockFile.pathFor(lock_filename, deviceName)` of the configuration the component runs with. */
  lockPath: string;
  logger: Logger;
  /** The component's own steps (its definition's `recover`), run after the lock file's. */
  steps?: readonly RecoverStep[];
}

export interface RecoverReport {
  removed: string[];
  /** Orphaned model processes that were stopped. */
  stopped: number[];
  /** What was left in place: a live owner's lock, a socket still served or not ours. */
  kept: string[];
  problems: EiGgError[];
}

/**
 * The Greengrass `Recover` step (`--recover`): removes what a crashed instance (SIGKILL, OOM) left behind, so the
 * restart starts clean. The lock file goes only when its owner is gone; then the component's own steps run. Never
 * throws; a missing file is not a problem.
 */
export async function recoverComponent(options: RecoverOptions): Promise<RecoverReport> {
  const log = options.logger.child({ part: 'recover' });
  const report: RecoverReport = { removed: [], stopped: [], kept: [], problems: [] };
  recoverLock(options.lockPath, log, report);
  for (const step of options.steps ?? []) await step(log, report);
  log.info('recovered', {
    lockPath: options.lockPath,
    removed: report.removed,
    stopped: report.stopped,
    kept: report.kept,
    problems: report.problems.length,
  });
  return report;
}

function recoverLock(path: string, log: Logger, report: RecoverReport): void {
  if (statOrUndefined(path, log, report) === undefined) return;
  const owner = readLockOwner(path);
  // Our own pid can only be a dead owner's, reused: this process is not the component.
  if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
    log.info('lock file kept: its owner is alive', { path, pid: owner });
    report.kept.push(path);
    return;
  }
  if (readLockOwner(path) !== owner) {
    log.info('lock file kept: it changed meanwhile', { path });
    report.kept.push(path);
    return;
  }
  if (remove(path, log, report)) log.info('removed stale lock file', { path, pid: owner ?? null });
}
