/**
 * The recipe's lifecycle and validator, and the recipe runner's nucleus-like behaviour, as the classic (Java)
 * nucleus and as Nucleus Lite: how each reads a recipe, variable interpolation, configuration merge, sandbox
 * argv, the component environment, and what each does when a step fails (recover and retry, or systemd's
 * restart limit) until the component is BROKEN.
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
import { RecipeRefused, selectManifest, type NucleusKind } from '../src/recipe-runner/read-recipe';
import {
  InstallFailed,
  RecipeRunner,
  type RecipeRunnerEvents,
  type RecipeRunnerOptions,
} from '../src/recipe-runner/recipe-runner';
import { interpolateRecipeVariables, UnresolvedVariable } from '../src/recipe-runner/recipe-variables';
import {
  CLASSIC_ERROR_RESET_MS,
  ClassicErrorCount,
  LITE_START_LIMIT_INTERVAL_MS,
  SystemdStartLimit,
} from '../src/recipe-runner/restart-policy';
import { sandboxedCommand } from '../src/recipe-runner/sandbox';
import { buildRecipe, RECOVER_TIMEOUT_SECONDS } from '../src/recipe/build-recipe';
import { recipeToYaml } from '../src/recipe/recipe-yaml';
import type { Recipe, RecipeLifecycle } from '../src/recipe/recipe-types';
import {
  CLOUD_RECIPE_LIMIT_BYTES,
  LITE_RECIPE_LIMIT_BYTES,
  recipeProblems,
  recipeSizes,
} from '../src/recipe/validate-recipe';

const spec = loadComponentSpec(REPOSITORY_ROOT, COMPONENTS['serial-runner'].componentName);
const DIGEST = `${'A'.repeat(43)}=`;
const recipe = () => buildRecipe(spec, [{ arch: 'amd64', fileName: 'x-amd64.zip', digest: DIGEST }]);
const NUCLEI: NucleusKind[] = ['classic', 'lite'];

describe('the generated recipe', () => {
  it('is valid', () => {
    const valid = recipe();
    expect(recipeProblems(valid, recipeToYaml(valid))).toEqual([]);
  });

  it('has a Nucleus Lite manifest first (EI_GG_NUCLEUS=lite, no recover), then one for any nucleus with recover', () => {
    const step = (name: string) => `exec sh "$EI_GG_LIFECYCLE" ${name}`;
    const script = '{artifacts:decompressedPath}/x-amd64/lifecycle.sh';
    const install = {
      RequiresPrivilege: true,
      Setenv: { EI_GG_CONFIGURATION: '{configuration:/Parameters}' },
      Script: step('install'),
    };
    const [lite, any] = recipe().Manifests;
    expect(lite.Platform).toEqual({ os: 'linux', architecture: 'amd64', runtime: 'aws_nucleus_lite' });
    expect(lite.Lifecycle).toEqual({
      Setenv: { EI_GG_LIFECYCLE: script, EI_GG_NUCLEUS: 'lite' },
      install,
      run: { Script: step('run') },
    });
    expect(any.Platform).toEqual({ os: 'linux', architecture: 'amd64', runtime: '*' });
    expect(any.Lifecycle).toEqual({
      Setenv: { EI_GG_LIFECYCLE: script },
      install,
      run: { Script: step('run') },
      recover: { Timeout: RECOVER_TIMEOUT_SECONDS, Script: step('recover') },
    });
    expect(lite.Artifacts).toEqual(any.Artifacts);
    expect(Object.keys(any.Artifacts[0])).toEqual(['Uri', 'Unarchive', 'Permission', 'Digest', 'Algorithm']);
  });

  it('carries no comment and no recipe variable in accessControl (neither nucleus substitutes them by default)', () => {
    const generated = recipe();
    expect(recipeToYaml(generated)).not.toMatch(/^\s*#/m);
    const resources = Object.values(generated.ComponentConfiguration.DefaultConfiguration.accessControl).flatMap(
      (policies) => Object.values(policies).flatMap((policy) => policy.resources),
    );
    expect(resources.filter((resource) => /[{}]/.test(resource))).toEqual([]);
    expect(resources).toContain('$aws/things/*/shadow/name/edgeimpulse*');
  });
});

