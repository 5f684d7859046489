import { chmodSync, writeFileSync } from 'node:fs';
import { demoModelScript } from '@ei-gg/testbench';

/**
 * Writes `file`, the demo model as a device would have it: a real .eim is a native executable, this one a Node
 * script (`#!/usr/bin/env node`) and the device has no system node, so a wrapper runs it on the artifact's runtime.
 */
export function writeDemoModelExecutable(file: string, node: string): void {
  writeFileSync(file, `#!/bin/sh\nexec '${node}' '${demoModelScript()}' "$@"\n`);
  chmodSync(file, 0o755);
}
