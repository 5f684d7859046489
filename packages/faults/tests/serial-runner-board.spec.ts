/**
 * The built serial-runner against the MCU emulator on a socat pty, the board printing seven result blocks in
 * turn, each with its own scores, so the order of results tells exactly which blocks a fault cost. Faults come
 * from the board's side of the line: a flood of random bytes, a line that never ends.
 */
import { randomBytes } from 'node:crypto';
import { cyclicGaps, ComponentProcess, McuEmulator, type Payload } from '@ei-gg/testbench';
import { MAX_LOG_LINES, printFaultLine } from './support/fault-line';
import { NumberedBlocks, startSerialRunner } from './support/serial-runner-rig';

const BLOCKS = new NumberedBlocks(7);
const PERIOD = BLOCKS.count;
/** Growth of the component's resident memory a flood may cause: the flood itself is 10 MB. */
const MAX_RSS_GROWTH_KB = 48 * 1024;

let emulator: McuEmulator | undefined;
let runner: ComponentProcess | undefined;

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  await emulator?.stop();
  emulator = undefined;
});

async function start(): Promise<{ board: McuEmulator; r: ComponentProcess }> {
  const board = await McuEmulator.start({ blocks: BLOCKS.texts, intervalMs: 100 });
  emulator = board;
  const r = startSerialRunner({ devicePath: board.devicePath });
  runner = r;
  await r.next('/inference/output', (p) => p.total_inferences === PERIOD);
  return { board, r };
}

const isError = (p: Payload) => p.result?.error !== undefined;

/** Once the fault is over: the blocks skipped overall, the error reports, and the stderr lines since the fault. */
async function afterRecovery(r: ComponentProcess, faultAt: number, faultEndedAt: number) {
  const firstAfter = await r.next('/inference/output', () => true, faultEndedAt + 1);
  const settled = await r.next(
    '/inference/output',
    (p) => p.total_inferences! >= firstAfter.payload.total_inferences! + 3,
    faultAt,
  );
  const lost = cyclicGaps(
    r.received('/inference/output').map((m) => BLOCKS.positionOf(m.payload)),
    PERIOD,
  );
  const status = await r.command({ cmd: 'get_status', id: 'after-fault' }, (p) => typeof p.result?.status === 'object');
  expect(status.result?.status).toMatchObject({ model: { name: 'ei-gg emulated model' } });
  return {
    firstAfter,
    lost,
    errors: r.received('/command/output', faultAt).filter((m) => isError(m.payload)),
    logLines: r.logLinesBetween(faultAt, settled.at),
  };
}

/** Samples the component's resident memory every 50 ms while `work` runs: the highest growth seen. */
async function peakGrowthKb(r: ComponentProcess, work: Promise<unknown>): Promise<number> {
  const base = r.residentKb();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, r.residentKb())), 50);
  try {
    await work;
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, r.residentKb()) - base;
}

it('10 MB of random bytes from the board: stays up, memory bounded, results go on, nothing but the noise lost', async () => {
  const { board, r } = await start();
  const faultAt = Date.now();
  let faultEndedAt = faultAt;
  const growthKb = await peakGrowthKb(
    r,
    (async () => {
      for (let i = 0; i < 10; i++) await board.injectNoise(randomBytes(1024 * 1024));
      faultEndedAt = Date.now();
      // Read by the component, not only written: the next result is behind the flood on the line.
      await r.next('/inference/output', () => true, faultEndedAt);
    })(),
  );
  const after = await afterRecovery(r, faultAt, faultEndedAt);
  expect(growthKb).toBeLessThan(MAX_RSS_GROWTH_KB);
  // The noise is no result: at most the block the flood cut into is lost.
  expect(after.lost).toBeLessThanOrEqual(1);
  expect(after.errors.length).toBeLessThanOrEqual(1);
  expect(after.logLines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
  expect(r.running).toBe(true);
  printFaultLine('serial-runner.random-10mb', {
    lost: after.lost,
    recovery_ms: after.firstAfter.at - faultEndedAt,
    log_lines: after.logLines.length,
  });
});

it('a 1 MB line without a line end: dropped, reported once, memory bounded, the next blocks published', async () => {
  const { board, r } = await start();
  const faultAt = Date.now();
  let faultEndedAt = faultAt;
  const growthKb = await peakGrowthKb(
    r,
    (async () => {
      await board.injectNoise('x'.repeat(1024 * 1024));
      faultEndedAt = Date.now();
      await r.next('/inference/output', () => true, faultEndedAt);
    })(),
  );
  const after = await afterRecovery(r, faultAt, faultEndedAt);
  expect(growthKb).toBeLessThan(MAX_RSS_GROWTH_KB);
  expect(after.errors.map((m) => m.payload.result)).toEqual([
    {
      error: expect.stringMatching(/^board: dropped \d+ characters without a line end \(limit 4096\)$/),
      source: 'serial-runner',
    },
  ]);
  expect(after.lost).toBe(0);
  expect(after.logLines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
  printFaultLine('serial-runner.line-1mb', {
    lost: after.lost,
    recovery_ms: after.firstAfter.at - faultEndedAt,
    log_lines: after.logLines.length,
  });
});
