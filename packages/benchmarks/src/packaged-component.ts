import { readdirSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { COMPONENTS, type ComponentKind } from '@ei-gg/core';
import { unpackZipArtifact } from '@ei-gg/greengrass-tools/dist/recipe-runner/unpack-zip';

/** `npm run package`'s output. */
export const GREENGRASS_DIR = join(__dirname, '../../../dist/greengrass');

const ZIP_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'aarch64' };

/**
 * Unpacks a component's artifact zip for this machine (`npm run package`'s output under greengrassDir) into
 * targetDir, as the nucleus does, and returns the path of its lifecycle.sh: `sh <it> run` starts the component
 * exactly as deployed (its Node, its bundle, the run step's node flags and environment).
 */
export async function unpackComponent(kind: ComponentKind, greengrassDir: string, targetDir: string): Promise<string> {
  const zipArch = ZIP_ARCH[arch()];
  if (zipArch === undefined) throw new Error(`no artifact for this machine's architecture ${arch()}`);
  const dir = join(greengrassDir, 'artifacts', COMPONENTS[kind].componentName);
  const zips = readdirSync(dir).flatMap((version) =>
    readdirSync(join(dir, version))
      .filter((file) => file.endsWith(`-${zipArch}.zip`))
      .map((file) => join(dir, version, file)),
  );
  if (zips.length !== 1)
    throw new Error(`expected one ${zipArch} artifact zip under ${dir}, found ${zips.length}: run npm run package`);
  await unpackZipArtifact(zips[0], targetDir, { Read: 'OWNER', Execute: 'OWNER' });
  return join(targetDir, 'lifecycle.sh');
}
