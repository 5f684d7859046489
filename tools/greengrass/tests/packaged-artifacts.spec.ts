/**
 * What the `package` target wrote for the serial-runner: a valid recipe listing both architectures, and zips
 * carrying exactly their architecture's binaries, reproducible byte for byte.
 */
import { COMPONENTS, componentAccessControl, defaultRecipeParameters } from '@ei-gg/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { ARCHITECTURES, type Architecture } from '../src/packaging/architectures';
import { packageComponent } from '../src/packaging/package-component';
import { recipeProblems } from '../src/recipe/validate-recipe';
import { packagedComponent } from './packaged-tree';
import { elfMachine, zipFileHeads } from './zip-contents';

jest.setTimeout(90_000);

const SERIAL = COMPONENTS['serial-runner'];
const packaged = packagedComponent(SERIAL.componentName, '0.1.0');
const zipOf = (arch: Architecture) => packaged.artifactPath(`${SERIAL.bin}-${arch}.zip`);

it('writes a valid recipe: schema defaults, least-privilege access control, one manifest per architecture', () => {
  expect(recipeProblems(packaged.recipe, packaged.yaml)).toEqual([]);
  expect(packaged.recipe.ComponentConfiguration.DefaultConfiguration).toEqual({
    Parameters: defaultRecipeParameters('serial-runner'),
    accessControl: componentAccessControl('serial-runner'),
  });
  expect(packaged.recipe.Manifests.map((m) => m.Platform)).toEqual([
    { os: 'linux', architecture: 'amd64', runtime: '*' },
    { os: 'linux', architecture: 'aarch64', runtime: '*' },
  ]);
  expect(Object.keys(packaged.recipe.ComponentDependencies)).toEqual(['aws.greengrass.TokenExchangeService']);
  // YAML 1.1 readers (the classic nucleus) must see strings, not booleans or dates.
  expect(packaged.yaml).toContain('enable_threshold_limit: "no"');
  expect(packaged.yaml).toContain('RecipeFormatVersion: "2020-01-25"');
});

it.each(Object.entries({ amd64: 62, aarch64: 183 }) as [Architecture, number][])(
  'the %s zip holds the runtime, the bundle and native binaries of that architecture only',
  async (arch, machine) => {
    const heads = await zipFileHeads(zipOf(arch));
    const binaries = heads.filter((file) => elfMachine(file.head) !== undefined);
    expect(binaries.map((file) => file.path).sort()).toEqual(['app/native/aws-crt-nodejs.node', 'app/native/serialport-bindings-cpp.node', 'node/bin/node']);
    for (const file of binaries) expect([file.path, elfMachine(file.head)]).toEqual([file.path, machine]);
    expect(heads.map((file) => file.path)).toEqual(expect.arrayContaining(['app/main.js', 'app/main.js.map', 'node/LICENSE']));
    expect(ARCHITECTURES[arch].elfMachine).toBe(machine);
  },
);

it('is reproducible: packaging again, in another time zone, writes the same bytes', async () => {
  const outputDir = mkdtempSync(join(tmpdir(), 'ei-gg-repackage-'));
  const timeZone = process.env.TZ;
  process.env.TZ = 'Pacific/Chatham';
  try {
    const again = await packageComponent({ repositoryRoot: REPOSITORY_ROOT, componentName: SERIAL.componentName, outputDir, architectures: ['amd64'] });
    expect(readFileSync(again.artifacts[0].path).equals(readFileSync(zipOf('amd64')))).toBe(true);
  } finally {
    if (timeZone === undefined) delete process.env.TZ;
    else process.env.TZ = timeZone;
    rmSync(outputDir, { recursive: true, force: true });
  }
});
