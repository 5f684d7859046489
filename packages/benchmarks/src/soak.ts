/**
 * `npm run bench -- --soak <minutes>` (not in CI): the packaged linux runner (demo model over its sample images,
 * looping) and serial runner (MCU emulator, numbered result blocks) side by side for that long, a fault every few
 * minutes in turn (model SIGKILL, board reboot, broker restart, board unplugged and plugged in again), each
 * component's memory sampled at a steady pace. Writes `dist/bench/soak.json` and prints a table.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cyclicGaps, gapBetween, McuEmulator, startMosquitto, waitFor, type Mosquitto } from '@ei-gg/testbench';
import { DEMO_IMAGES, DEMO_MODEL, demoModelEnv } from './demo-model';
import type { Footprint } from './process-footprint';
import { SoakComponent, type Arrival, type SoakResult, type SoakStatus } from './soak-component';
import { leastSquaresSlope, round } from './statistics';

/** More distinct blocks than a fault can cost in a row, so that a gap is never a whole lap. */
const BLOCK_PERIOD = 10_000;
/** Block i scores `idle` (i + 1) / 20000: its number. */
const NUMBERED_BLOCKS = Array.from(
  { length: BLOCK_PERIOD },
  (_, i) =>
    `Predictions (DSP: 1 ms., Classification: 1 ms., Anomaly: 0 ms.):\n    idle: ${(i + 1) / 20_000}\n    snake: ${1 - (i + 1) / 20_000}\n`,
);
const FAULTS = ['model-sigkill', 'board-reboot', 'broker-restart', 'board-unplug'] as const;
type Fault = (typeof FAULTS)[number];
/** How long the board stays unplugged. */
const UNPLUGGED_MS = 5000;
/** A gap in the results is put down to the last fault this long before the result after it, if any. */
const FAULT_ATTRIBUTION_MS = 60_000;

interface Sample extends Footprint {
  at_min: number;
}

interface Rig {
  mosquitto: Mosquitto;
  board: McuEmulator;
  components: { 'linux-runner': SoakComponent; 'serial-runner': SoakComponent };
}

