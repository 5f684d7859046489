import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../src/cli/run-cli';

/** linux-runner's stand-in .eim, its demo model. */
const DEMO_MODEL = join(REPOSITORY_ROOT, 'packages/linux-runner/demo/demo-model.js');

export function demoModelScript(): string {
  if (!existsSync(DEMO_MODEL))
    throw new Error(
      `linux-runner's demo model is not at ${DEMO_MODEL}: update tools/greengrass/tests/support/demo-model.ts`,
    );
  return DEMO_MODEL;
}

/**
 * Writes `file`, the demo model as a device would have it: a real .eim is a native executable, this one a Node
 * script (`#!/usr/bin/env node`) and the device has no system node, so a wrapper runs it on the artifact's runtime.
 */
export function writeDemoModelExecutable(file: string, node: string): void {
  writeFileSync(file, `#!/bin/sh\nexec '${node}' '${demoModelScript()}' "$@"\n`);
  chmodSync(file, 0o755);
}
