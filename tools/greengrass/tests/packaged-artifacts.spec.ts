/**
 * What the `package` targets wrote for the three components: valid recipes listing both architectures, and
 * zips carrying exactly their architecture's binaries, reproducible byte for byte.
 */
import { COMPONENTS, componentAccessControl, defaultRecipeParameters, type ComponentKind } from '@ei-gg/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { ARCHITECTURES, type Architecture } from '../src/packaging/architectures';
import { packageComponent } from '../src/packaging/package-component';
import { RECOVER_TIMEOUT_SECONDS } from '../src/recipe/build-recipe';
import { recipeProblems } from '../src/recipe/validate-recipe';
import { packagedComponent } from './support/packaged-tree';
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
  '%s: a valid recipe with schema defaults, least-privilege access control, one manifest per architecture',
  (kind) => {
    const { recipe, yaml, spec } = packaged(kind);
    expect(recipeProblems(recipe, yaml)).toEqual([]);
    expect(recipe.ComponentConfiguration.DefaultConfiguration).toEqual({
      Parameters: defaultRecipeParameters(kind),
      accessControl: componentAccessControl(kind),
    });
    expect(recipe.Manifests.map((m) => m.Platform)).toEqual([
      { os: 'linux', architecture: 'amd64', runtime: '*' },
      { os: 'linux', architecture: 'aarch64', runtime: '*' },
    ]);
    expect(Object.keys(recipe.ComponentDependencies)).toEqual(Object.keys(spec.dependencies));
    // Recover (on ERRORED, before the restart) is the component itself with --recover, as the component user.
    for (const { Lifecycle } of recipe.Manifests)
      expect(Lifecycle.Recover).toEqual({
        Timeout: RECOVER_TIMEOUT_SECONDS,
        Script: `${Lifecycle.Run.Script} --recover`,
      });
    // YAML 1.1 readers (the classic nucleus) must see strings, not dates.
    expect(yaml).toContain('RecipeFormatVersion: "2020-01-25"');
  },
);

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
    expect.arrayContaining(['app/main.js', 'app/main.js.map', 'node/LICENSE']),
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
