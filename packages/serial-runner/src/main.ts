import { runComponent } from '@ei-gg/core';
import { serialRunnerComponent } from './serial-runner-component';

/** `ei-gg-serial-runner`: exits with the component's code once it has stopped and its output is flushed. */
void runComponent(serialRunnerComponent()).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
