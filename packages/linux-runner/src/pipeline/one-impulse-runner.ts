import { LinuxImpulseRunner } from 'edge-impulse-linux';

/**
 * The one LinuxImpulseRunner of a component's life, made on first use and kept across pipeline restarts: each
 * instance adds a process 'exit' listener that is never removed, so making one per restart would leak them.
 */
export function oneImpulseRunner(): (modelFile: string) => LinuxImpulseRunner {
  let runner: LinuxImpulseRunner | undefined;
  return (modelFile) => (runner ??= new LinuxImpulseRunner(modelFile));
}
