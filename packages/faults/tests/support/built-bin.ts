import { existsSync } from 'node:fs';
import * as path from 'node:path';

const BINS = {
  'linux-runner': 'ei-gg-linux-runner.js',
  'serial-runner': 'ei-gg-serial-runner.js',
} as const;

export type BuiltComponent = keyof typeof BINS;

/**
 * The component's bin as Greengrass runs it (it requires the compiled `dist/main.js`). A missing build is an
 * error naming the command that makes it, never a test that runs something else.
 */
export function builtBin(component: BuiltComponent): string {
  const root = path.resolve(__dirname, '../../..', component);
  const main = path.join(root, 'dist/main.js');
  if (!existsSync(main))
    throw new Error(
      `${main} not found: build first (NX_DAEMON=false npx nx run-many -t build), the faults run the built components`,
    );
  return path.join(root, 'bin', BINS[component]);
}
