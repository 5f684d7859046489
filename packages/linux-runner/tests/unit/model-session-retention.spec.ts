import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LinuxImpulseRunner } from 'edge-impulse-linux';
import type { DemoModelSpec } from '@ei-gg/testbench';
import type { ModelSession } from '../../src/model/model-session';
import { openDemoSession } from '../support/demo-model-session';

// What a long-running model session keeps per request. A full GC, not time: a WeakRef target that is still
// reachable from the session after gc() is retained, whatever the timing.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** 64x64 packed RGB pixels, what the object-detection demo model takes: a red square on black. */
const FEATURES = Array.from({ length: 64 * 64 }, (_, i) => (i % 64 < 16 && i < 16 * 64 ? 0xff0000 : 0));

let session: ModelSession | undefined;
let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-model-session-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openSession(spec: DemoModelSpec): Promise<{ session: ModelSession; runner: LinuxImpulseRunner }> {
  const opened = await openDemoSession(dir, spec);
  session = opened.session;
  return opened;
}

afterEach(async () => {
  jest.useRealTimers();
  await session?.stop();
  session = undefined;
});

it('keeps nothing of past answers while the model runs (no per-request wait left on the model exit)', async () => {
  const { session } = await openSession({ preset: 'object-detection' });
  const answers: WeakRef<object>[] = [];
  for (let i = 0; i < 50; i++) answers.push(new WeakRef(await session.classify(FEATURES)));
  expect(session.running).toBe(true);
  // WeakRef targets stay alive until the end of the job that made them.
  await new Promise(setImmediate);
  gc();
  expect(answers.filter((answer) => answer.deref() !== undefined)).toHaveLength(0);
});

it("empties the runner's copy of the features once answered, and leaves the caller's array alone", async () => {
  const { session, runner } = await openSession({ preset: 'object-detection' });
  const passed: number[][] = [];
  const classify = runner.classify.bind(runner);
  runner.classify = (data: number[], timeout?: number) => {
    passed.push(data);
    return classify(data, timeout);
  };
  const features = [...FEATURES];
  const response = await session.classify(features);
  expect(response.result.bounding_boxes?.[0]).toMatchObject({ label: 'red' });
  expect(passed).toHaveLength(1);
  expect(passed[0]).not.toBe(features);
  expect(passed[0]).toHaveLength(0);
  expect(features).toEqual(FEATURES);
});

it('a model that exits while classifying still fails the request with MODEL_EXITED', async () => {
  const { session } = await openSession({ preset: 'object-detection', crashAfter: 1 });
  await session.classify(FEATURES);
  await expect(session.classify(FEATURES)).rejects.toMatchObject({
    code: 'MODEL_EXITED',
    message: expect.stringContaining('code 1'),
  });
  expect(session.running).toBe(false);
});
