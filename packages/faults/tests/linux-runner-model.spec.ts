/**
 * The built linux-runner with the demo `.eim` classifying a looping directory of seven images, each scored
 * differently, so the order of results tells exactly which inputs a fault cost. Faults: the model process
 * killed, and the model hanging (stopped, it never answers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cyclicGaps, type ComponentProcess, type Payload, type Received } from '@ei-gg/testbench';
import { MAX_LOG_LINES, printFaultLine } from './support/fault-line';
import { learnLoop, LOOP_LENGTH, modelPid, startLinuxRunner } from './support/linux-runner-rig';

let dir: string;
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-faults-lr-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(inferenceMs: number): Promise<{ runner: ComponentProcess; positionOf: (p: Payload) => number }> {
  runner = await startLinuxRunner(dir, {}, inferenceMs);
  return { runner, positionOf: await learnLoop(runner) };
}

const isError = (p: Payload) => p.result?.error !== undefined;
const isRestarted = (p: Payload) => p.result?.status === 'model_restarted';

/**
 * After recovery: inputs skipped across the fault, the one error report, get_status still answering with the
 * model, and the stderr lines of the fault. Waits for `after` more results so a late loss would show.
 */
async function afterRecovery(r: ComponentProcess, positionOf: (p: Payload) => number, faultAt: number) {
  const firstAfter = await r.next('/inference/output', () => true, faultAt + 1);
  const settled = await r.next(
    '/inference/output',
    (p) => p.total_inferences === firstAfter.payload.total_inferences! + 3,
    faultAt,
  );
  const results = r.received('/inference/output');
  const lost = cyclicGaps(
    results.map((m) => positionOf(m.payload)),
    LOOP_LENGTH,
  );
  const errors = r.received('/command/output', faultAt).filter((m) => isError(m.payload));
  const status = await r.command({ cmd: 'get_status', id: 'after-fault' }, (p) => p.result?.status !== undefined);
  return { firstAfter, settled, lost, errors, status, logLines: r.logLinesBetween(faultAt, settled.at) };
}

function expectStatusAfterRecovery(status: Payload, lastBefore: Received): void {
  expect(status.result).toMatchObject({
    status: { model: { name: expect.any(String) }, messages: expect.objectContaining({ failed: 0 }) },
  });
  const reported = status.result?.status as { inferences: { published: number } };
  expect(reported.inferences.published).toBeGreaterThan(lastBefore.payload.total_inferences!);
}

it('model process SIGKILLed: reported once, restarted by itself, at most the one in-flight image lost', async () => {
  const { runner: r, positionOf } = await start(20);
  const lastBefore = r.received('/inference/output').at(-1)!;
  const faultAt = Date.now();
  process.kill(modelPid(r), 'SIGKILL');

  const report = await r.next('/command/output', isError, faultAt);
  expect(report.payload.result).toMatchObject({
    code: 'MODEL_EXITED',
    source: 'linux-runner',
    attempt: 1,
    error: expect.stringMatching(/model process exited \(signal SIGKILL\)/),
  });
  await r.next('/command/output', isRestarted, faultAt);
  const after = await afterRecovery(r, positionOf, faultAt);
  expect(after.errors).toHaveLength(1);
  expect(after.lost).toBeLessThanOrEqual(1);
  expectStatusAfterRecovery(after.status, lastBefore);
  expect(after.logLines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
  expect(r.running).toBe(true);
  printFaultLine('linux-runner.model-sigkill', {
    lost: after.lost,
    recovery_ms: after.firstAfter.at - faultAt,
    log_lines: after.logLines.length,
  });
});

// A model is hung after 20 times its slowest recent answer, at least 10 s and at most 60 s (model-session.ts): a
// 20 ms model on a busy machine is noticed within 10 to 60 s.
const HUNG_MODEL_DEADLINE_MS = 60_000;

it(
  'model hanging (SIGSTOP): no answer within the deadline is reported once, the model restarted, results flow again',
  async () => {
    const { runner: r, positionOf } = await start(20);
    const lastBefore = r.received('/inference/output').at(-1)!;
    const faultAt = Date.now();
    const stoppedPid = modelPid(r);
    process.kill(stoppedPid, 'SIGSTOP');

    const report = await r.next('/command/output', isError, faultAt, HUNG_MODEL_DEADLINE_MS + 20_000);
    expect(report.payload.result).toMatchObject({
      code: 'MODEL_TIMEOUT',
      source: 'linux-runner',
      attempt: 1,
      error: expect.stringMatching(/No response within (\d+) seconds/),
    });
    await r.next('/command/output', isRestarted, faultAt);
    const after = await afterRecovery(r, positionOf, faultAt);
    expect(after.errors).toHaveLength(1);
    expect(after.lost).toBeLessThanOrEqual(1);
    expectStatusAfterRecovery(after.status, lastBefore);
    // A minute of silence from the model costs no more lines than a crash.
    expect(after.logLines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
    expect(modelPid(r)).not.toBe(stoppedPid);
    printFaultLine('linux-runner.model-hang', {
      lost: after.lost,
      recovery_ms: after.firstAfter.at - faultAt,
      log_lines: after.logLines.length,
    });
  },
  HUNG_MODEL_DEADLINE_MS + 60_000,
);
