/** The recipe validator, the nucleus-like variable interpolation and configuration merge of the recipe runner. */
import { COMPONENTS } from '@ei-gg/core';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { loadComponentSpec } from '../src/packaging/component-spec';
import { mergeConfiguration } from '../src/recipe-runner/merge-configuration';
import { interpolateRecipeVariables } from '../src/recipe-runner/recipe-variables';
import { sandboxedCommand } from '../src/recipe-runner/sandbox';
import { buildRecipe } from '../src/recipe/build-recipe';
import { recipeToYaml } from '../src/recipe/recipe-yaml';
import { recipeProblems, RECIPE_SIZE_LIMIT_BYTES } from '../src/recipe/validate-recipe';

const spec = loadComponentSpec(REPOSITORY_ROOT, COMPONENTS['serial-runner'].componentName);
const recipe = () => buildRecipe(spec, [{ arch: 'amd64', fileName: 'x-amd64.zip', digest: `${'A'.repeat(43)}=` }], 'echo "$EI_GGC_USER_GROUPS"');

it('a generated recipe is valid', () => {
  const valid = recipe();
  expect(recipeProblems(valid, recipeToYaml(valid))).toEqual([]);
});

it('names a configuration reference without a key, an unknown variable, a duplicate architecture and an oversized recipe', () => {
  const bad = recipe();
  bad.Manifests[0].Lifecycle.Run.Script += ' {configuration:/Parameters/no_such_key} {nucleus:secret}';
  bad.Manifests.push(structuredClone(bad.Manifests[0]));
  const problems = recipeProblems(bad, 'x'.repeat(RECIPE_SIZE_LIMIT_BYTES + 1));
  expect(problems).toEqual([
    `recipe is ${RECIPE_SIZE_LIMIT_BYTES + 1} bytes, over the ${RECIPE_SIZE_LIMIT_BYTES}-byte Greengrass limit`,
    'an architecture has two manifests: amd64, amd64',
    'unsupported recipe variable {nucleus:secret}',
    '{configuration:/Parameters/no_such_key} names no key of DefaultConfiguration',
  ]);
});

it('interpolates like the nucleus: values as text, objects as JSON, unknown pointers untouched', () => {
  const values = { artifactsPath: '/a', decompressedPath: '/d', workPath: '/w', kernelRootPath: '/g', thingName: 't', configuration: { P: { n: 5, o: { x: 1 } } } };
  expect(interpolateRecipeVariables('{artifacts:decompressedPath}/x {configuration:/P/n} {configuration:/P/o} {configuration:/P/q} {iot:thingName} {work:path}', values))
    .toBe('/d/x 5 {"x":1} {configuration:/P/q} t /w');
});

it('merges a deployment configuration key by key; arrays replace', () => {
  expect(mergeConfiguration({ Parameters: { a: 1, b: 2 }, list: [1, 2] }, { Parameters: { b: 3 }, list: [9] })).toEqual({ Parameters: { a: 1, b: 3 }, list: [9] });
});

it('passes the step script to the sandbox as an argument, never spliced into the setup', () => {
  expect(sandboxedCommand(`echo '$x'`, { isolateNetwork: true })).toEqual(['unshare', '--net', '--mount', '--', '/bin/sh', '-c', 'exec /bin/sh -c "$1"', 'sandbox', `echo '$x'`]);
});