describe('the validator', () => {
  it('names a configuration reference without a key, an unknown variable, a duplicate manifest, a misplaced one and a classic-only dependency', () => {
    const bad = recipe();
    bad.Manifests[1].Lifecycle.run.Script += ' {configuration:/Parameters/no_such_key} {nucleus:secret}';
    bad.Manifests.push(structuredClone(bad.Manifests[0]));
    bad.ComponentDependencies['aws.greengrass.SecretManager'] = {
      VersionRequirement: '^2.1.0',
      DependencyType: 'SOFT',
    };
    expect(recipeProblems(bad, recipeToYaml(bad))).toEqual([
      'a runtime and architecture have two manifests: aws_nucleus_lite/amd64, */amd64, aws_nucleus_lite/amd64',
      'a runtime "*" manifest precedes a Nucleus Lite one: Lite would take it (first match wins)',
      'the Nucleus Lite manifests cover ["amd64","amd64"], the others ["amd64"]',
      'depends on aws.greengrass.SecretManager, a plugin of the classic nucleus: Nucleus Lite resolves every dependency but the nucleus, TokenExchangeService and Cli, finds no Lite build and fails the deployment',
      'unsupported recipe variable {nucleus:secret}',
      '{configuration:/Parameters/no_such_key} names no key of DefaultConfiguration',
    ]);
  });

  it('wants lowercase step names and Uri', () => {
    const bad = recipe() as unknown as { Manifests: Array<Record<string, Record<string, unknown>>> };
    const [lite] = bad.Manifests;
    lite.Lifecycle.Install = lite.Lifecycle.install;
    delete lite.Lifecycle.install;
    const artifact = (lite.Artifacts as unknown as Array<Record<string, unknown>>)[0];
    artifact.URI = artifact.Uri;
    delete artifact.Uri;
    const [schema] = recipeProblems(bad as unknown as Recipe, recipeToYaml(bad as unknown as Recipe));
    expect(schema.split('\n')).toEqual([
      '✖ Unrecognized key: "Install"',
      '  → at Manifests[0].Lifecycle',
      '✖ Invalid input: expected object, received undefined',
      '  → at Manifests[0].Lifecycle.install',
      '✖ Unrecognized key: "URI"',
      '  → at Manifests[0].Artifacts[0]',
      '✖ Invalid input: expected string, received undefined',
      '  → at Manifests[0].Artifacts[0].Uri',
    ]);
  });

  it('wants no recover step and EI_GG_NUCLEUS=lite in a Lite manifest, and that marker nowhere else', () => {
    const bad = recipe();
    const [lite, any] = bad.Manifests;
    lite.Lifecycle.recover = { Script: 'true' };
    delete lite.Lifecycle.Setenv?.EI_GG_NUCLEUS;
    any.Lifecycle.Setenv = { ...any.Lifecycle.Setenv, EI_GG_NUCLEUS: 'lite' };
    const [schema] = recipeProblems(bad, recipeToYaml(bad));
    expect(schema.split('\n')).toEqual([
      '✖ a Nucleus Lite manifest has no recover step (Lite has none)',
      '  → at Manifests[0]',
      '✖ EI_GG_NUCLEUS=lite is set by exactly the Nucleus Lite manifests (Lifecycle.Setenv)',
      '  → at Manifests[0]',
      '✖ EI_GG_NUCLEUS=lite is set by exactly the Nucleus Lite manifests (Lifecycle.Setenv)',
      '  → at Manifests[1]',
    ]);
  });

  it("refuses a recipe over Nucleus Lite's 8196-byte buffer with Lite's message, and over 16 KB with the quota", () => {
    const long = recipe();
    long.ComponentDescription = 'x'.repeat(LITE_RECIPE_LIMIT_BYTES);
    const sizes = recipeSizes(long, recipeToYaml(long));
    expect(sizes.map((size) => size.form)).toEqual([
      'YAML (as written)',
      'YAML (published, 63-character bucket)',
      'JSON (as the cloud delivers it)',
    ]);
    const name = `${long.ComponentName}-${long.ComponentVersion}`;
    expect(recipeProblems(long, recipeToYaml(long))).toEqual([
      `YAML (as written) is ${sizes[0].bytes} bytes, over Nucleus Lite's 8196-byte recipe buffer: Lite refuses it with "Insufficient memory for file ${name}.yaml."`,
      `YAML (published, 63-character bucket) is ${sizes[1].bytes} bytes, over Nucleus Lite's 8196-byte recipe buffer: Lite refuses it with "Insufficient memory for file ${name}.yaml."`,
      `JSON (as the cloud delivers it) is ${sizes[2].bytes} bytes, over Nucleus Lite's 8196-byte recipe buffer: Lite refuses it with "Insufficient memory for file ${name}.json."`,
    ]);
    long.ComponentDescription = 'x'.repeat(CLOUD_RECIPE_LIMIT_BYTES);
    expect(recipeProblems(long, recipeToYaml(long))[0]).toMatch(
      /^YAML \(as written\) is \d+ bytes, over the 16384-byte AWS IoT Greengrass quota \("Maximum size of a component recipe: 16 KB"\)$/,
    );
  });

  it('measures the published forms with the longest bucket name S3 allows', () => {
    const generated = recipe();
    const [written, published, json] = recipeSizes(generated, recipeToYaml(generated));
    expect(published.bytes - written.bytes).toBe(2 * (63 - 'BUCKET_NAME'.length));
    expect(json.fileName).toBe(`${generated.ComponentName}-${generated.ComponentVersion}.json`);
  });
});

