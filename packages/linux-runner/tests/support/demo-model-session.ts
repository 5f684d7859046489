import { chmodSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@ei-gg/core';
import { LinuxImpulseRunner } from 'edge-impulse-linux';
import { DEMO_MODEL, DEMO_MODEL_ENV, demoModelEnv, type DemoModelSpec } from '@ei-gg/testbench';
import { ModelSession } from '../../src/model/model-session';

/** The demo model as this spec makes it: a model file of its own in `dir` (a test's process.env does not reach children). */
export function demoModelFile(dir: string, spec: DemoModelSpec): string {
  const file = path.join(dir, `model-${Object.values(spec).join('-')}.sh`);
  const env = demoModelEnv(spec)[DEMO_MODEL_ENV].replace(/'/g, `'\\''`);
  writeFileSync(
    file,
    `#!/bin/sh\nexport ${DEMO_MODEL_ENV}='${env}'\nexec "${process.execPath}" "${DEMO_MODEL}" "$@"\n`,
  );
  chmodSync(file, 0o755);
  return file;
}

/**
 * A ModelSession on the demo model with a real LinuxImpulseRunner. edge-impulse-linux starts timers it never
 * clears (60 s per request): the caller runs with fake ones at the real pace (see useRunnerTimers), all dropped
 * after the test so that none keeps jest waiting; the model's process and socket stay real.
 */
export async function openDemoSession(
  dir: string,
  spec: DemoModelSpec,
): Promise<{ session: ModelSession; runner: LinuxImpulseRunner }> {
  jest.useFakeTimers({ advanceTimers: true, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const file = demoModelFile(dir, spec);
  const runner = new LinuxImpulseRunner(file);
  const session = await ModelSession.open(file, runner, new Logger({ level: 'silent' }));
  return { session, runner };
}
