import { readFileSync } from 'node:fs';

/** The pid written in a lock file, or undefined when there is no such file or it holds no pid. */
export function readLockOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process exists (EPERM: it exists, owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding a lock file (another component's, for example), or undefined. */
export function liveLockOwner(path: string): number | undefined {
  const pid = readLockOwner(path);
  return pid !== undefined && isProcessAlive(pid) ? pid : undefined;
}
