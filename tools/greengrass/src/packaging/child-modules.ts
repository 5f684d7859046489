import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { nodeBundleOptions, owningPackage, reachedNativeModules } from './bundle-component';
import type { ArtifactFile, NativeModule } from './native-modules';

export interface ChildModules {
  files: ArtifactFile[];
  nativeModules: NativeModule[];
}

const LICENCE_FILE = /^(licen[cs]e|copying|notice)/i;

/**
 * Scripts a component runs in a child Node.js process and finds with `require.resolve` from its bundle
 * (linux-service: the edge-impulse-linux client and its preload). They are shipped unbundled, at their
 * installed paths under app/node_modules/, pruned to the files esbuild finds they load, plus every package.json
 * between those files and their package roots (main, module type, the version files read through `__dirname`)
 * and each package's licence. Unbundled, they resolve modules, read `__dirname`-relative files and share
 * module instances (the preload patches the client's own inquirer) exactly as in development. Native packages
 * come from the table, as for bundles.
 */
export async function childModules(
  specifiers: readonly string[],
  packageDir: string,
  repositoryRoot: string,
): Promise<ChildModules> {
  const files = new Map<string, string>();
  const nativeModules = new Set<NativeModule>();
  for (const specifier of specifiers) {
    const entry = require.resolve(specifier, { paths: [packageDir] });
    // Node's resolution, not esbuild's defaults (the `module` condition and field): the files Node will load.
    const { metafile } = await build({
      ...nodeBundleOptions(entry, repositoryRoot),
      conditions: [],
      mainFields: ['main'],
      write: false,
      logLevel: 'error',
    });
    for (const module of reachedNativeModules(metafile, repositoryRoot)) {
      if (module.prepend !== undefined || module.nodeGypBuildBinary !== undefined) {
        throw new Error(
          `${specifier} reaches ${module.packageName}, whose binary is wired into bundles only: it cannot be a child module`,
        );
      }
      nativeModules.add(module);
    }
    for (const input of Object.keys(metafile.inputs)) {
      for (const source of withPackageFiles(join(repositoryRoot, input)))
        files.set(installedPath(source, repositoryRoot), source);
    }
  }
  return { files: [...files].map(([zipPath, source]) => ({ zipPath, source })), nativeModules: [...nativeModules] };
}

/** The file, the package.json files from its directory up to its package root, and the package's licence files. */
function withPackageFiles(file: string): string[] {
  const root = packageRoot(file);
  const found = [file];
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) found.push(join(dir, 'package.json'));
    if (dir === root) break;
  }
  const licences = readdirSync(root, { withFileTypes: true }).filter(
    (entry) => entry.isFile() && LICENCE_FILE.test(entry.name),
  );
  return [...found, ...licences.map((entry) => join(root, entry.name))];
}

/** Under node_modules, the package directory its path names; in the workspace, the nearest directory with a named package.json. */
function packageRoot(file: string): string {
  const owner = owningPackage(file);
  if (owner !== undefined) return owner.dir;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (packageName(dir) !== undefined) return dir;
  }
  throw new Error(`${file} belongs to no npm package`);
}

/** Where npm would install the file: node_modules paths keep their nesting; a workspace package sits under its name. */
function installedPath(file: string, repositoryRoot: string): string {
  const parts = relative(repositoryRoot, file).split(sep);
  const at = parts.indexOf('node_modules');
  if (at >= 0) return ['app', ...parts.slice(at)].join('/');
  const root = packageRoot(file);
  return ['app', 'node_modules', packageName(root), ...relative(root, file).split(sep)].join('/');
}

function packageName(dir: string): string | undefined {
  const manifest = join(dir, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name : undefined;
}
