/**
 * A real small file system for disk-full tests: a tmpfs of a few hundred KiB, mounted for the test and
 * unmounted after. Mounting needs root (tests run as root here and in CI); without it the test fails saying so,
 * it is never skipped: a fault suite that silently skips its faults proves nothing.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallTmpfs {
  /** The mount point. */
  path: string;
  /** Bytes a non-root writer could still write (statfs bavail). */
  free(): Promise<number>;
  /** Writes a file (outside any cache directory) until the file system is full; returns its path. */
  fill(name?: string): Promise<string>;
  unmount(): Promise<void>;
}

export async function mountSmallTmpfs(mountPoint: string, sizeKiB = 200): Promise<SmallTmpfs> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `this test fills a real disk: it mounts a ${sizeKiB} KiB tmpfs (mount -t tmpfs -o size=${sizeKiB}k), which needs ` +
        'root. Run it as root (as CI does); it is not skipped without root, because then the fault is not tested.',
    );
  }
  await fs.mkdir(mountPoint, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', mountPoint]);
  return {
    path: mountPoint,
    free: async () => {
      const stats = await fs.statfs(mountPoint);
      return stats.bavail * stats.bsize;
    },
    fill: async (name = 'filler') => {
      const file = path.join(mountPoint, name);
      const handle = await fs.open(file, 'a');
      try {
        const chunk = Buffer.alloc(4096, 0x5a);
        for (;;) await handle.write(chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        await handle.close();
      }
      return file;
    },
    unmount: async () => {
      await run('umount', [mountPoint]);
      await fs.rmdir(mountPoint);
    },
  };
}
