/**
 * What the `package` targets wrote for the three components: valid recipes that both nuclei accept (Nucleus Lite
 * manifests first, then any-nucleus ones, both architectures; under Lite's 8196-byte limit in every form a device
 * stores), and zips carrying exactly their architecture's binaries and lifecycle.sh, reproducible byte for byte.
 */
import { COMPONENTS, componentAccessControl, type ComponentKind } from '@ei-gg/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { ARCHITECTURES, type Architecture } from '../src/packaging/architectures';
import { packageComponent } from '../src/packaging/package-component';
import { selectManifest, type NucleusKind, type RawRecipe } from '../src/recipe-runner/read-recipe';
import { RecipeRunner } from '../src/recipe-runner/recipe-runner';
import { LIFECYCLE_ENV, LIFECYCLE_SCRIPT, RECOVER_TIMEOUT_SECONDS, recipeParameters } from '../src/recipe/build-recipe';
import { LITE_RECIPE_LIMIT_BYTES, recipeProblems, recipeSizes } from '../src/recipe/validate-recipe';
import { ARTIFACTS_DIR, packagedComponent } from './support/packaged-tree';
import { readZipEntries } from '../src/recipe-runner/read-zip';
import { elfMachine, zipFileHeads } from './support/zip-contents';

const KINDS: ComponentKind[] = ['serial-runner', 'linux-runner', 'linux-service'];
const packaged = (kind: ComponentKind) => packagedComponent(COMPONENTS[kind].componentName);

/** The packages (or runtime) each component's native binaries come from, for Node's arch name `a`. */
const NATIVE_PACKAGES: Record<ComponentKind, (a: string) => string[]> = {
  'serial-runner': () => ['@serialport/bindings-cpp', 'aws-crt', 'node'],
  'linux-runner': (a) => [`@img/sharp-libvips-linux-${a}`, `@img/sharp-linux-${a}`, 'aws-crt', 'koffi', 'node'],
  'linux-service': (a) => [`@img/sharp-libvips-linux-${a}`, `@img/sharp-linux-${a}`, 'aws-crt', 'node'], // the client's sharp; it never loads koffi
};

