import { join } from 'node:path';
import type { ComponentChange } from './deployment-request';

/** `greengrass-cli deployment create` with --merge per component and --update-config for MERGE/RESET. */
export function greengrassCliCommand(
  cli: string,
  outputDir: string,
  changes: Record<string, ComponentChange>,
): string[] {
  const updates = Object.fromEntries(
    Object.entries(changes)
      .filter(([, change]) => change.merge || change.reset)
      .map(([name, change]) => [
        name,
        { ...(change.merge ? { MERGE: change.merge } : {}), ...(change.reset ? { RESET: change.reset } : {}) },
      ]),
  );
  return [
    cli,
    'deployment',
    'create',
    '--recipeDir',
    join(outputDir, 'recipes'),
    '--artifactDir',
    join(outputDir, 'artifacts'),
    ...Object.entries(changes).flatMap(([name, change]) => ['--merge', `${name}=${change.componentVersion}`]),
    ...(Object.keys(updates).length > 0 ? ['--update-config', JSON.stringify(updates)] : []),
  ];
}
