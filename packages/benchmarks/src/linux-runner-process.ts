import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mosquitto } from '@ei-gg/testbench';
import { componentProcess, type ComponentFigures, type ProcessOptions } from './component-process';
import { DEMO_IMAGES, DEMO_MODEL, demoModelEnv } from './demo-model';

/**
 * The linux runner with a local model (the demo model, 20 ms per inference) over the sample images, looping,
 * as Greengrass runs it. Its resident memory is the component process's; the model is a process of its own
 * (a real .eim is a native binary whose size depends on the model).
 */
export async function linuxRunnerProcess(mosquitto: Mosquitto, options: ProcessOptions): Promise<ComponentFigures> {
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-bench-lr-'));
  try {
    return await componentProcess(
      mosquitto,
      {
        kind: 'linux-runner',
        bin: require.resolve('@ei-gg/linux-runner/bin/ei-gg-linux-runner.js'),
        parameters: {
          ei_local_model_file: DEMO_MODEL,
          input: `images-loop:${DEMO_IMAGES}`,
          iotcore_backoff: 1,
          metrics_sleeptime_ms: 0,
          lock_filename: join(scratch, 'lock'),
        },
        env: demoModelEnv(20),
      },
      options,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
