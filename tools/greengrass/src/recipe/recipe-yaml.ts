import { parse, stringify } from 'yaml';
import type { Recipe } from './recipe-types';

/**
 * YAML text of a recipe. Written as YAML 1.1, which the classic nucleus (Jackson) reads: strings such as `no`
 * and `2020-01-25` are quoted so they stay strings; long lines are never folded, so scripts stay byte-exact. No
 * comment: every byte counts against Nucleus Lite's 8196-byte recipe buffer (validate-recipe.ts).
 */
export function recipeToYaml(recipe: Recipe): string {
  return stringify(recipe, { lineWidth: 0, version: '1.1' });
}

/** The recipe as the cloud delivers it to a device (ResolveComponentCandidates sends JSON; both nuclei store it). */
export function recipeToJson(recipe: Recipe): string {
  return JSON.stringify(recipe, null, 2);
}

export function parseRecipe(text: string): Recipe {
  return parse(text, { version: '1.1' }) as Recipe;
}
