import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DEMO_IMAGES, DEMO_MODEL, demoModelEnv } from './demo-model';

/** One line of the stdout transport: a message on a topic. */
export interface StdoutMessage {
  topic: string;
  payload: { total_inferences?: number; result?: { status?: unknown } };
}

export interface LinuxRunnerBin {
  /** Calls `onMessage` with every message the component publishes. */
  onMessage(onMessage: (message: StdoutMessage) => void): void;
  /** Stops the component and removes its scratch directory. */
  stop(): Promise<void>;
}

/**
 * The linux runner's bin on this Node (stdout transport, warnings only) with the demo model at `inferenceMs` over
 * its sample images, looping, in a scratch directory; `settings` add or override configuration keys.
 */
export function startLinuxRunnerBin(inferenceMs: number, settings: Record<string, string>): LinuxRunnerBin {
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-bench-runner-'));
  const all = {
    ei_local_model_file: DEMO_MODEL,
    input: `images-loop:${DEMO_IMAGES}`,
    metrics_sleeptime_ms: '0',
    lock_filename: join(scratch, 'lock'),
    ...settings,
  };
  const component: ChildProcessByStdio<null, Readable, null> = spawn(
    process.execPath,
    [
      require.resolve('@ei-gg/linux-runner/bin/ei-gg-linux-runner.js'),
      '--transport',
      'stdout',
      '--log-level',
      'warn',
      ...Object.entries(all).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ],
    { env: { ...process.env, ...demoModelEnv(inferenceMs) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: component.stdout });
  return {
    onMessage: (onMessage) => lines.on('line', (line) => onMessage(JSON.parse(line) as StdoutMessage)),
    stop: async () => {
      if (component.exitCode === null && component.signalCode === null) {
        component.kill('SIGTERM');
        await once(component, 'exit');
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
