import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../src/cli/run-cli';

/** linux-runner's stand-in .eim: its demo model, formerly a test fixture (either place works until the move lands). */
const DEMO_MODEL_PLACES = ['packages/linux-runner/demo/demo-model.js', 'packages/linux-runner/tests/fixtures/eim/fixture-model.js'];

export function demoModelScript(): string {
  const found = DEMO_MODEL_PLACES.map((place) => join(REPOSITORY_ROOT, place)).find((path) => existsSync(path));
  if (found === undefined) throw new Error(`linux-runner's demo model is at none of ${DEMO_MODEL_PLACES.join(', ')}: update tools/greengrass/tests/support/demo-model.ts`);
  return found;
}

/**
 * Writes `file`, the demo model as a device would have it: a real .eim is a native executable, this one a Node
 * script (`#!/usr/bin/env node`) and the device has no system node, so a wrapper runs it on the artifact's runtime.
 */
export function writeDemoModelExecutable(file: string, node: string): void {
  writeFileSync(file, `#!/bin/sh\nexec '${node}' '${demoModelScript()}' "$@"\n`);
  chmodSync(file, 0o755);
}
