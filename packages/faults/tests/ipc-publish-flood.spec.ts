/**
 * The nucleus's IPC socket dropping while publishes are being opened, 150 times over. aws-crt 1.33 frees a stream
 * whose opening could not be flushed and then touches it when the SDK closes it: without core's guard
 * (crt-stream-release-guard.ts) the process dies with SIGSEGV, or hangs on a corrupted heap, within a few dozen
 * drops. It runs in a child so either shows here as a failure naming what happened, not as a lost test worker.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { builtBin } from './support/built-bin';
import { printFaultLine } from './support/fault-line';

const FIXTURE = path.join(__dirname, 'fixtures/ipc-publish-flood.js');
/** A bound for a hung child (a corrupted heap can deadlock the crash handler); normally it takes a few seconds. */
const DEADLINE_MS = 90_000;

interface FloodFigures {
  rounds: number;
  issued: number;
  settled: number;
  delivered: number;
  slowest_settle_ms: number;
}

function runFlood(): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

it('the IPC socket drops under a publish flood, 150 times: the component process survives and every publish settles', async () => {
  builtBin('serial-runner'); // the fixture requires the built core and testbench; this names the build if missing
  const run = await runFlood();
  const how =
    run.signal === 'SIGKILL' ? `hung past ${DEADLINE_MS} ms (killed)` : `code ${run.code}, signal ${run.signal}`;
  if (run.code !== 0) throw new Error(`the flood child ended with ${how}:\n${run.stderr.slice(-4000)}`);
  const figures = JSON.parse(run.stdout.trim()) as FloodFigures;
  // Every publish came back, delivered or refused: none was left hanging by a stream the guard held back.
  expect(figures.settled).toBe(figures.issued);
  expect(figures.delivered).toBeGreaterThan(0);
  expect(figures.delivered).toBeLessThan(figures.issued);
  const logLines = run.stderr.split('\n').filter((line) => line !== '').length;
  printFaultLine('ipc-drop-under-publish-flood', {
    lost: figures.issued - figures.settled,
    recovery_ms: figures.slowest_settle_ms,
    log_lines: Math.round(logLines / figures.rounds),
  });
});