/** Which package a binary in the zip belongs to. */
function nativePackage(path: string): string {
  const fixed: Record<string, string> = {
    'node/bin/node': 'node',
    'app/native/aws-crt-nodejs.node': 'aws-crt',
    'app/native/serialport-bindings-cpp.node': '@serialport/bindings-cpp',
  };
  return fixed[path] ?? /^app\/node_modules\/((@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? path;
}

it.each(KINDS)(
  '%s: a valid recipe with schema defaults, least-privilege access control, Lite then any-nucleus manifests per architecture',
  (kind) => {
    const { recipe, yaml, spec } = packaged(kind);
    expect(recipeProblems(recipe, yaml)).toEqual([]);
    expect(recipe.ComponentConfiguration.DefaultConfiguration).toEqual({
      Parameters: recipeParameters(kind),
      accessControl: componentAccessControl(kind),
    });
    expect(recipe.Manifests.map((m) => m.Platform)).toEqual([
      { os: 'linux', architecture: 'amd64', runtime: 'aws_nucleus_lite' },
      { os: 'linux', architecture: 'aarch64', runtime: 'aws_nucleus_lite' },
      { os: 'linux', architecture: 'amd64', runtime: '*' },
      { os: 'linux', architecture: 'aarch64', runtime: '*' },
    ]);
    expect(Object.keys(recipe.ComponentDependencies)).toEqual(['aws.greengrass.TokenExchangeService']);
    for (const { Platform, Lifecycle } of recipe.Manifests) {
      const lite = Platform.runtime === 'aws_nucleus_lite';
      expect(Lifecycle.Setenv).toEqual({
        [LIFECYCLE_ENV]: `{artifacts:decompressedPath}/${spec.bin}-${Platform.architecture}/${LIFECYCLE_SCRIPT}`,
        ...(lite ? { EI_GG_NUCLEUS: 'lite' } : {}),
      });
      // Recover (on ERRORED, before the restart) is the component itself with --recover; Lite has none.
      expect(Lifecycle.recover).toEqual(
        lite ? undefined : { Timeout: RECOVER_TIMEOUT_SECONDS, Script: `exec sh "$${LIFECYCLE_ENV}" recover` },
      );
    }
    // YAML 1.1 readers (the classic nucleus) must see strings, not dates.
    expect(yaml).toContain('RecipeFormatVersion: "2020-01-25"');
  },
);

it.each(KINDS)('%s: under 8196 bytes in every form a device stores (sizes printed)', (kind) => {
  const { recipe, yaml } = packaged(kind);
  const sizes = recipeSizes(recipe, yaml);
  process.stdout.write(`${recipe.ComponentName}: ${sizes.map((s) => `${s.form} ${s.bytes} B`).join(', ')}\n`);
  for (const size of sizes) expect([size.form, size.bytes <= LITE_RECIPE_LIMIT_BYTES]).toEqual([size.form, true]);
});

const readers = KINDS.flatMap((kind) =>
  (['classic', 'lite'] as NucleusKind[]).map((nucleus) => [kind, nucleus] as const),
);

it.each(readers)(
  '%s: the %s nucleus finds its manifest, install, run (and recover on classic) and the artifact',
  (kind, nucleus) => {
    const { yaml, spec } = packaged(kind);
    for (const arch of ['amd64', 'aarch64'] as Architecture[]) {
      const selected = selectManifest(parseYaml(yaml, { version: '1.1' }) as RawRecipe, nucleus, arch);
      expect(selected.setenv.EI_GG_NUCLEUS).toBe(nucleus === 'lite' ? 'lite' : undefined);
      expect(Object.keys(selected.steps)).toEqual(
        nucleus === 'lite' ? ['install', 'run'] : ['install', 'run', 'recover'],
      );
      expect(selected.steps.install?.setenv).toEqual({ EI_GG_CONFIGURATION: '{configuration:/Parameters}' });
      expect(selected.artifacts.map((a) => basename(a.Uri))).toEqual([`${spec.bin}-${arch}.zip`]);
    }
  },
);

describe('Nucleus Lite refuses a shipped recipe altered the ways it cannot read', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-lite-refuses-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const prepare = (text: string) => {
    const { recipe } = packaged('serial-runner');
    const recipePath = join(scratch, `${recipe.ComponentName}-${recipe.ComponentVersion}.yaml`);
    writeFileSync(recipePath, text);
    return RecipeRunner.prepare({
      recipePath,
      artifactsDir: ARTIFACTS_DIR,
      rootDir: join(scratch, 'root'),
      thingName: 'thing',
      nucleus: 'lite',
    });
  };

  it('with its steps capitalised, as the recipes were', async () => {
    const { yaml } = packaged('serial-runner');
    const capitalised = yaml.replace(
      /^( +)(install|run|recover):/gm,
      (_, indent: string, step: string) => `${indent}${step[0].toUpperCase()}${step.slice(1)}:`,
    );
    await expect(prepare(capitalised)).rejects.toThrow(
      `Nucleus Lite refuses the recipe: "Recipes without at least 1 valid lifecycle step aren't currently supported by Greengrass nucleus lite" "Note that in Greengrass nucleus lite, keys are case sensitive. Check the recipe reference for the correct casing." (lifecycle keys: Setenv, Install, Run)`,
    );
    await expect(prepare(yaml.replace(/^( +)install:/m, '$1Install:'))).rejects.toThrow(
      'lifecycle step "Install" is never run: Lite looks up "install" only and skips it',
    );
  });

  it('over 8196 bytes', async () => {
    const { recipe, yaml } = packaged('serial-runner');
    const padded = yaml.replace(
      /^ComponentDescription: .*$/m,
      `ComponentDescription: ${'x'.repeat(LITE_RECIPE_LIMIT_BYTES)}`,
    );
    await expect(prepare(padded)).rejects.toThrow(
      `Nucleus Lite refuses the recipe: "Insufficient memory for file ${recipe.ComponentName}-${recipe.ComponentVersion}.yaml."`,
    );
  });
});

it('quotes YAML 1.1 booleans', () => {
  expect(packaged('serial-runner').yaml).toContain('enable_threshold_limit: "no"');
});

const zips = KINDS.flatMap((kind) => (['amd64', 'aarch64'] as Architecture[]).map((arch) => [kind, arch] as const));

it.each(zips)('%s %s: the runtime, the bundle and native binaries of that architecture only', async (kind, arch) => {
  const heads = await zipFileHeads(packaged(kind).zipPath(arch));
  const binaries = heads.filter((file) => elfMachine(file.head) !== undefined);
  expect([...new Set(binaries.map((file) => nativePackage(file.path)))].sort()).toEqual(
    NATIVE_PACKAGES[kind](ARCHITECTURES[arch].nodeArch),
  );
  for (const file of binaries)
    expect([file.path, elfMachine(file.head)]).toEqual([file.path, ARCHITECTURES[arch].elfMachine]);
  expect(heads.map((file) => file.path)).toEqual(
    expect.arrayContaining(['app/main.js', 'app/main.js.map', 'node/LICENSE', LIFECYCLE_SCRIPT]),
  );
});

it('linux-service ships the client it spawns and its preload at their installed paths, with the packages they load', async () => {
  const paths = (await zipFileHeads(packaged('linux-service').zipPath('amd64'))).map((file) => file.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      'app/node_modules/edge-impulse-linux/build/cli/linux/linux.js',
      'app/node_modules/edge-impulse-linux/package.json', // read for its version
      'app/node_modules/edge-impulse-linux/node_modules/undici/package.json', // its own undici, nested as installed
      'app/node_modules/@ei-gg/linux-service/bootstrap/client-bootstrap.js',
      'app/node_modules/inquirer/lib/inquirer.js', // the instance the preload patches
      'app/node_modules/sharp/lib/index.js',
    ]),
  );
  expect(paths.filter((path) => path.includes('/dist-es/'))).toEqual([]); // Node's `require` condition, not esbuild's `module`
});

