/**
 * The client keeper with a deterministic stand-in child (tests/fixtures/stand-in-client.js): exits, crashes and
 * hangs on cue, so restart timing, exit reasons and the process-group stop can be measured exactly.
 */
import { join } from 'node:path';
import { waitFor } from '@ei-gg/testbench';
import { ClientKeeper, type ClientExit, type ClientStart, type ClientKeeperTimings } from '../src';
import { isAlive, groupMembers } from './support/processes';

const STAND_IN = join(__dirname, 'fixtures', 'stand-in-client.js');

interface Run {
  keeper: ClientKeeper;
  starts: (ClientStart & { at: number })[];
  exits: (ClientExit & { at: number })[];
  lines: string[];
}

function supervise(env: Record<string, string>, timings: Partial<ClientKeeperTimings> = {}, capMs = 400): Run {
  const run: Run = { starts: [], exits: [], lines: [], keeper: undefined as never };
  run.keeper = new ClientKeeper(
    {
      prepare: () => ({ command: process.execPath, args: [STAND_IN], env: { ...process.env, ...env }, cwd: __dirname }),
      started: (start) => run.starts.push({ ...start, at: Date.now() }),
      exited: (exit) => run.exits.push({ ...exit, at: Date.now() }),
      line: (_stream, text) => run.lines.push(text),
      redact: (text) => text.replace(/s3cr3t/g, '[REDACTED]'),
      restartCapMs: () => capMs,
    },
    { restartBaseMs: 100, stopGraceMs: 500, stableRunMs: 30_000, ...timings },
  );
  return run;
}

it('restarts a client that exits, with a doubling, capped delay, and says why it exited', async () => {
  const run = supervise({ STAND_IN_MODE: 'exit', STAND_IN_AFTER_MS: '30', STAND_IN_CODE: '3' });
  await run.keeper.start();
  try {
    await waitFor(() => run.starts.length >= 5, 20_000, 'five starts');
  } finally {
    await run.keeper.stop();
  }
  const exits = run.exits.slice(0, 4);
  expect(exits[0]).toMatchObject({ code: 3, signal: null, reason: 'exited with code 3: stand-in giving up with 3' });
  expect(exits[0].output).toEqual(['stand-in client running exit', 'stand-in giving up with 3']);
  // Equal jitter: attempt n waits between half and all of min(cap, base * 2^n).
  const bounds = [100, 200, 400, 400];
  exits.forEach((exit, n) => {
    expect(exit.restartInMs).toBeGreaterThanOrEqual(bounds[n] / 2 - 1);
    expect(exit.restartInMs).toBeLessThanOrEqual(bounds[n] + 1);
    // The restart really waited (a busy machine only makes it later; how much later is no test's business).
    const interval = run.starts[n + 1].at - exit.at;
    expect(interval).toBeGreaterThanOrEqual(exit.restartInMs - 5);
  });
  expect(run.starts.map((s) => s.restarts)).toEqual([0, 1, 2, 3, 4, ...run.starts.slice(5).map((s) => s.restarts)]);
});

it('reports a crash with its stack, secrets redacted', async () => {
  const run = supervise({ STAND_IN_MODE: 'crash', STAND_IN_AFTER_MS: '20', STAND_IN_SAY: 'key s3cr3t' });
  await run.keeper.start();
  try {
    await waitFor(() => run.exits.length >= 1, 15_000, 'the crash');
  } finally {
    await run.keeper.stop();
  }
  expect(run.exits[0].code).toBe(1);
  expect(run.exits[0].output.join('\n')).toContain('Error: stand-in crashed key [REDACTED]');
  expect(JSON.stringify(run.exits[0])).not.toContain('s3cr3t');
});

it('stop ends the whole group: the client and the processes it started', async () => {
  const run = supervise({ STAND_IN_MODE: 'run' });
  await run.keeper.start();
  await waitFor(() => run.lines.some((l) => l.startsWith('grandchild')), 15_000, 'the grandchild');
  const pid = run.starts[0].pid;
  const grandchild = Number(run.lines.find((l) => l.startsWith('grandchild'))!.split(' ')[1]);
  expect(groupMembers(pid)).toEqual(expect.arrayContaining([pid, grandchild]));
  await run.keeper.stop();
  expect(isAlive(pid) || isAlive(grandchild)).toBe(false);
  expect(groupMembers(pid)).toEqual([]);
  expect(run.exits).toEqual([]); // a requested stop is no exit to report, and nothing restarts
});

it('a client that ignores the stop signal gets SIGKILL after the grace period, with its children', async () => {
  // A grace period long enough for even a starved client to log the SIGINT it ignores before the SIGKILL.
  const run = supervise({ STAND_IN_MODE: 'hang' }, { stopGraceMs: 1000 });
  await run.keeper.start();
  await waitFor(() => run.lines.some((l) => l.startsWith('grandchild')), 15_000, 'the grandchild');
  const pid = run.starts[0].pid;
  const began = Date.now();
  await run.keeper.stop();
  // It waited the grace period before the SIGKILL (stop() itself resolves once the group is gone).
  expect(Date.now() - began).toBeGreaterThanOrEqual(990);
  expect(run.lines).toContain('ignoring SIGINT');
  expect(groupMembers(pid)).toEqual([]);
});
