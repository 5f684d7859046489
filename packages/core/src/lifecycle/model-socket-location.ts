import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Where linux-runner puts each model's Unix socket: `<root>/ei-gg-model-XXXXXX/model.sock` (a mkdtemp
 * directory), so that the Recover step can find exactly the sockets a crashed instance left behind.
 */
export const MODEL_SOCKET_DIR_PREFIX = 'ei-gg-model-';
export const MODEL_SOCKET_NAME = 'model.sock';

/** `/dev/shm` when it exists (memory-backed), else the temp directory. */
export function modelSocketRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}
