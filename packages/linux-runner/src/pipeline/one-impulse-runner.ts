import { LinuxImpulseRunner } from 'edge-impulse-linux';
import type { ShmBehavior } from '../eiparams/flag-requests';

/** How the runner talks to the model (`--verbose`, `--shm-behavior`); fixed when a LinuxImpulseRunner is made. */
export interface ImpulseRunnerOptions {
  verbose: boolean;
  shmBehavior: ShmBehavior;
}

/**
 * The component's LinuxImpulseRunner for each set of options, made on first use and kept across pipeline
 * restarts: each instance adds a process 'exit' listener that is never removed, so making one per restart would
 * leak them (there are at most six sets of options).
 */
export function oneImpulseRunner(): (modelFile: string, options: ImpulseRunnerOptions) => LinuxImpulseRunner {
  const runners = new Map<string, LinuxImpulseRunner>();
  return (modelFile, options) => {
    const key = `${options.verbose}/${options.shmBehavior}`;
    let runner = runners.get(key);
    if (!runner) runners.set(key, (runner = new LinuxImpulseRunner(modelFile, options)));
    return runner;
  };
}
