import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { defaultOutputDir } from '../src/packaging/package-component';
import { parseRecipe } from '../src/recipe/recipe-yaml';
import type { Recipe } from '../src/recipe/recipe-types';

export const OUTPUT_DIR = defaultOutputDir(REPOSITORY_ROOT);
export const RECIPES_DIR = join(OUTPUT_DIR, 'recipes');
export const ARTIFACTS_DIR = join(OUTPUT_DIR, 'artifacts');

export interface PackagedComponent {
  recipePath: string;
  yaml: string;
  recipe: Recipe;
  artifactPath(fileName: string): string;
}

/**
 * The tree the Nx `package` target wrote (this package's `test` target depends on it): tests check what
 * ships, not a copy made for the test.
 */
export function packagedComponent(componentName: string, version: string): PackagedComponent {
  const recipePath = join(RECIPES_DIR, `${componentName}-${version}.yaml`);
  if (!existsSync(recipePath)) throw new Error(`${recipePath} is missing: run npx nx run-many -t package first`);
  const yaml = readFileSync(recipePath, 'utf8');
  return {
    recipePath,
    yaml,
    recipe: parseRecipe(yaml),
    artifactPath: (fileName) => join(ARTIFACTS_DIR, componentName, version, fileName),
  };
}
