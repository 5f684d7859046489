import { join } from 'node:path';
import { upgradeResets, type ComponentChange } from './deployment-request';

/**
 * `greengrass-cli deployment create` with --merge per component and --update-config: every component resets
 * UPGRADE_RESET (a local deployment also keeps the running configuration) and the user's pointers, then merges.
 */
export function greengrassCliCommand(
  cli: string,
  outputDir: string,
  changes: Record<string, ComponentChange>,
): string[] {
  const updates = Object.fromEntries(
    Object.entries(changes).map(([name, change]) => [
      name,
      { ...(change.merge ? { MERGE: change.merge } : {}), RESET: upgradeResets(change) },
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
