import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinuxServiceError } from '../errors';

/** The client's configuration, where it also stores the API key it was given (`~/edge-impulse-config.json`). */
const CLIENT_CONFIG = 'edge-impulse-config.json';
const KEY_FILE = 'api-key';

/**
 * The client's HOME: a 0700 directory in the component's work directory, so the files the client keeps
 * there (its configuration with the API key, the one-shot key file) are readable by the component user
 * only. Both are removed before every start and after every stop: no key outlives the client, and a stale
 * project or camera choice from another deployment is never reused.
 */
export class ClientHome {
  readonly path: string;
  readonly keyFile: string;

  constructor(workDir: string) {
    this.path = join(workDir, 'edge-impulse-linux-home');
    this.keyFile = join(this.path, KEY_FILE);
  }

  /** Creates the directory (0700 even if it existed) and removes what a previous run left. */
  prepare(): void {
    try {
      mkdirSync(this.path, { recursive: true, mode: 0o700 });
      chmodSync(this.path, 0o700);
    } catch (err) {
      throw new LinuxServiceError(
        'LINUX_SERVICE_WORK_DIR',
        `cannot prepare the client's home ${this.path}: ${(err as Error).message}`,
        {
          context: { path: this.path },
          cause: err,
        },
      );
    }
    this.clean();
  }

  /** The key for the next client start, in a file only this user can read; the client deletes it on reading. */
  writeKey(apiKey: string): void {
    rmSync(this.keyFile, { force: true });
    writeFileSync(this.keyFile, apiKey, { mode: 0o600, flag: 'wx' });
  }

  clean(): void {
    rmSync(this.keyFile, { force: true });
    rmSync(join(this.path, CLIENT_CONFIG), { force: true });
  }
}
