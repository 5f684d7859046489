/**
 * The recipe's lifecycle and validator, and the recipe runner's nucleus-like behaviour: variable interpolation,
 * configuration merge, sandbox argv, and Recover then restart when Run errors.
 */
import { COMPONENTS } from '@ei-gg/core';
import { waitFor } from '@ei-gg/testbench';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { localArchitecture } from '../src/packaging/architectures';
import { loadComponentSpec } from '../src/packaging/component-spec';
import { mergeConfiguration } from '../src/recipe-runner/merge-configuration';
import { RecipeRunner, type RecipeRunnerEvents } from '../src/recipe-runner/recipe-runner';
import { interpolateRecipeVariables } from '../src/recipe-runner/recipe-variables';
import { sandboxedCommand } from '../src/recipe-runner/sandbox';
import { buildRecipe } from '../src/recipe/build-recipe';
import { recipeToYaml } from '../src/recipe/recipe-yaml';
import type { RecipeManifest } from '../src/recipe/recipe-types';
import { recipeProblems, RECIPE_SIZE_LIMIT_BYTES } from '../src/recipe/validate-recipe';

const spec = loadComponentSpec(REPOSITORY_ROOT, COMPONENTS['serial-runner'].componentName);
const recipe = () =>
  buildRecipe(
    spec,
    [{ arch: 'amd64', fileName: 'x-amd64.zip', digest: `${'A'.repeat(43)}=` }],
    'echo "$EI_GGC_USER_GROUPS"',
  );

it('a generated recipe is valid', () => {
  const valid = recipe();
  expect(recipeProblems(valid, recipeToYaml(valid))).toEqual([]);
});

it('has Install as root, and Run and Recover as the component user: Recover is Run with --recover and a short timeout', () => {
  const root = '{artifacts:decompressedPath}/x-amd64';
  const { Install, ...steps } = recipe().Manifests[0].Lifecycle;
  expect(Install).toMatchObject({ RequiresPrivilege: true, Timeout: 60 });
  expect(steps).toEqual({
    Run: { Script: `exec "${root}/node/bin/node" --enable-source-maps "${root}/app/main.js"` },
    Recover: {
      Timeout: 15,
      Script: `exec "${root}/node/bin/node" --enable-source-maps "${root}/app/main.js" --recover`,
    },
  });
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
  const values = {
    artifactsPath: '/a',
    decompressedPath: '/d',
    workPath: '/w',
    kernelRootPath: '/g',
    thingName: 't',
    configuration: { P: { n: 5, o: { x: 1 } } },
  };
  expect(
    interpolateRecipeVariables(
      '{artifacts:decompressedPath}/x {configuration:/P/n} {configuration:/P/o} {configuration:/P/q} {iot:thingName} {work:path}',
      values,
    ),
  ).toBe('/d/x 5 {"x":1} {configuration:/P/q} t /w');
});

it('merges a deployment configuration key by key; arrays replace', () => {
  expect(mergeConfiguration({ Parameters: { a: 1, b: 2 }, list: [1, 2] }, { Parameters: { b: 3 }, list: [9] })).toEqual(
    { Parameters: { a: 1, b: 3 }, list: [9] },
  );
});

it('passes the step script to the sandbox as an argument, never spliced into the setup', () => {
  expect(sandboxedCommand(`echo '$x'`, { isolateNetwork: true })).toEqual([
    'unshare',
    '--net',
    '--mount',
    '--',
    '/bin/sh',
    '-c',
    'exec /bin/sh -c "$1"',
    'sandbox',
    `echo '$x'`,
  ]);
});

describe('the recipe runner, like the nucleus, runs Recover when Run errors, then starts Run again', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-runner-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A recipe whose steps are the given scripts, without artifacts, for this machine. */
  async function runnerWith(name: string, lifecycle: Partial<RecipeManifest['Lifecycle']>): Promise<RecipeRunner> {
    const synthetic = recipe();
    const manifest = synthetic.Manifests[0];
    manifest.Platform.architecture = localArchitecture();
    manifest.Artifacts = [];
    Object.assign(manifest.Lifecycle, lifecycle);
    const recipePath = join(scratch, `${name}.yaml`);
    writeFileSync(recipePath, recipeToYaml(synthetic));
    return RecipeRunner.prepare({
      recipePath,
      artifactsDir: scratch,
      rootDir: join(scratch, name),
      thingName: 'thing',
    });
  }

  function record(runner: RecipeRunner): string[] {
    const events: string[] = [];
    for (const event of ['errored', 'recovered', 'restarted', 'broken'] as Array<keyof RecipeRunnerEvents>)
      runner.on(event, () => events.push(event));
    return events;
  }

  it('Run fails once: Recover runs in the work directory with the component environment, and the second Run stays up', async () => {
    const runner = await runnerWith('once', {
      // First start: count 1, crash; later starts run until stopped.
      Run: {
        Script:
          'n=$(($(cat starts 2>/dev/null || echo 0) + 1)); echo $n > starts; [ $n -gt 1 ] && exec sleep 60; exit 3',
      },
      Recover: {
        Timeout: 15,
        Script: 'echo "recovered after $(cat starts) start(s), SVCUID set: ${SVCUID:+yes}" >> recoveries',
      },
    });
    try {
      const events = record(runner);
      const errored = once(runner, 'errored');
      const recovered = once(runner, 'recovered');
      const restarted = once(runner, 'restarted');
      await runner.start();
      expect((await errored)[0]).toEqual({ code: 3, signal: null });
      expect((await recovered)[0]).toMatchObject({ exit: { code: 0, signal: null } });
      await restarted;
      const starts = () => readFileSync(join(runner.variables.workPath, 'starts'), 'utf8');
      await waitFor(() => starts() === '2\n', 15_000, 'the second start to be recorded');
      expect(readFileSync(join(runner.variables.workPath, 'recoveries'), 'utf8')).toBe(
        'recovered after 1 start(s), SVCUID set: yes\n',
      );
      expect(await runner.stop()).toEqual({ code: null, signal: 'SIGTERM' }); // stopped: no recovery, no restart
      expect(events).toEqual(['errored', 'recovered', 'restarted']);
    } finally {
      await runner.close();
    }
  });

  it('a Recover that outlives its Timeout is stopped, and Run starts again anyway', async () => {
    const runner = await runnerWith('slow', {
      Run: { Script: 'exit 1' },
      Recover: { Timeout: 1, Script: 'exec sleep 60' },
    });
    try {
      const recovered = once(runner, 'recovered');
      await runner.start();
      expect((await recovered)[0]).toMatchObject({ exit: 'timeout', wallMs: expect.any(Number) });
      await once(runner, 'restarted');
    } finally {
      await runner.close();
    }
  });

  it('the third error within the hour is BROKEN: no more Recover, no restart', async () => {
    const runner = await runnerWith('broken', {
      Run: { Script: 'exit 1' },
      Recover: { Timeout: 15, Script: 'echo x >> recoveries' },
    });
    try {
      const events = record(runner);
      const broken = once(runner, 'broken');
      await runner.start();
      await broken;
      expect(events).toEqual(['errored', 'recovered', 'restarted', 'errored', 'recovered', 'restarted', 'broken']);
      expect(readFileSync(join(runner.variables.workPath, 'recoveries'), 'utf8')).toBe('x\nx\n');
    } finally {
      await runner.close();
    }
  });
});
