import { ComponentProcess, type ComponentProcessOptions } from '@ei-gg/testbench';
import { bundleFromSources } from '../../../../tools/demo/bundle-from-sources';

let bundle: string | undefined;

/** The component's main bundled from the sources (see bundleFromSources), once per jest worker. */
export function runnerBundle(): string {
  bundle ??= bundleFromSources('linux-runner');
  return bundle;
}

/** `ei-gg-linux-runner` (the bundle) as a child process, as Greengrass runs it. */
export function runnerProcess(args: string[], options: ComponentProcessOptions = {}): ComponentProcess {
  return ComponentProcess.node(runnerBundle(), args, options);
}
