import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPONENT_KINDS, COMPONENTS, type ComponentKind } from '@ei-gg/core';
import { RecipeRunner } from '@ei-gg/greengrass-tools/dist/recipe-runner/recipe-runner';
import { requireTool } from '@ei-gg/testbench';
import { nowMs, round } from './statistics';

export interface InstallFigures {
  /** What the nucleus does for a new component version: copy + verify the artifact, unpack it, run Install. */
  install_s: number;
  /** Copy, SHA-256 check and unpacking (and the recipe runner's IPC endpoint, a few ms). */
  unpack_s: number;
  install_step_s: number;
}

export function componentKindOf(componentName: string): ComponentKind {
  const kind = COMPONENT_KINDS.find((k) => COMPONENTS[k].componentName === componentName);
  if (kind === undefined) throw new Error(`recipe of an unknown component ${componentName}`);
  return kind;
}

/**
 * Install time of each packaged component's artifact for this machine's architecture (amd64 here) through the
 * recipe runner, offline: the steps run with no network (unshare --net) and a scratch /etc in which the
 * classic nucleus's ggc_user exists, so Install really adds it to the groups, as on a fresh device.
 */
export async function installTimes(greengrassDir: string): Promise<Partial<Record<ComponentKind, InstallFigures>>> {
  requireTool('unshare', 'util-linux');
  if (process.getuid?.() !== 0)
    throw new Error('install_s runs Install offline in network and mount namespaces (unshare): run the bench as root');
  const recipes = readdirSync(join(greengrassDir, 'recipes')).filter((f) => f.endsWith('.yaml'));
  if (recipes.length === 0) throw new Error(`no recipes in ${greengrassDir}/recipes: run npm run package`);
  const figures: Partial<Record<ComponentKind, InstallFigures>> = {};
  for (const recipe of recipes.sort()) {
    const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-bench-install-'));
    try {
      const etc = join(scratch, 'etc');
      cpSync('/etc', etc, { recursive: true, verbatimSymlinks: true });
      appendFileSync(join(etc, 'passwd'), 'ggc_user:x:61000:61000::/nonexistent:/usr/sbin/nologin\n');
      appendFileSync(join(etc, 'group'), 'ggc_group:x:61000:\n');
      const started = nowMs();
      const runner = await RecipeRunner.prepare({
        recipePath: join(greengrassDir, 'recipes', recipe),
        artifactsDir: join(greengrassDir, 'artifacts'),
        rootDir: join(scratch, 'greengrass'),
        thingName: 'ei-gg-bench-thing',
        sandbox: { isolateNetwork: true, bind: [{ source: etc, target: '/etc' }] },
      });
      const unpackMs = nowMs() - started;
      let stepMs: number;
      try {
        stepMs = (await runner.install()).wallMs;
      } finally {
        await runner.close();
      }
      figures[componentKindOf(runner.recipe.ComponentName)] = {
        install_s: round((unpackMs + stepMs) / 1000),
        unpack_s: round(unpackMs / 1000),
        install_step_s: round(stepMs / 1000),
      };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return figures;
}
