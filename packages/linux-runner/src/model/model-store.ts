import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface StoredModel {
  projectId: number;
  version: number;
  file: string;
}

const VERSION_DIR = /^v(\d+)-(.+)$/;

/**
 * Downloaded models in the component's work directory: `models/<project>/v<version>-<type>/model.eim`.
 * Written atomically (temp file, fsync, rename), so a crash mid-download never leaves a partial model under
 * the final name; older versions of the same type are removed once a newer one is in place.
 */
export class ModelStore {
  constructor(private readonly root: string) {}

  pathOf(projectId: number, version: number, type: string): string {
    return path.join(this.root, String(projectId), `v${version}-${type}`, 'model.eim');
  }

  has(projectId: number, version: number, type: string): boolean {
    return existsSync(this.pathOf(projectId, version, type));
  }

  async write(projectId: number, version: number, type: string, model: Buffer): Promise<string> {
    const file = this.pathOf(projectId, version, type);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await fs.open(temp, 'wx', 0o700);
      try {
        await handle.writeFile(model);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    await this.removeOlder(projectId, version, type);
    return file;
  }

  /** The newest stored model of `type` (of this project, when known): what runs when Studio cannot deliver. */
  async newest(type: string, projectId?: number): Promise<StoredModel | undefined> {
    let best: StoredModel | undefined;
    for (const project of await readdir(this.root)) {
      if (projectId !== undefined && project !== String(projectId)) continue;
      for (const entry of await readdir(path.join(this.root, project))) {
        const match = VERSION_DIR.exec(entry);
        if (!match || match[2] !== type) continue;
        const candidate = {
          projectId: Number(project),
          version: Number(match[1]),
          file: path.join(this.root, project, entry, 'model.eim'),
        };
        if (existsSync(candidate.file) && (!best || candidate.version > best.version)) best = candidate;
      }
    }
    return best;
  }

  private async removeOlder(projectId: number, version: number, type: string): Promise<void> {
    const projectDir = path.join(this.root, String(projectId));
    for (const entry of await readdir(projectDir)) {
      const match = VERSION_DIR.exec(entry);
      if (match && match[2] === type && Number(match[1]) < version)
        await fs.rm(path.join(projectDir, entry), { recursive: true, force: true });
    }
  }
}

async function readdir(directory: string): Promise<string[]> {
  try {
    return await fs.readdir(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
