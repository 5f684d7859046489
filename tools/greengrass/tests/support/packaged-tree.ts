import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../src/cli/run-cli';
import type { Architecture } from '../../src/packaging/architectures';
import { loadComponentSpec, type ComponentSpec } from '../../src/packaging/component-spec';
import { defaultOutputDir } from '../../src/packaging/package-component';
import { artifactFileName } from '../../src/recipe/build-recipe';
import { parseRecipe } from '../../src/recipe/recipe-yaml';
import type { Recipe } from '../../src/recipe/recipe-types';

export const OUTPUT_DIR = defaultOutputDir(REPOSITORY_ROOT);
export const RECIPES_DIR = join(OUTPUT_DIR, 'recipes');
export const ARTIFACTS_DIR = join(OUTPUT_DIR, 'artifacts');

export interface PackagedComponent {
  spec: ComponentSpec;
  recipePath: string;
  yaml: string;
  recipe: Recipe;
  zipPath: (arch: Architecture) => string;
}

/**
 * The tree the Nx `package` targets wrote (this package's `test` target depends on them): tests check what
 * ships, not a copy made for the test.
 */
export function packagedComponent(componentName: string): PackagedComponent {
  const spec = loadComponentSpec(REPOSITORY_ROOT, componentName);
  const recipePath = join(RECIPES_DIR, `${componentName}-${spec.version}.yaml`);
  if (!existsSync(recipePath)) throw new Error(`${recipePath} is missing: run npx nx run-many -t package first`);
  const yaml = readFileSync(recipePath, 'utf8');
  return {
    spec,
    recipePath,
    yaml,
    recipe: parseRecipe(yaml),
    zipPath: (arch) => join(ARTIFACTS_DIR, componentName, spec.version, artifactFileName(spec, arch)),
  };
}
