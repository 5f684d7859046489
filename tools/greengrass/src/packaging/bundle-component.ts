import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { NATIVE_MODULES, nativeModuleFor, type NativeModule } from './native-modules';

export interface ComponentBundle {
  /** app/main.js, app/main.js.map, app/main.js.LEGAL.txt, in memory. */
  files: Map<string, Uint8Array>;
  /** The native modules the bundled code reaches. */
  nativeModules: NativeModule[];
}

/**
 * Bundles a component's compiled entry (`dist/main.js`) and everything it requires into one file. Native
 * modules stay out of the JavaScript: their binaries are wired by `prepend` / `nodeGypBuildBinary`, or the
 * module is external. Another package with native code (a binding.gyp) is an error, never a silent omission.
 */
export async function bundleComponent(entry: string, repositoryRoot: string): Promise<ComponentBundle> {
  const result = await build({
    ...nodeBundleOptions(entry, repositoryRoot),
    outfile: 'app/main.js',
    minify: true,
    keepNames: true, // error and class names appear in the component's logs
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'external',
    write: false,
    logLevel: 'error',
  });
  const files = new Map(
    result.outputFiles.map((file) => [relative(repositoryRoot, file.path).split(sep).join('/'), file.contents]),
  );
  return { files, nativeModules: reachedNativeModules(result.metafile, repositoryRoot) };
}

/** What every esbuild run over component code shares: Node 22, CommonJS, native modules handled by the table. */
export function nodeBundleOptions(entry: string, repositoryRoot: string) {
  return {
    absWorkingDir: repositoryRoot,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: NATIVE_MODULES.filter((module) => module.external).map((module) => module.packageName),
    plugins: [nativeModulesPlugin()],
    metafile: true,
  } satisfies BuildOptions;
}

function nativeModulesPlugin(): Plugin {
  return {
    name: 'ei-gg-native-modules',
    setup(plugin) {
      plugin.onResolve({ filter: /^node-gyp-build$/ }, (args) => {
        const owner = owningPackage(args.importer);
        const binary = owner === undefined ? undefined : nativeModuleFor(owner.name)?.nodeGypBuildBinary;
        if (binary === undefined) {
          return {
            errors: [
              {
                text: `${owner?.name ?? args.importer} loads a native addon through node-gyp-build: describe it in tools/greengrass/src/packaging/native-modules.ts`,
              },
            ],
          };
        }
        return { path: binary, namespace: 'node-gyp-build' };
      });
      plugin.onLoad({ filter: /.*/, namespace: 'node-gyp-build' }, (args) => ({
        // __dirname is the bundle's directory (app/) at run time.
        contents: `module.exports = () => require(require('path').join(__dirname, ${JSON.stringify(args.path)}));`,
        loader: 'js',
      }));
      for (const module of NATIVE_MODULES) {
        const prepend = module.prepend;
        if (prepend === undefined) continue;
        const suffix = `node_modules/${module.packageName}/${prepend.file}`.split('/').join(sep);
        plugin.onLoad({ filter: new RegExp(`${escapeRegExp(suffix)}$`) }, (args) => ({
          contents: prepend.code + readFileSync(args.path, 'utf8'),
          loader: 'js',
        }));
      }
    },
  };
}

/** Native modules whose code is in the bundle, or which the bundle requires as externals. */
export function reachedNativeModules(metafile: Metafile, repositoryRoot: string): NativeModule[] {
  const packages = new Map<string, string>();
  for (const [input, details] of Object.entries(metafile.inputs)) {
    const owner = owningPackage(join(repositoryRoot, input));
    if (owner !== undefined) packages.set(owner.name, owner.dir);
    for (const imported of details.imports)
      if (imported.external && nativeModuleFor(imported.path)) packages.set(imported.path, '');
  }
  for (const [name, dir] of packages) {
    if (nativeModuleFor(name) === undefined && dir !== '' && hasNativeCode(dir)) {
      throw new Error(
        `the bundle reaches ${name}, which has native code: describe it in tools/greengrass/src/packaging/native-modules.ts`,
      );
    }
  }
  return NATIVE_MODULES.filter((module) => packages.has(module.packageName));
}

function hasNativeCode(packageDir: string): boolean {
  if (existsSync(join(packageDir, 'binding.gyp'))) return true;
  return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { gypfile?: boolean }).gypfile === true;
}

/** The npm package (name and directory) a file under node_modules belongs to. */
export function owningPackage(file: string): { name: string; dir: string } | undefined {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const scoped = parts[at + 1].startsWith('@');
  const nameParts = parts.slice(at + 1, at + (scoped ? 3 : 2));
  return { name: nameParts.join('/'), dir: parts.slice(0, at + 1 + nameParts.length).join(sep) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
