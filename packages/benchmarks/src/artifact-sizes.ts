import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './statistics';
import { componentKindOf } from './install-time';

/**
 * Size of each packaged artifact (`artifacts/<Name>/<version>/<bin>-<arch>.zip` under `npm run package`'s output),
 * in MB, keyed `<component kind>/<arch>`.
 */
export function artifactSizes(greengrassDir: string): Record<string, number> {
  const artifacts = join(greengrassDir, 'artifacts');
  const sizes: Record<string, number> = {};
  for (const name of readdirSync(artifacts)) {
    const kind = componentKindOf(name);
    for (const version of readdirSync(join(artifacts, name))) {
      for (const file of readdirSync(join(artifacts, name, version))) {
        const arch = /-([^-]+)\.zip$/.exec(file)?.[1];
        if (arch === undefined) continue;
        sizes[`${kind}/${arch}`] = round(statSync(join(artifacts, name, version, file)).size / 1024 / 1024, 2);
      }
    }
  }
  if (Object.keys(sizes).length === 0) throw new Error(`no artifact zips under ${artifacts}: run npm run package`);
  return sizes;
}
