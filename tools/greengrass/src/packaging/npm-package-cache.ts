import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar';

const run = promisify(execFile);

/**
 * npm packages fetched from the registry at build time (never on a device): Node.js runtimes and other
 * architectures' native packages. `npm pack` checks the registry's integrity hash; each version is downloaded
 * once and unpacked once into `cacheDir`, so only a clean clone's first packaging run touches the network.
 */
export class NpmPackageCache {
  constructor(
    readonly cacheDir: string,
    private readonly repositoryRoot: string,
  ) {}

  /** The unpacked `package/` directory of name@version, installed or from the cache. */
  async packageDir(name: string, version: string): Promise<string> {
    const installed = join(this.repositoryRoot, 'node_modules', name);
    if (installedVersion(installed) === version) return installed;
    const unpacked = join(this.cacheDir, `${name.replace('/', '+')}@${version}`);
    if (existsSync(join(unpacked, 'package.json'))) return unpacked;
    mkdirSync(this.cacheDir, { recursive: true });
    // Download and unpack beside the final place, then rename: an interrupted run leaves no half package.
    const staging = mkdtempSync(join(this.cacheDir, '.staging-'));
    try {
      const started = Date.now();
      const { stdout } = await run('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', staging], {
        cwd: staging,
        maxBuffer: 64 * 1024 * 1024,
      });
      const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
      await extract({
        file: join(staging, filename),
        cwd: staging,
        strip: 1,
        filter: (path) => path.startsWith('package/'),
      });
      rmSync(join(staging, filename));
      renameSync(staging, unpacked);
      process.stderr.write(
        `fetched ${name}@${version} from the npm registry in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return unpacked;
  }
}

function installedVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}
