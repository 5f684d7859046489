import { format } from 'node:util';
import { runComponent } from '@ei-gg/core';
import { linuxRunnerComponent } from './linux-runner-component';

// stdout belongs to the stdout transport (one JSON line per message): edge-impulse-linux's console output
// goes to stderr with the logs.
console.log = console.info = (...args: unknown[]) => process.stderr.write(format(...args) + '\n');

/**
 * `ei-gg-linux-runner`. When the input ends (a directory or video done, a camera gone) the component stops the same
 * way as on SIGTERM, and exits non-zero if the input failed rather than ended.
 */
void runComponent(linuxRunnerComponent()).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
