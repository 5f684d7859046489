/**
 * `npm start` as a newcomer runs it: the demo (tools/demo/start-demo.js) bundles the component from the
 * sources, runs it on the demo model and sample images, shows results readably and takes typed commands;
 * Ctrl-C (SIGINT to the whole foreground process group, as a terminal sends it) stops everything with exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { markedProcesses, requireTool, TEST_MARKER_ENV } from '@ei-gg/testbench';

const ROOT = path.resolve(__dirname, '../../../..');
const NPM = requireTool('npm', 'npm');
const marker = randomUUID();
let demo: ChildProcess;
const lines: string[] = [];

afterAll(() => {
  for (const p of markedProcesses(marker)) process.kill(p.pid, 'SIGKILL');
});

/** The first output line after `from` (an index into `lines`) that matches, and its index. */
async function lineMatching(
  pattern: RegExp,
  from: number,
  timeoutMs: number,
): Promise<{ line: string; index: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = lines.findIndex((l, i) => i >= from && pattern.test(l));
    if (index >= 0) return { line: lines[index], index };
    if (Date.now() > deadline || demo.exitCode !== null)
      throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('shows results, obeys a typed command, and stops cleanly on Ctrl-C', async () => {
  demo = spawn(NPM, ['start'], {
    cwd: ROOT,
    env: { ...process.env, [TEST_MARKER_ENV]: marker },
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  createInterface({ input: demo.stdout! }).on('line', (line) => lines.push(line));

  // The first result comes after npm, the bundling of the component from its sources and the model's start.
  const first = await lineMatching(
    /^inference\/output #\d+ {2}(blue|red) \d\.\d{3} \[x \d+ y \d+ w \d+ h \d+\]/,
    0,
    30_000,
  );
  expect(lines.join('\n')).toContain('a stand-in for a model downloaded from Edge Impulse Studio');
  await lineMatching(/^summary {2}[\d.]+ inferences\/s \| seen \d+ \| published \d+ \| filtered \d+/, 0, 15_000);

  demo.stdin!.write('{"cmd":"enable_threshold_filter"}\n');
  const reply = await lineMatching(/^command\/output .*threshold_filter_config/, first.index, 15_000);
  expect(reply.line).toContain('"enabled":"yes"');
  // The thin blue stick (score about 0.65) is no longer published; the ball and the box (0.88 and more) are.
  const after = await lineMatching(/^inference\/output /, reply.index, 15_000);
  expect([...after.line.matchAll(/ (\d\.\d{3}) \[/g)].map((m) => Number(m[1])).every((score) => score >= 0.7)).toBe(
    true,
  );

  process.kill(-demo.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  expect(lines).toContain('stopping: SIGTERM to the component, as the Greengrass nucleus does');
  expect(markedProcesses(marker)).toEqual([]);
});
