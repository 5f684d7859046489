import { join } from 'node:path';
import { ARCHITECTURES, type Architecture } from './architectures';
import type { ArtifactFile } from './native-modules';
import type { NpmPackageCache } from './npm-package-cache';

/** The Node.js runtime every artifact carries: an LTS line, from the official binaries npm publishes. */
export const NODE_RUNTIME_VERSION = '22.23.3';

export async function nodeRuntimeFiles(cache: NpmPackageCache, arch: Architecture): Promise<ArtifactFile[]> {
  const dir = await cache.packageDir(ARCHITECTURES[arch].nodePackage, NODE_RUNTIME_VERSION);
  return [
    { zipPath: 'node/bin/node', source: join(dir, 'bin', 'node'), executable: true },
    { zipPath: 'node/LICENSE', source: join(dir, 'LICENSE') },
  ];
}
