import { readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { text } from 'node:stream/consumers';
import { waitFor } from '@ei-gg/testbench';
import { describeExit, type ProcessExit } from '../../src/process/process-exit';
import { ProcessStartError } from '../../src/errors';
import { SupervisedProcess, type SupervisedProcessOptions } from '../../src/process/supervised-process';

const started: SupervisedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.stop(1000)));
});

async function node(script: string, options: Partial<SupervisedProcessOptions> = {}): Promise<SupervisedProcess> {
  const child = await SupervisedProcess.start(process.execPath, ['-e', script], {
    name: 'node',
    stdout: 'output',
    ...options,
  });
  started.push(child);
  return child;
}

/** Whether a process exists (a zombie counts as gone). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const SLEEPER = 'setInterval(() => undefined, 1000)';
/** Starts `sleep 60` in the same process group, says its pid, then runs until stopped (or exits with `exit`). */
const PARENT = (exit: boolean) =>
  `const c = require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' });` +
  `console.log('grandchild ' + c.pid);` +
  (exit ? 'process.exit(0)' : SLEEPER);

describe('SupervisedProcess', () => {
  it('a program that cannot start is a ProcessStartError naming it and the reason', async () => {
    const start = SupervisedProcess.start('/nonexistent/program', [], { name: 'the thing', stdout: 'output' });
    await expect(start).rejects.toBeInstanceOf(ProcessStartError);
    await expect(start).rejects.toMatchObject({
      code: 'PROCESS_START_FAILED',
      errno: 'ENOENT',
      message: expect.stringContaining('cannot start the thing: spawn /nonexistent/program ENOENT'),
      context: { name: 'the thing', command: '/nonexistent/program' },
    });
  });

  it('runs with the given environment and working directory, and reports its exit code', async () => {
    const cwd = realpathSync(tmpdir());
    const lines: string[] = [];
    const child = await node('console.log(process.env.EI_GG_TEST_VALUE, process.cwd()); process.exit(3)', {
      env: { EI_GG_TEST_VALUE: 'from-env' },
      cwd,
      onLine: (stream, line) => lines.push(`${stream}: ${line}`),
    });
    const exit = await child.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    expect(describeExit(exit)).toBe('code 3');
    expect(child.running).toBe(false);
    expect(lines).toEqual([`stdout: from-env ${cwd}`]);
  });

  it("with stdout 'data', stdout is the caller's stream and only stderr is diagnostics", async () => {
    const child = await node("process.stdout.write('payload'); console.error('diagnostic')", { stdout: 'data' });
    expect(await text(child.stdout)).toBe('payload');
    await child.exited;
    expect(child.output()).toBe('diagnostic');
  });

  it('keeps the last lines of output, an unfinished last line included', async () => {
    const lines: string[] = [];
    const child = await node("for (let i = 1; i <= 9; i++) console.error('line ' + i); process.stderr.write('cut')", {
      tailLines: 3,
      onLine: (_stream, line) => lines.push(line),
    });
    await child.exited;
    await waitFor(() => child.outputLines().includes('cut'), 10_000, 'the last chunk of output');
    expect(child.outputLines()).toEqual(['line 8', 'line 9', 'cut']);
    expect(lines).toHaveLength(9); // complete lines only
  });

  it('stop sends SIGTERM by default and resolves with the exit once the process is gone', async () => {
    const child = await node(SLEEPER);
    const exit = await child.stop(10_000);
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(describeExit(exit)).toBe('signal SIGTERM');
    expect(isAlive(child.pid)).toBe(false);
    expect(await child.stop(10_000)).toBe(exit); // stopping again is harmless
  });

  it('a process that ignores the stop signal gets SIGKILL after the grace period', async () => {
    const lines: string[] = [];
    const child = await node(`process.on('SIGINT', () => undefined); console.log('ready'); ${SLEEPER}`, {
      onLine: (_stream, line) => lines.push(line),
    });
    await waitFor(() => lines.includes('ready'), 10_000, 'the SIGINT handler');
    expect(await child.stop(200, 'SIGINT')).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('with group, stop ends everything the process started', async () => {
    const lines: string[] = [];
    const child = await node(PARENT(false), { group: true, onLine: (_stream, line) => lines.push(line) });
    await waitFor(() => lines.some((line) => line.startsWith('grandchild')), 10_000, 'the grandchild');
    const grandchild = Number(lines[0].split(' ')[1]);
    expect(isAlive(grandchild)).toBe(true);
    await child.stop(10_000);
    await waitFor(() => !isAlive(grandchild), 10_000, 'the grandchild to be gone');
  });

  it('with group, what the process left behind is killed when it exits on its own', async () => {
    const lines: string[] = [];
    const child = await node(PARENT(true), { group: true, onLine: (_stream, line) => lines.push(line) });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await waitFor(() => lines.some((line) => line.startsWith('grandchild')), 10_000, 'the grandchild');
    const grandchild = Number(lines[0].split(' ')[1]);
    await waitFor(() => !isAlive(grandchild), 10_000, 'the grandchild to be gone');
  });

  describe('onExit', () => {
    it('calls each subscribed listener once with the exit; an unsubscribed one never', async () => {
      const child = await node(SLEEPER);
      const calls: Array<[string, ProcessExit]> = [];
      child.onExit((exit) => calls.push(['kept', exit]));
      const unsubscribe = child.onExit((exit) => calls.push(['dropped', exit]));
      for (let i = 0; i < 1000; i++) child.onExit(() => calls.push(['churn', { code: 0, signal: null }]))();
      unsubscribe();
      await child.stop(5000, 'SIGTERM');
      expect(calls).toEqual([['kept', { code: null, signal: 'SIGTERM' }]]);
    });

    it('after the exit: calls a new listener in a microtask, unless it unsubscribes first', async () => {
      const child = await node('');
      await child.exited;
      const calls: ProcessExit[] = [];
      child.onExit((exit) => calls.push(exit));
      child.onExit((exit) => calls.push(exit))();
      expect(calls).toEqual([]);
      await Promise.resolve();
      expect(calls).toEqual([{ code: 0, signal: null }]);
    });
  });
});
