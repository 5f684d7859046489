/**
 * The wall clock of a running component jumps an hour back (NTP correcting a device that booted with a clock
 * ahead) or forward (one that booted behind), with libfaketime moving CLOCK_REALTIME alone, as NTP does. The
 * built serial-runner reads the MCU emulator's seven result blocks in turn (the order of results tells what was
 * lost); during the jumped period the board is unplugged and plugged in again, so the reconnect timers run on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cyclicGaps, ComponentProcess, McuEmulator, type Received } from '@ei-gg/testbench';
import { MAX_LOG_LINES, printFaultLine } from './support/fault-line';
import { NumberedBlocks, startSerialRunner } from './support/serial-runner-rig';
import { WallClockOffset } from './support/wall-clock-offset';

const BLOCKS = new NumberedBlocks(7);
const PERIOD = BLOCKS.count;
const BLOCK_INTERVAL_MS = 100;
const METRICS_INTERVAL_MS = 500;
const HOUR_MS = 3_600_000;
/** A `ts` is on a clock if it is nearer to it than this: far from the other clock, an hour away. */
const SAME_CLOCK_MS = 10 * 60_000;

let dir: string;
let emulator: McuEmulator | undefined;
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-faults-clock-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  await emulator?.stop();
  emulator = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** How far a message's `ts` is from the test's (real) clock at its arrival, minus `offsetMs`. */
const skew = (m: Received, offsetMs: number) => Math.abs(m.payload.ts! - (m.at + offsetMs));

it.each([
  ['back', -HOUR_MS],
  ['forward', HOUR_MS],
])(
  'wall clock jumps an hour %s: results, metrics and the board reconnect go on, ts follows the clock, nothing lost',
  async (direction, jumpMs) => {
    const clock = new WallClockOffset(dir);
    const board = await McuEmulator.start({ blocks: BLOCKS.texts, intervalMs: BLOCK_INTERVAL_MS });
    emulator = board;
    const startedAt = Date.now();
    const r = startSerialRunner({
      devicePath: board.devicePath,
      settings: { metrics_sleeptime_ms: String(METRICS_INTERVAL_MS) },
      env: clock.env(),
    });
    runner = r;
    const beforeJump = await r.next('/inference/output', (p) => p.total_inferences === PERIOD);
    expect(skew(beforeJump, 0)).toBeLessThan(SAME_CLOCK_MS);

    const jumpAt = Date.now();
    clock.set(jumpMs);
    // Node's Date.now() follows the preloaded clock: the component's `ts` moves by the hour.
    const firstJumped = await r.next(
      '/inference/output',
      (p) => Math.abs(p.ts! - (Date.now() + jumpMs)) < SAME_CLOCK_MS,
      jumpAt,
    );
    await r.next('/model/metrics', () => true, firstJumped.at);
    const metricsSettled = await r.next('/model/metrics', () => true, firstJumped.at + METRICS_INTERVAL_MS);

    // The board unplugged and plugged in again on the jumped clock: the reconnect timers still fire.
    const unpluggedAt = Date.now();
    await board.disappear();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await board.reappear();
    const replugAt = Date.now();
    const firstAfter = await r.next('/inference/output', () => true, replugAt);
    const settled = await r.next(
      '/inference/output',
      (p) => p.total_inferences! >= firstAfter.payload.total_inferences! + PERIOD,
      replugAt,
    );
    const status = await r.command(
      { cmd: 'get_status', id: 'after-jump' },
      (p) => typeof p.result?.status === 'object',
    );
    expect(status.result?.status).toMatchObject({ model: { name: 'ei-gg emulated model' } });

    // Nothing lost across the jump, nor after the replug (what the board printed unplugged is the unplug's).
    const results = r.received('/inference/output');
    const positions = (ms: Received[]) => ms.map((m) => BLOCKS.positionOf(m.payload));
    const lost =
      cyclicGaps(positions(results.filter((m) => m.at < unpluggedAt)), PERIOD) +
      cyclicGaps(positions(results.filter((m) => m.at >= firstAfter.at)), PERIOD);
    expect(lost).toBe(0);

    // Every `ts` since the jump is on the jumped clock; every result and metrics message carries one.
    const jumped = r.messages.filter((m) => m.at >= firstJumped.at && m.payload.ts !== undefined);
    expect(jumped.filter((m) => skew(m, jumpMs) >= SAME_CLOCK_MS)).toEqual([]);

    // Metrics at their interval (a timer on the monotonic clock), with durations that ignore the jump.
    const metrics = r.received('/model/metrics');
    const sinceJump = metrics.filter((m) => m.at >= jumpAt && m.at <= settled.at);
    expect(sinceJump.length).toBeGreaterThanOrEqual(2);
    expect(sinceJump.length).toBeLessThanOrEqual((settled.at - jumpAt) / METRICS_INTERVAL_MS + 2);
    const uptimes = metrics.map((m) => m.payload.uptime_s as number);
    expect(uptimes).toEqual([...uptimes].sort((a, b) => a - b));
    expect(uptimes.at(-1)).toBeLessThanOrEqual((Date.now() - startedAt) / 1000);
    for (const m of metrics.filter((m) => m.at >= metricsSettled.at)) {
      // The board prints ten blocks a second: a rate over the whole run, never 0 nor a thousandth of it.
      expect(m.payload.inferences_per_s).toBeGreaterThan(1);
      expect(m.payload.inferences_per_s).toBeLessThanOrEqual(1000 / BLOCK_INTERVAL_MS + 1);
    }

    const logLines = r.logLinesBetween(jumpAt, settled.at);
    expect(logLines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
    expect(r.running).toBe(true);
    printFaultLine(`serial-runner.clock-jump-${direction}`, {
      lost,
      recovery_ms: firstAfter.at - replugAt,
      log_lines: logLines.length,
    });
  },
);
