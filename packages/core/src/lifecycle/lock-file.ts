import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { EiGgError } from '../errors';
import { isProcessAlive, readLockOwner } from './lock-owner';

/**
 * One component instance per lock: `<lock_filename>_<device>` holds the owner's pid. A lock left by a
 * process that no longer exists (crash, power loss) is taken over; a live owner is a clear error.
 */
export class LockFile {
  private held = false;

  constructor(readonly path: string) {}

  static pathFor(lockFilename: string, deviceName: string): string {
    return `${lockFilename}_${deviceName}`;
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx', 0o644);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new EiGgError('LOCK_FAILED', `cannot create lock file ${this.path}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        const owner = readLockOwner(this.path);
        if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
          throw new EiGgError('LOCK_HELD', `another instance (pid ${owner}) holds ${this.path}; stop it first`, {
            context: { path: this.path, pid: owner },
          });
        }
        unlinkSync(this.path); // stale: its owner is gone
      }
    }
    throw new EiGgError('LOCK_FAILED', `cannot take over the stale lock file ${this.path}`);
  }

  /** Removes the lock only if this process still owns it (the original removed the wrong file). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    if (readLockOwner(this.path) === process.pid) unlinkSync(this.path);
  }
}
