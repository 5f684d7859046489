import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { artifactFileName, buildRecipe, LIFECYCLE_SCRIPT, type BuiltArtifact } from '../recipe/build-recipe';
import { recipeToYaml } from '../recipe/recipe-yaml';
import { recipeProblems } from '../recipe/validate-recipe';
import type { Architecture } from './architectures';
import { bundleComponent } from './bundle-component';
import { childModules } from './child-modules';
import { loadComponentSpec, type ComponentSpec } from './component-spec';
import { NATIVE_MODULES, type ArtifactFile, type NativeModule } from './native-modules';
import { nodeRuntimeFiles } from './node-runtime';
import { NpmPackageCache } from './npm-package-cache';
import { writeReproducibleZip, type ZipEntry } from './reproducible-zip';

export interface PackageOptions {
  repositoryRoot: string;
  componentName: string;
  /** The greengrass-cli / GDK tree (default <root>/dist/greengrass). */
  outputDir?: string;
  /** Fetched npm packages (default <root>/node_modules/.cache/ei-gg-packaging). */
  cacheDir?: string;
  /** A subset of the component's architectures (default: all it lists). */
  architectures?: Architecture[];
}

export interface PackagedArtifact extends BuiltArtifact {
  path: string;
  bytes: number;
}

export interface PackageResult {
  spec: ComponentSpec;
  recipePath: string;
  artifacts: PackagedArtifact[];
}

export const defaultOutputDir = (root: string): string => join(root, 'dist', 'greengrass');

/**
 * Writes recipes/<Name>-<version>.yaml and artifacts/<Name>/<version>/<bin>-<arch>.zip for one component; the zip
 * holds node/ (the runtime), app/ (the bundle, native binaries, child modules) and lifecycle.sh.
 */
export async function packageComponent(options: PackageOptions): Promise<PackageResult> {
  const { repositoryRoot: root, componentName } = options;
  const outputDir = options.outputDir ?? defaultOutputDir(root);
  const spec = loadComponentSpec(root, componentName);
  const entry = join(spec.packageDir, 'dist', 'main.js');
  if (!existsSync(entry))
    throw new Error(`${componentName}: ${entry} does not exist (build ${spec.packageName} first)`);

  const architectures = options.architectures ?? spec.architectures;
  const bundle = await bundleComponent(entry, root);
  const children = await childModules(spec.childModules, spec.packageDir, root);
  const nativeModules = NATIVE_MODULES.filter(
    (module) => bundle.nativeModules.includes(module) || children.nativeModules.includes(module),
  );
  for (const arch of architectures) {
    const missing = nativeModules.filter((module) => !module.architectures.includes(arch));
    if (missing.length > 0) {
      throw new Error(
        `${componentName}: ${missing.map((m) => m.packageName).join(', ')} has no ${arch} build; remove ${arch} from components/${componentName}/component.json`,
      );
    }
  }

  const cache = new NpmPackageCache(options.cacheDir ?? join(root, 'node_modules', '.cache', 'ei-gg-packaging'), root);
  const artifactDir = join(outputDir, 'artifacts', componentName, spec.version);
  rmSync(join(outputDir, 'artifacts', componentName), { recursive: true, force: true });
  mkdirSync(artifactDir, { recursive: true });
  const commonEntries: ZipEntry[] = [
    // the same in every architecture's zip
    ...[...bundle.files].map(([path, content]) => ({ path, content })),
    ...children.files.map(toZipEntry),
    // Every lifecycle step runs it (`sh <zip root>/lifecycle.sh <step>`), so the recipes stay small.
    { path: LIFECYCLE_SCRIPT, content: readFileSync(join(root, 'components', LIFECYCLE_SCRIPT)) },
  ];

  const artifacts: PackagedArtifact[] = [];
  for (const arch of architectures) {
    const files = [...(await nodeRuntimeFiles(cache, arch)), ...(await nativeFiles(nativeModules, arch, cache, root))];
    const fileName = artifactFileName(spec, arch);
    const path = join(artifactDir, fileName);
    await writeReproducibleZip(path, [...commonEntries, ...files.map(toZipEntry)]);
    artifacts.push({ arch, fileName, path, digest: await sha256Base64(path), bytes: statSync(path).size });
  }

  const recipe = buildRecipe(spec, artifacts);
  const yaml = recipeToYaml(recipe);
  const problems = recipeProblems(recipe, yaml);
  if (problems.length > 0) throw new Error(`${componentName}: invalid recipe:\n${problems.join('\n')}`);
  const recipesDir = join(outputDir, 'recipes');
  mkdirSync(recipesDir, { recursive: true });
  for (const old of readdirSync(recipesDir).filter((file) => file.startsWith(`${componentName}-`)))
    rmSync(join(recipesDir, old));
  const recipePath = join(recipesDir, `${componentName}-${spec.version}.yaml`);
  writeFileSync(recipePath, yaml);
  return { spec, recipePath, artifacts };
}

async function nativeFiles(
  modules: readonly NativeModule[],
  arch: Architecture,
  cache: NpmPackageCache,
  root: string,
): Promise<ArtifactFile[]> {
  const context = {
    arch,
    installedDir: (name: string) => join(root, 'node_modules', name),
    fetchedDir: (name: string, version: string) => cache.packageDir(name, version),
  };
  const files = (await Promise.all(modules.map((module) => module.files(context)))).flat();
  for (const file of files)
    if (!existsSync(file.source)) throw new Error(`native file for ${arch} missing: ${file.source}`);
  return files;
}

function toZipEntry(file: ArtifactFile): ZipEntry {
  return { path: file.zipPath, content: { file: file.source }, executable: file.executable };
}

async function sha256Base64(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('base64');
}
