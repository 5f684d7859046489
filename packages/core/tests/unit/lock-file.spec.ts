import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockFile } from '../../src/lifecycle/lock-file';

describe('LockFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ei-gg-lock-'));

  it('is named <lock_filename>_<device>', () => {
    expect(LockFile.pathFor('/tmp/ei_lockfile_runner', 'cam_0a1b')).toBe('/tmp/ei_lockfile_runner_cam_0a1b');
  });

  it('writes our pid, and release removes only our own lock', () => {
    const lock = new LockFile(join(dir, 'a'));
    lock.acquire();
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);

    const other = new LockFile(join(dir, 'b'));
    other.acquire();
    writeFileSync(other.path, '1\n'); // someone else took it over meanwhile
    other.release();
    expect(readFileSync(other.path, 'utf8')).toBe('1\n');
  });

  it('refuses a lock held by a live process, naming it', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const path = join(dir, 'c');
      writeFileSync(path, `${child.pid}\n`);
      expect(() => new LockFile(path).acquire()).toThrow(
        `another instance (pid ${child.pid}) holds ${path}; stop it first`,
      );
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('takes over a stale lock whose process is gone, or a garbage one', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    for (const content of [`${child.pid}\n`, 'not a pid']) {
      const lock = new LockFile(join(dir, `d${content.length}`));
      writeFileSync(lock.path, content);
      lock.acquire();
      expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
    }
  });

  it('names the path when the lock cannot be created', () => {
    expect(() => new LockFile(join(dir, 'missing-dir', 'x')).acquire()).toThrow(
      /^cannot create lock file .*missing-dir\/x: ENOENT/,
    );
  });
});