it('linux-runner carries its live preview page in its bundle (served from memory, nothing fetched from elsewhere)', async () => {
  for await (const entry of readZipEntries(packaged('linux-runner').zipPath('amd64'))) {
    if (entry.path !== 'app/main.js') continue;
    const chunks: Buffer[] = [];
    for await (const chunk of await entry.open()) chunks.push(chunk as Buffer);
    const main = Buffer.concat(chunks).toString('utf8');
    for (const part of ['<script src="/preview.js"></script>', 'set-camera-preview', 'threshold-override', '#overlay'])
      expect(main).toContain(part);
    expect(main).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
    return;
  }
  throw new Error('no app/main.js in the linux-runner artifact');
});

it('is reproducible: packaging again, in another time zone, writes the same bytes', async () => {
  // linux-service: bundle, native table and child modules all take part.
  const { spec, zipPath } = packaged('linux-service');
  const outputDir = mkdtempSync(join(tmpdir(), 'ei-gg-repackage-'));
  const timeZone = process.env.TZ;
  process.env.TZ = 'Pacific/Chatham';
  try {
    const again = await packageComponent({
      repositoryRoot: REPOSITORY_ROOT,
      componentName: spec.componentName,
      outputDir,
      architectures: ['amd64'],
    });
    expect(readFileSync(again.artifacts[0].path).equals(readFileSync(zipPath('amd64')))).toBe(true);
  } finally {
    if (timeZone === undefined) delete process.env.TZ;
    else process.env.TZ = timeZone;
    rmSync(outputDir, { recursive: true, force: true });
  }
});
