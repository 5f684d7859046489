import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { COMPONENTS, LockFile, PARAMETER_SCHEMAS, liveLockOwner } from '@ei-gg/core';
import { LinuxServiceError } from '../errors';

/** The linux-runner's lock prefix (`lock_filename` default): its lock is `<prefix>_<device>`. */
export const RUNNER_LOCK_PREFIX = PARAMETER_SCHEMAS['linux-runner'].parse({}).lock_filename;

/**
 * Refuses to start when the linux-runner component on this device holds one of `cameras`: its lock file
 * (`/tmp/ei_lockfile_runner_<device>`) names a live pid, and that process or one of its children (its
 * GStreamer pipeline) has the device open (`/proc/<pid>/fd`). Both are needed: the lock alone does not say
 * the runner uses the camera (it may run on the microphone or a file), an open device alone does not say who
 * holds it. `/proc/<pid>/fd` is readable for processes of the same user, which the two components share
 * (`ggc_user`); a runner configured with another `lock_filename` or user is not detected.
 */
export function assertCameraFree(cameras: readonly string[], deviceName: string, procRoot = '/proc'): void {
  if (cameras.length === 0) return;
  const lockPath = LockFile.pathFor(RUNNER_LOCK_PREFIX, deviceName);
  const runnerPid = liveLockOwner(lockPath);
  if (runnerPid === undefined) return;
  const wanted = new Set(cameras.map(resolvePath));
  for (const pid of processIds(procRoot)) {
    const held = openFiles(procRoot, pid).find((file) => wanted.has(file));
    if (held && descendsFrom(procRoot, pid, runnerPid)) {
      throw new LinuxServiceError(
        'LINUX_SERVICE_CAMERA_IN_USE',
        `the ${COMPONENTS['linux-runner'].componentName} component (pid ${runnerPid}, lock ${lockPath}) holds the camera ${held}` +
          `${pid === runnerPid ? '' : ` through its child process ${pid}`}: stop it, or give this component another camera (--camera in eiparams) or --disable-camera`,
        { context: { camera: held, runnerPid, holderPid: pid, lockPath } },
      );
    }
  }
}

function resolvePath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function processIds(procRoot: string): number[] {
  return readdirSync(procRoot)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** Targets of a process's open file descriptors; none when it is gone or belongs to another user. */
function openFiles(procRoot: string, pid: number): string[] {
  const dir = `${procRoot}/${pid}/fd`;
  try {
    return readdirSync(dir).flatMap((fd) => {
      try {
        return [readlinkSync(`${dir}/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

function descendsFrom(procRoot: string, pid: number, ancestor: number): boolean {
  for (let current: number | undefined = pid, hops = 0; current !== undefined && current > 1 && hops < 64; hops++) {
    if (current === ancestor) return true;
    current = parentOf(procRoot, current);
  }
  return false;
}

/** Field 4 of /proc/<pid>/stat; the command name before it may itself contain spaces and parentheses. */
function parentOf(procRoot: string, pid: number): number | undefined {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}