export async function soak(minutes: number, outDir: string): Promise<void> {
  if (!(minutes > 0)) throw new Error(`--soak needs a number of minutes greater than 0, got ${minutes}`);
  const totalMs = minutes * 60_000;
  // A sample a minute and a fault every 3 minutes in a long soak; a short one (a trial) squeezes them in.
  const sampleMs = Math.min(60_000, totalMs / 12);
  const faultMs = Math.min(180_000, totalMs / 5);
  // The slope is read after every fault has happened once: V8 compiles and optimises each fault's code paths the
  // first time they run (heap snapshots of a 24-minute soak: the serial runner's heap grew 0.6 MB in its first 12
  // minutes, all of it code, deoptimisation data and feedback vectors, then stayed flat), which is no leak.
  const warmUpMs = Math.min(FAULTS.length * faultMs, totalMs / 2);
  const rig = await startRig();
  const { components } = rig;
  const samples: Record<string, Sample[]> = { 'linux-runner': [], 'serial-runner': [] };
  const faults: Array<{ kind: Fault; at_min: number }> = [];
  const startedAt = Date.now();
  const elapsedMin = () => (Date.now() - startedAt) / 60_000;
  try {
    await waitFor(
      () => Object.values(components).every((c) => c.arrivals.length > 20),
      60_000,
      `first results:\n${Object.values(components)
        .map((c) => c.recentLog())
        .join('\n')}`,
    );
    let nextSample = startedAt + sampleMs;
    let nextFault = startedAt + faultMs / 2;
    while (Date.now() < startedAt + totalMs) {
      const now = Date.now();
      if (now >= nextSample) {
        nextSample += sampleMs;
        for (const component of Object.values(components))
          samples[component.kind].push({ at_min: round(elapsedMin(), 2), ...(await component.sample()) });
      }
      if (now >= nextFault && now < startedAt + totalMs - faultMs / 2) {
        nextFault += faultMs;
        const kind = FAULTS[faults.length % FAULTS.length];
        faults.push({ kind, at_min: round(elapsedMin(), 2) });
        await inject(kind, rig);
        console.log(`soak ${round(elapsedMin(), 1)} min: ${kind}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, Math.min(nextSample, nextFault) - Date.now())));
    }
    const hours = (Date.now() - startedAt) / 3_600_000;
    const faultTimes = faults.map((f) => ({ ...f, at: startedAt + f.at_min * 60_000 }));
    const report: Record<string, unknown> = {
      minutes,
      measured_at: new Date(startedAt).toISOString(),
      sample_every_s: sampleMs / 1000,
      warm_up_min: warmUpMs / 60_000,
      faults,
    };
    for (const component of Object.values(components)) {
      const status = await component.status();
      report[component.kind] = figures(component, samples[component.kind], status, faultTimes, warmUpMs, hours);
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'soak.json'), JSON.stringify(report, null, 2) + '\n');
    printTable(report);
  } finally {
    for (const component of Object.values(components)) await component.stop();
    await rig.board.stop();
    await rig.mosquitto.stop();
  }
}

async function startRig(): Promise<Rig> {
  const mosquitto = await startMosquitto();
  const board = await McuEmulator.start({ blocks: NUMBERED_BLOCKS, intervalMs: 100 });
  const common = { iotcore_backoff: 1, metrics_sleeptime_ms: 0, sleep_time_sec: 1 };
  const linuxRunner = await SoakComponent.start(
    'linux-runner',
    mosquitto.url,
    { ...common, ei_local_model_file: DEMO_MODEL, input: `images-loop:${DEMO_IMAGES}` },
    // Object detection: the ball moves from frame to frame, so a result's boxes tell which image it was.
    demoModelEnv(20),
  );
  const serialRunner = await SoakComponent.start('serial-runner', mosquitto.url, {
    ...common,
    serial_port: board.devicePath,
  });
  return { mosquitto, board, components: { 'linux-runner': linuxRunner, 'serial-runner': serialRunner } };
}

async function inject(kind: Fault, rig: Rig): Promise<void> {
  switch (kind) {
    case 'model-sigkill':
      return void process.kill(rig.components['linux-runner'].descendantPid(/demo-model\.js/), 'SIGKILL');
    case 'board-reboot':
      return rig.board.reboot();
    case 'broker-restart':
      return rig.mosquitto.restart();
    case 'board-unplug':
      await rig.board.disappear();
      await new Promise((resolve) => setTimeout(resolve, UNPLUGGED_MS));
      return rig.board.reappear();
  }
}

function figures(
  component: SoakComponent,
  samples: Sample[],
  status: SoakStatus,
  faults: Array<{ kind: Fault; at: number }>,
  warmUpMs: number,
  hours: number,
) {
  const steady = samples.filter((s) => s.at_min * 60_000 >= warmUpMs);
  const slope = (key: keyof Footprint) =>
    round(leastSquaresSlope(steady.map((s) => ({ x: s.at_min / 60, y: s[key] }))), 2);
  const numbering = numberingOf(component);
  const positions = component.arrivals.map((a) => numbering.positionOf(a.result));
  const lostByFault: Record<string, number> = {};
  for (let i = 1; i < positions.length; i++) {
    const gap = gapBetween(positions[i - 1], positions[i], numbering.period);
    if (gap === 0) continue;
    const at = component.arrivals[i].at;
    const cause = faults.filter((f) => f.at <= at && at - f.at <= FAULT_ATTRIBUTION_MS).at(-1)?.kind ?? 'no fault';
    lostByFault[cause] = (lostByFault[cause] ?? 0) + gap;
  }
  return {
    heap_after_gc_mb_per_h: slope('heap_after_gc_mb'),
    rss_mb_per_h: slope('rss_mb'),
    rss_anon_mb_per_h: slope('rss_anon_mb'),
    received: component.arrivals.length,
    lost: cyclicGaps(positions, numbering.period),
    lost_by_fault: lostByFault,
    lost_counted_by: numbering.by,
    inferences_seen: status.inferences?.seen,
    messages: status.messages,
    reconnects: component.reconnectLines,
    command_output_events: Object.fromEntries(component.events),
    log_lines_per_h: round(component.logLines / hours, 1),
    samples,
  };
}

/** Where in its looping input each result is, and how that is known. */
function numberingOf(component: SoakComponent): {
  period: number;
  by: string;
  positionOf: (r: SoakResult) => number;
} {
  if (component.kind === 'serial-runner')
    return {
      period: BLOCK_PERIOD,
      by: 'numbered result blocks',
      positionOf: (r) => Math.round((r.c?.idle ?? NaN) * 20_000) - 1,
    };
  const images = readdirSync(DEMO_IMAGES).length;
  const fingerprint = (r: SoakResult) => JSON.stringify(r.box);
  const lap = firstLap(component.arrivals, images).map((a) => fingerprint(a.result));
  if (new Set(lap).size === images)
    return { period: images, by: 'image boxes', positionOf: (r) => lap.indexOf(fingerprint(r)) };
  // The demo model found the same boxes in two images: its own count of inferences numbers the results.
  return {
    period: Number.MAX_SAFE_INTEGER,
    by: 'total_inferences (two images alike)',
    positionOf: (r) => r.total_inferences ?? NaN,
  };
}

function firstLap(arrivals: readonly Arrival[], images: number): Arrival[] {
  return arrivals.filter((a) => (a.result.total_inferences ?? 0) <= images).slice(0, images);
}

function printTable(report: Record<string, unknown>): void {
  const rows = [
    'heap_after_gc_mb_per_h',
    'rss_mb_per_h',
    'rss_anon_mb_per_h',
    'received',
    'lost',
    'lost_by_fault',
    'inferences_seen',
    'reconnects',
    'command_output_events',
    'log_lines_per_h',
  ] as const;
  const kinds = ['linux-runner', 'serial-runner'];
  const width = Math.max(...rows.map((r) => r.length));
  console.log(`soak ${String(report.minutes)} min, faults: ${JSON.stringify(report.faults)}`);
  console.log(`${''.padEnd(width)}  ${kinds.map((k) => k.padEnd(28)).join('  ')}`);
  for (const row of rows)
    console.log(
      `${row.padEnd(width)}  ${kinds
        .map((k) => JSON.stringify((report[k] as Record<string, unknown>)[row]) ?? '-')
        .map((v) => v.padEnd(28))
        .join('  ')}`,
    );
  console.log('\nwritten to dist/bench/soak.json');
}
