import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHITECTURES, type Architecture } from './architectures';

/** One file of the artifact: `zipPath` inside the zip, read from `source` on this machine. */
export interface ArtifactFile {
  zipPath: string;
  source: string;
  executable?: boolean;
}

export interface NativeModuleContext {
  arch: Architecture;
  /** Directory of an installed npm package (resolved from the repository root). */
  installedDir: (packageName: string) => string;
  /** Directory of a package version unpacked from the npm registry (cached): another architecture's binaries. */
  fetchedDir(packageName: string, version: string): Promise<string>;
}

/**
 * A dependency with native code, and how its artifact carries exactly one architecture's binary. The bundle's
 * JavaScript sits in `app/`; binaries go to `app/native/` (loaded through a hook the module offers) or, for
 * modules that find their binary relative to their own JavaScript, a pruned copy goes to `app/node_modules/`.
 */
export interface NativeModule {
  /** The npm package whose presence in the bundle means its binary is needed. */
  packageName: string;
  /** Architectures it has a glibc Linux prebuild for. */
  architectures: readonly Architecture[];
  /** Kept out of the bundle; `files` ships the package itself. */
  external?: boolean;
  /** Code prepended to one of its files as it is bundled, pointing the module at its binary. */
  prepend?: { file: string; code: string };
  /** The `app/`-relative binary its `node-gyp-build` call loads (the call is replaced by a plain require). */
  nodeGypBuildBinary?: string;
  files(context: NativeModuleContext): Promise<ArtifactFile[]>;
}

const AWS_CRT_BINARY = 'native/aws-crt-nodejs.node';
const SERIALPORT_BINARY = 'native/serialport-bindings-cpp.node';

/** Node's arch name as the prebuild directories spell it. */
const nodeArch = (arch: Architecture): string => ARCHITECTURES[arch].nodeArch;

export const NATIVE_MODULES: readonly NativeModule[] = [
  {
    // One package holds every platform's addon; it honours this variable (resolved from the bundle's directory).
    packageName: 'aws-crt',
    architectures: ['amd64', 'aarch64'],
    prepend: {
      file: 'dist/native/binding.js',
      code: `process.env.AWS_CRT_NODEJS_BINARY_RELATIVE_PATH ??= ${JSON.stringify(AWS_CRT_BINARY)};\n`,
    },
    files: async ({ arch, installedDir }) => [
      {
        zipPath: `app/${AWS_CRT_BINARY}`,
        source: join(installedDir('aws-crt'), 'dist', 'bin', `linux-${nodeArch(arch)}-glibc`, 'aws-crt-nodejs.node'),
      },
    ],
  },
  {
    packageName: '@serialport/bindings-cpp',
    architectures: ['amd64', 'aarch64', 'arm'],
    nodeGypBuildBinary: SERIALPORT_BINARY,
    files: async ({ arch, installedDir }) => {
      const tag = { amd64: '', aarch64: '.armv8', arm: '.armv7' }[arch];
      const prebuild = join(
        installedDir('@serialport/bindings-cpp'),
        'prebuilds',
        `linux-${nodeArch(arch)}`,
        `@serialport+bindings-cpp${tag}.glibc.node`,
      );
      return [{ zipPath: `app/${SERIALPORT_BINARY}`, source: prebuild }];
    },
  },
  {
    // sharp's JavaScript is bundled; it requires `@img/sharp-<platform>/sharp.node` by name at run time, which
    // finds app/node_modules, and that addon finds libvips through its rpath ($ORIGIN/../../sharp-libvips-*).
    packageName: 'sharp',
    architectures: ['amd64', 'aarch64', 'arm'],
    files: async (context) => {
      const sharp = JSON.parse(readFileSync(join(context.installedDir('sharp'), 'package.json'), 'utf8')) as {
        optionalDependencies: Record<string, string>;
      };
      const platform = `linux-${nodeArch(context.arch)}`;
      const packages = [`@img/sharp-${platform}`, `@img/sharp-libvips-${platform}`];
      const listed = await Promise.all(
        packages.map(async (name) => {
          const version = sharp.optionalDependencies[name];
          if (version === undefined) throw new Error(`sharp lists no ${name}`);
          return packageFiles(await context.fetchedDir(name, version), `app/node_modules/${name}`);
        }),
      );
      return listed.flat();
    },
  },
  {
    // One package holds every platform (77 MB); its index.js loads build/koffi/<triplet>/koffi.node relatively.
    packageName: 'koffi',
    architectures: ['amd64', 'aarch64', 'arm'],
    external: true,
    files: async ({ arch, installedDir }) => {
      const dir = installedDir('koffi');
      const triplet = { amd64: 'linux_x64', aarch64: 'linux_arm64', arm: 'linux_armhf' }[arch];
      return ['package.json', 'index.js', 'indirect.js', 'LICENSE.txt', `build/koffi/${triplet}/koffi.node`].map(
        (file) => ({
          zipPath: `app/node_modules/koffi/${file}`,
          source: join(dir, file),
        }),
      );
    },
  },
];

/** Every file of an unpacked package, under `zipDir` (sorted later, with the rest of the artifact). */
function packageFiles(dir: string, zipDir: string): ArtifactFile[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const source = join(entry.parentPath, entry.name);
      return { zipPath: `${zipDir}/${source.slice(dir.length + 1)}`, source };
    });
}

export function nativeModuleFor(packageName: string): NativeModule | undefined {
  return NATIVE_MODULES.find((module) => module.packageName === packageName);
}
