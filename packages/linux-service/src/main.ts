import { runComponent } from '@ei-gg/core';
import { linuxServiceComponent } from './linux-service-component';

/** `ei-gg-linux-service`: exits with the component's code once it has stopped and its output is flushed. */
void runComponent(linuxServiceComponent()).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
