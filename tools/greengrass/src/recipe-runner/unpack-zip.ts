import { createWriteStream, mkdirSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RecipeArtifact } from '../recipe/recipe-types';
import { readZipEntries } from './read-zip';

/**
 * Unpacks a ZIP artifact like the nucleus: into `targetDir`, then every file gets the recipe's `Permission`
 * (zip modes are ignored), read-only. Entries escaping `targetDir` are refused.
 */
export async function unpackZipArtifact(
  zipPath: string,
  targetDir: string,
  permission: RecipeArtifact['Permission'],
): Promise<void> {
  const mode = permissionMode(permission);
  for await (const entry of readZipEntries(zipPath)) {
    const target = resolve(targetDir, entry.path);
    if (!target.startsWith(resolve(targetDir) + sep))
      throw new Error(`zip entry escapes the artifact directory: ${entry.path}`);
    if (entry.path.endsWith('/')) continue;
    mkdirSync(dirname(target), { recursive: true });
    await pipeline(await entry.open(), createWriteStream(target));
    await chmod(target, mode);
  }
}

/** `Read`/`Execute` of NONE, OWNER or ALL as mode bits (Execute implies Read). */
function permissionMode({ Read, Execute }: RecipeArtifact['Permission']): number {
  const bits = { NONE: 0, OWNER: 0o100, ALL: 0o111 };
  const execute = bits[Execute];
  return ((bits[Read] | execute) << 2) | execute;
}