describe('reading a recipe as each nucleus does', () => {
  const arch = localArchitecture();
  const manifest = (
    platform: Record<string, string>,
    lifecycle: Record<string, unknown>,
    artifacts: unknown[] = [],
  ) => ({
    Platform: platform,
    Lifecycle: lifecycle,
    Artifacts: artifacts,
  });
  const linux = (runtime?: string) => ({ os: 'linux', architecture: arch, ...(runtime ? { runtime } : {}) });

  it('the classic nucleus reads keys in any case (Install, URI) and skips a manifest only Lite matches', () => {
    const selected = selectManifest(
      {
        manifests: [
          manifest(linux('aws_nucleus_lite'), { run: 'lite' }),
          manifest(linux(), { Install: { script: 'i', setenv: { A: '1' } }, RUN: 'r', Recover: { Script: 'x' } }, [
            { URI: 's3://b/x.zip', Unarchive: 'ZIP' },
          ]),
        ],
      },
      'classic',
      arch,
    );
    expect(selected.steps).toEqual({
      install: { script: 'i', setenv: { A: '1' } },
      run: { script: 'r', setenv: {} },
      recover: { script: 'x', setenv: {} },
    });
    expect(selected.artifacts[0].Uri).toBe('s3://b/x.zip');
  });

  it('Nucleus Lite takes the first manifest with runtime "*" or aws_nucleus_lite and ignores recover', () => {
    const selected = selectManifest(
      {
        Manifests: [
          manifest(linux(), { run: 'no runtime: classic only' }),
          manifest(linux('*'), { install: 'i', run: 'r', recover: 'ignored' }),
        ],
      },
      'lite',
      arch,
    );
    expect(selected.steps).toEqual({ install: { script: 'i', setenv: {} }, run: { script: 'r', setenv: {} } });
    expect(() => selectManifest({ Manifests: [manifest(linux(), { run: 'r' })] }, 'lite', arch)).toThrow(
      /"No Manifest was found for linux"/,
    );
  });

  it('Nucleus Lite refuses capitalised steps with its own message, and an artifact without Uri', () => {
    const capitalised = { Manifests: [manifest(linux('*'), { Install: 'i', Run: 'r', Recover: 'x' })] };
    expect(() => selectManifest(capitalised, 'lite', arch)).toThrow(RecipeRefused);
    expect(() => selectManifest(capitalised, 'lite', arch)).toThrow(
      `Nucleus Lite refuses the recipe: "Recipes without at least 1 valid lifecycle step aren't currently supported by Greengrass nucleus lite" "Note that in Greengrass nucleus lite, keys are case sensitive. Check the recipe reference for the correct casing." (lifecycle keys: Install, Run, Recover)`,
    );
    // Lite itself would deploy it without any install step: the runner refuses it instead.
    const installOnly = { Manifests: [manifest(linux('*'), { Install: 'i', run: 'r' })] };
    expect(() => selectManifest(installOnly, 'lite', arch)).toThrow(
      'lifecycle step "Install" is never run: Lite looks up "install" only and skips it ("Note that in Greengrass nucleus lite, keys are case sensitive. Check the recipe reference for the correct casing.")',
    );
    const uri = { Manifests: [manifest(linux('*'), { run: 'r' }, [{ URI: 's3://b/x.zip' }])] };
    expect(() => selectManifest(uri, 'lite', arch)).toThrow(
      '"Failed to validate recipe artifact" (it requires "Uri"; keys: URI)',
    );
  });
});

