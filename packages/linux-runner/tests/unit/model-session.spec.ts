/**
 * ModelSession's learn block thresholds and its one-request-at-a-time queue, on the demo model through the real
 * LinuxImpulseRunner: the object-detection preset has learn block 5 with min_score 0.5 and drops boxes below it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LinuxImpulseRunner } from 'edge-impulse-linux';
import type { DemoModelSpec } from '@ei-gg/testbench';
import type { ClassifyResponse, ModelSession } from '../../src/model/model-session';
import { openDemoSession } from '../support/demo-model-session';

const SIZE = 64;
/** A solid red 16x16 square (box score 0.99) and a blue box of which only two corners are blue (score ~0.6). */
function features(redAt = 0): number[] {
  return Array.from({ length: SIZE * SIZE }, (_, i) => {
    const [x, y] = [i % SIZE, Math.floor(i / SIZE)];
    if (x >= redAt && x < redAt + 16 && y < 16) return 0xff0000;
    if ((x === 40 && y === 40) || (x === 55 && y === 55)) return 0x0000ff;
    return 0;
  });
}
const labels = (response: ClassifyResponse) => (response.result.bounding_boxes ?? []).map((b) => b.label).sort();

let session: ModelSession | undefined;
let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-model-session-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  jest.useRealTimers();
  await session?.stop();
  session = undefined;
});

async function open(spec: DemoModelSpec): Promise<{ session: ModelSession; runner: LinuxImpulseRunner }> {
  const opened = await openDemoSession(dir, spec);
  session = opened.session;
  return opened;
}

describe('open', () => {
  it('attaches to a model whose socket appears before it listens (a native bind() then listen())', async () => {
    // Connections are refused for 300 ms after the socket file appears: edge-impulse-linux connects at once.
    const { session } = await open({ preset: 'image-classification', listenAfterMs: 300 });
    expect(session.info.project.name).toBe('fixture image-classification');
    expect((await session.classify(new Array(32 * 32).fill(0xff0000))).result.classification).toMatchObject({ red: 1 });
  });
});

describe('setThreshold', () => {
  it('changes a learn block threshold in the model: boxes below the new min_score are dropped', async () => {
    const { session } = await open({ preset: 'object-detection' });
    expect(session.thresholds).toEqual([{ id: 5, type: 'object_detection', min_score: 0.5 }]);
    expect(labels(await session.classify(features()))).toEqual(['blue', 'red']);
    await session.setThreshold(5, 'min_score', 0.95);
    expect(session.thresholds).toEqual([{ id: 5, type: 'object_detection', min_score: 0.95 }]);
    expect(labels(await session.classify(features()))).toEqual(['red']);
  });

  it('refuses a block or key the model lacks, naming what it has, and changes nothing', async () => {
    const { session } = await open({ preset: 'object-detection' });
    for (const [blockId, key] of [
      [4, 'min_score'],
      [5, 'min_anomaly_score'],
      [5, 'type'],
    ] as const) {
      await expect(session.setThreshold(blockId, key, 0.9)).rejects.toMatchObject({
        code: 'MODEL_THRESHOLD_INVALID',
        message: `model ${session.modelFile} has no threshold ${key} on learn block ${blockId}; it has: 5 (min_score)`,
      });
    }
    await expect(session.setThreshold(5, 'min_score', Number.NaN)).rejects.toMatchObject({
      code: 'MODEL_THRESHOLD_INVALID',
    });
    expect(session.thresholds).toEqual([{ id: 5, type: 'object_detection', min_score: 0.5 }]);
    expect(labels(await session.classify(features()))).toEqual(['blue', 'red']);
  });

  it('says so when the model lists no learn block thresholds', async () => {
    const { session } = await open({ preset: 'image-classification' });
    await expect(session.setThreshold(5, 'min_score', 0.9)).rejects.toThrow(
      `model ${session.modelFile} has no threshold min_score on learn block 5; it lists no learn block thresholds`,
    );
  });
});

describe('requests from several callers', () => {
  it('reach the model one at a time, in order, and every one is answered with its own result', async () => {
    const { session, runner } = await open({ preset: 'object-detection', inferenceMs: 5 });
    let inFlight = 0;
    let most = 0;
    for (const method of ['classify', 'setLearnBlockThreshold'] as const) {
      const real = runner[method].bind(runner) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(runner, {
        [method]: async (...args: unknown[]) => {
          most = Math.max(most, ++inFlight);
          try {
            return await real(...args);
          } finally {
            inFlight--;
          }
        },
      });
    }
    // Each call's red square sits elsewhere, so each answer shows whose request it was. The threshold queued in
    // the middle applies to the requests after it only.
    const before = [0, 8, 16].map((x) => session.classify(features(x)));
    const threshold = session.setThreshold(5, 'min_score', 0.95);
    const after = [24, 32].map((x) => session.classify(features(x)));
    const answers = await Promise.all([...before, ...after]);
    await threshold;
    expect(most).toBe(1);
    expect(answers.map((a) => a.result.bounding_boxes?.find((b) => b.label === 'red')?.x)).toEqual([0, 8, 16, 24, 32]);
    expect(answers.map(labels)).toEqual([['blue', 'red'], ['blue', 'red'], ['blue', 'red'], ['red'], ['red']]);
  });

  it('a request the model fails does not hold up the ones queued after it', async () => {
    const { session } = await open({ preset: 'object-detection' });
    const failed = session.classify([1, 2, 3]);
    const answered = session.classify(features());
    await expect(failed).rejects.toMatchObject({ code: 'MODEL_REQUEST_FAILED' });
    expect(labels(await answered)).toEqual(['blue', 'red']);
  });
});

describe('request deadline', () => {
  it('is the full minute until the model has answered, then 20 times its slowest recent answer, at least 10 s', async () => {
    const fast = (await open({ preset: 'object-detection' })).session;
    expect(fast.requestTimeoutMs()).toBe(60_000);
    await fast.classify(features());
    // A few ms per answer: the 10 s floor (up to 20 s should this machine be slow enough to take a second).
    expect(fast.requestTimeoutMs()).toBeGreaterThanOrEqual(10_000);
    expect(fast.requestTimeoutMs()).toBeLessThanOrEqual(20_000);
    await fast.stop();

    // 1.2 s per answer: a hang is 20 times that, rounded up to whole seconds (24 s or a little more when busy).
    const slow = (await open({ preset: 'object-detection', inferenceMs: 1200 })).session;
    await slow.classify(features());
    expect(slow.requestTimeoutMs()).toBeGreaterThanOrEqual(24_000);
    expect(slow.requestTimeoutMs()).toBeLessThanOrEqual(60_000);
  });
});
