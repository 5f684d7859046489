import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
/** Under the root node_modules, so the bundle's require() of native packages (aws-crt, sharp, koffi) resolves. */
const OUT_DIR = path.join(ROOT, 'node_modules/.cache/ei-gg-linux-runner-tests');

let bundle: string | undefined;

/**
 * The component's main, bundled from the sources (core included, through the tsconfig paths) with esbuild:
 * end-to-end tests run what the working tree says, as jest does for core, without a prior `nx build`.
 * Each jest worker writes its own file, atomically.
 */
export function runnerBundle(): string {
  if (bundle) return bundle;
  mkdirSync(OUT_DIR, { recursive: true });
  const target = path.join(OUT_DIR, 'main.js');
  const temp = path.join(OUT_DIR, `main.${process.pid}.tmp.js`);
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [
      path.join(ROOT, 'packages/linux-runner/src/main.ts'),
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--packages=external',
      `--tsconfig=${path.join(ROOT, 'tsconfig.base.json')}`,
      `--outfile=${temp}`,
      '--log-level=warning',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(temp, target);
  bundle = target;
  return bundle;
}