it('interpolates like the nucleus: values as text, objects as JSON; a missing pointer stays (classic) or fails (Lite)', () => {
  const values = {
    artifactsPath: '/a',
    decompressedPath: '/d',
    workPath: '/w',
    kernelRootPath: '/g',
    thingName: 't',
    configuration: { P: { n: 5, o: { x: 1 } } },
  };
  const text = '{artifacts:decompressedPath}/x {configuration:/P/n} {configuration:/P/o} {iot:thingName} {work:path}';
  expect(interpolateRecipeVariables(`${text} {configuration:/P/q}`, values)).toBe(
    '/d/x 5 {"x":1} t /w {configuration:/P/q}',
  );
  expect(interpolateRecipeVariables(text, values, 'lite')).toBe('/d//x 5 {"x":1} t /w/');
  expect(() => interpolateRecipeVariables('{configuration:/P/q}', values, 'lite')).toThrow(UnresolvedVariable);
});

it('merges a deployment configuration key by key, arrays replace; the classic nucleus matches keys in any case', () => {
  expect(mergeConfiguration({ Parameters: { a: 1, b: 2 }, list: [1, 2] }, { Parameters: { b: 3 }, list: [9] })).toEqual(
    { Parameters: { a: 1, b: 3 }, list: [9] },
  );
  const update = { parameters: { B: 3 } };
  expect(mergeConfiguration({ Parameters: { a: 1, b: 2 } }, update, true)).toEqual({ Parameters: { a: 1, b: 3 } });
  expect(mergeConfiguration({ Parameters: { a: 1, b: 2 } }, update)).toEqual({
    Parameters: { a: 1, b: 2 },
    parameters: { B: 3 },
  });
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

describe('when a step fails, the component is BROKEN', () => {
  it("the classic nucleus's way: three errors, forgotten only when the last one is an hour old", () => {
    const count = new ClassicErrorCount();
    const minute = 60_000;
    // A crash every 59 minutes: never an hour since the last error, so the third one breaks it.
    expect([0, 59, 118].map((m) => count.failed(m * minute))).toEqual(['retry', 'retry', 'broken']);
    const slow = new ClassicErrorCount();
    expect(slow.failed(0)).toBe('retry');
    expect(slow.failed(CLASSIC_ERROR_RESET_MS - 1)).toBe('retry');
    expect(slow.failed(2 * CLASSIC_ERROR_RESET_MS - 1)).toBe('retry'); // an hour after the last: forgotten
    expect(slow.failed(2 * CLASSIC_ERROR_RESET_MS)).toBe('retry');
    expect(slow.failed(2 * CLASSIC_ERROR_RESET_MS + 1)).toBe('broken');
  });

  it("systemd's way (Nucleus Lite): a fourth start within the hour is refused", () => {
    const limit = new SystemdStartLimit();
    const failures = [0, 1000, 2000].map((now) => {
      limit.started(now);
      return limit.failed(now);
    });
    expect(failures).toEqual(['retry', 'retry', 'broken']);
    const spread = new SystemdStartLimit();
    const spaced = [0, LITE_START_LIMIT_INTERVAL_MS / 2, LITE_START_LIMIT_INTERVAL_MS + 1].map((now) => {
      spread.started(now);
      return spread.failed(now);
    });
    expect(spaced).toEqual(['retry', 'retry', 'retry']); // the first start is older than the hour
  });
});

describe('the recipe runner', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-runner-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  let count = 0;

  /** A recipe whose steps are the given scripts, without artifacts, for this machine. */
  async function runnerWith(
    nucleus: NucleusKind,
    lifecycle: Partial<RecipeLifecycle>,
    options: Partial<RecipeRunnerOptions> = {},
  ): Promise<RecipeRunner> {
    const synthetic = recipe();
    for (const manifest of synthetic.Manifests) {
      manifest.Platform.architecture = localArchitecture();
      manifest.Artifacts = [];
      Object.assign(manifest.Lifecycle, lifecycle);
    }
    const name = `${nucleus}-${++count}`;
    const recipePath = join(scratch, `${name}.yaml`);
    writeFileSync(recipePath, recipeToYaml(synthetic));
    return RecipeRunner.prepare({
      recipePath,
      artifactsDir: scratch,
      rootDir: join(scratch, name),
      thingName: 'thing',
      nucleus,
      restartDelayMs: 100,
      ...options,
    });
  }

  function record(runner: RecipeRunner): string[] {
    const events: string[] = [];
    for (const event of ['errored', 'recovered', 'restarted', 'broken'] as Array<keyof RecipeRunnerEvents>)
      runner.on(event, (_: unknown, step?: string) => events.push(step === undefined ? event : `${event} ${step}`));
    return events;
  }

  it.each(NUCLEI)(
    '%s: gives every step the environment the nucleus gives it, and EI_GG_NUCLEUS=lite on Lite only',
    async (nucleus) => {
      const runner = await runnerWith(nucleus, {}, { region: 'eu-west-1' });
      try {
        const { output } = await runner.exec(
          'for v in AWS_REGION AWS_DEFAULT_REGION GG_ROOT_CA_PATH AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_IOT_THING_NAME EI_GG_NUCLEUS; do echo "$v=$(printenv $v)"; done; [ "$AWS_CONTAINER_AUTHORIZATION_TOKEN" = "$SVCUID" ] && echo token=svcuid; pwd',
        );
        const tes = runner.endpoint.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
        expect(output.trim().split('\n')).toEqual([
          'AWS_REGION=eu-west-1',
          'AWS_DEFAULT_REGION=eu-west-1',
          `GG_ROOT_CA_PATH=${join(runner.variables.kernelRootPath, 'rootCA.pem')}`,
          `AWS_CONTAINER_CREDENTIALS_FULL_URI=${tes}`, // the serial runner depends on TES: Lite sets it too
          'AWS_IOT_THING_NAME=thing',
          `EI_GG_NUCLEUS=${nucleus === 'lite' ? 'lite' : ''}`,
          'token=svcuid',
          runner.variables.workPath,
        ]);
        expect(tes).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/2016-11-01\/credentialprovider\/$/);
      } finally {
        await runner.close();
      }
    },
  );

  it('classic: run fails once, recover runs in the work directory with the component environment, and the second run stays up', async () => {
    const runner = await runnerWith('classic', {
      // First start: count 1, crash; later starts run until stopped.
      run: {
        Script:
          'n=$(($(cat starts 2>/dev/null || echo 0) + 1)); echo $n > starts; [ $n -gt 1 ] && exec sleep 60; exit 3',
      },
      recover: {
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
      expect(await errored).toEqual([{ code: 3, signal: null }, 'run']);
      expect((await recovered)[0]).toMatchObject({ exit: { code: 0, signal: null } });
      await restarted;
      const starts = () => readFileSync(join(runner.variables.workPath, 'starts'), 'utf8');
      await waitFor(() => starts() === '2\n', 15_000, 'the second start to be recorded');
      expect(readFileSync(join(runner.variables.workPath, 'recoveries'), 'utf8')).toBe(
        'recovered after 1 start(s), SVCUID set: yes\n',
      );
      expect(await runner.stop()).toEqual({ code: null, signal: 'SIGTERM' }); // stopped: no recovery, no restart
      expect(events).toEqual(['errored run', 'recovered', 'restarted']);
    } finally {
      await runner.close();
    }
  });

  it('classic: a recover that outlives its Timeout is stopped, and run starts again anyway', async () => {
    const runner = await runnerWith('classic', {
      run: { Script: 'exit 1' },
      recover: { Timeout: 1, Script: 'exec sleep 60' },
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

  it('classic: the third run error is BROKEN: no more recover, no restart', async () => {
    const runner = await runnerWith('classic', {
      run: { Script: 'exit 1' },
      recover: { Timeout: 15, Script: 'echo x >> recoveries' },
    });
    try {
      const events = record(runner);
      const broken = once(runner, 'broken');
      await runner.start();
      await broken;
      expect(events).toEqual([
        'errored run',
        'recovered',
        'restarted',
        'errored run',
        'recovered',
        'restarted',
        'broken run',
      ]);
      expect(readFileSync(join(runner.variables.workPath, 'recoveries'), 'utf8')).toBe('x\nx\n');
    } finally {
      await runner.close();
    }
  });

  it('classic: a failed install runs recover, then install again; the third failure is BROKEN', async () => {
    const runner = await runnerWith('classic', {
      install: { Script: 'echo attempt >> installs; echo "bad configuration" >&2; exit 4' },
      recover: { Script: 'echo x >> recoveries' },
    });
    try {
      const events = record(runner);
      const failure = await runner.install().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(InstallFailed);
      expect((failure as InstallFailed).message).toBe(
        'install failed 3 times, BROKEN (classic nucleus): exit code 4:\nbad configuration\n',
      );
      expect(events).toEqual(['errored install', 'recovered', 'errored install', 'recovered', 'broken install']);
      expect(readFileSync(join(runner.variables.workPath, 'installs'), 'utf8')).toBe('attempt\n'.repeat(3));
    } finally {
      await runner.close();
    }
  });

  it('Lite: a failed install starts again, without recover, until the third start; then BROKEN', async () => {
    const runner = await runnerWith('lite', {
      install: { Script: 'echo attempt >> installs; exit 4' },
    });
    try {
      const events = record(runner);
      await expect(runner.install()).rejects.toThrow('install failed 3 times, BROKEN (lite nucleus): exit code 4');
      expect(events).toEqual(['errored install', 'errored install', 'broken install']);
      expect(readFileSync(join(runner.variables.workPath, 'installs'), 'utf8')).toBe('attempt\n'.repeat(3));
    } finally {
      await runner.close();
    }
  });

  it('Lite: run restarts without recover (Restart=on-failure), a SIGTERM exit is clean, the third failed start is BROKEN', async () => {
    const runner = await runnerWith('lite', {
      run: {
        Script:
          'n=$(($(cat starts 2>/dev/null || echo 0) + 1)); echo $n > starts; [ $n -eq 1 ] && kill -TERM $$; exit 2',
      },
    });
    try {
      const events = record(runner);
      const first = await runner.start();
      expect(await first.exited).toEqual({ code: null, signal: 'SIGTERM' }); // clean for systemd: FINISHED
      expect(events).toEqual([]);
      const broken = once(runner, 'broken');
      await runner.start();
      await broken;
      expect(events).toEqual(['errored run', 'restarted', 'errored run', 'restarted', 'broken run']);
      expect(readFileSync(join(runner.variables.workPath, 'starts'), 'utf8')).toBe('4\n');
      expect(await runner.recover()).toBeUndefined();
    } finally {
      await runner.close();
    }
  });

  it('Lite: a configuration variable it cannot substitute fails the step', async () => {
    const runner = await runnerWith('lite', {
      install: { Script: 'echo {configuration:/Parameters/no_such_key}' },
    });
    try {
      await expect(runner.install()).rejects.toThrow(
        'Nucleus Lite cannot substitute {configuration:/Parameters/no_such_key}: Failed to process lifecycle phase: install',
      );
    } finally {
      await runner.close();
    }
  });

  it("Lite refuses a recipe file over 8196 bytes with the nucleus's message; the classic nucleus takes it", async () => {
    const long = recipe();
    for (const manifest of long.Manifests) {
      manifest.Platform.architecture = localArchitecture();
      manifest.Artifacts = [];
    }
    long.ComponentDescription = 'x'.repeat(LITE_RECIPE_LIMIT_BYTES);
    const recipePath = join(scratch, `${long.ComponentName}-${long.ComponentVersion}.yaml`);
    writeFileSync(recipePath, recipeToYaml(long));
    const options = { recipePath, artifactsDir: scratch, rootDir: join(scratch, 'long'), thingName: 'thing' };
    await expect(RecipeRunner.prepare({ ...options, nucleus: 'lite' })).rejects.toThrow(
      new RegExp(
        `^Nucleus Lite refuses the recipe: "Insufficient memory for file ${long.ComponentName}-${long.ComponentVersion}\\.yaml\\." \\(\\d+ bytes; it reads recipes into an 8196-byte buffer\\)$`,
      ),
    );
    const classic = await RecipeRunner.prepare({ ...options, nucleus: 'classic' });
    await classic.close();
  });
});
