import { format } from 'node:util';
import { runComponent, EXIT_FAILURE } from '@ei-gg/core';
import { linuxRunnerComponent } from './linux-runner-component';

// stdout belongs to the stdout transport (one JSON line per message): edge-impulse-linux's console output
// goes to stderr with the logs.
console.log = console.info = (...args: unknown[]) => process.stderr.write(format(...args) + '\n');

let inputFailed = false;

/**
 * `ei-gg-linux-runner`. When the input ends (a directory or video done, a camera gone) the component stops
 * the same way as on SIGTERM, and exits non-zero if the input failed rather than ended.
 */
const component = linuxRunnerComponent({
  onInputEnded: (failure) => {
    inputFailed = failure !== undefined;
    process.kill(process.pid, 'SIGTERM');
  },
});

void runComponent(component).then((code) => {
  process.stdout.write('', () => process.exit(inputFailed ? EXIT_FAILURE : code));
});
