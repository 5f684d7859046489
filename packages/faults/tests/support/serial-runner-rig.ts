import { ComponentProcess, type Payload } from '@ei-gg/testbench';
import { builtBin } from './built-bin';

/**
 * Result blocks for the MCU emulator to print in turn, block i scoring `idle` (i + 1) / `scale` (and `snake` the
 * rest): a result's score says which block it was, so the order of results tells exactly what a fault cost.
 */
export class NumberedBlocks {
  readonly texts: string[];

  constructor(
    readonly count: number,
    private readonly scale = 10,
  ) {
    this.texts = Array.from({ length: count }, (_, i) => {
      const idle = (i + 1) / scale;
      return `Predictions (DSP: 1 ms., Classification: 1 ms., Anomaly: 0 ms.):\n    idle: ${idle}\n    snake: ${1 - idle}\n`;
    });
  }

  /** Which block a published result came from; throws for a result that matches none. */
  positionOf(p: Payload): number {
    const position = Math.round((p.c?.idle ?? NaN) * this.scale) - 1;
    if (!(position >= 0 && position < this.count)) throw new Error(`a result from no block: ${JSON.stringify(p)}`);
    return position;
  }
}

export interface SerialRunnerOptions {
  /** The emulated board's pty. */
  devicePath: string;
  /** `--transport stdout` unless given (e.g. `['--transport', 'mqtt', '--mqtt-url', url]`). */
  transport?: string[];
  /** Keys to add or override. */
  settings?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

/** The built serial-runner on the board's pty with short back-off and no metrics; its lock beside the pty. */
export function startSerialRunner(options: SerialRunnerOptions): ComponentProcess {
  const args = [...(options.transport ?? ['--transport', 'stdout'])];
  const settings = {
    serial_port: options.devicePath,
    device_name: 'faults',
    iotcore_backoff: '1',
    metrics_sleeptime_ms: '0',
    sleep_time_sec: '1',
    lock_filename: `${options.devicePath}.lock`,
    ...options.settings,
  };
  for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${value}`);
  return ComponentProcess.node(builtBin('serial-runner'), args, { env: options.env });
}
