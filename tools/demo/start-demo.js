#!/usr/bin/env node
// @ts-check
/**
 * `npm start`: the linux-runner component on an embedded default, with nothing but Node.js: the demo model
 * over the bundled sample images, looping, publishing to the stdout transport. This process runs the
 * component as a child (as the Greengrass nucleus would), shows its messages readably with a live summary
 * line, passes typed lines to it as commands, and on Ctrl-C stops it with SIGTERM, as the nucleus does.
 * Extra arguments go to the component (`npm start -- --set iotcore_backoff=1`).
 */
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { bundleFromSources } = require('./bundle-from-sources');
const { formatMessage } = require('./format-message');

const ROOT = path.resolve(__dirname, '../..');
const DEMO = path.join(ROOT, 'packages/linux-runner/demo');
const MODEL_FILE = path.join(DEMO, 'demo-model.js');
const IMAGES = path.join(DEMO, 'images');
/** Object detection of the red and blue objects; 40 ms per inference, about what a small model takes on a Pi. */
const MODEL = { preset: 'object-detection', inferenceMs: 40, projectName: 'ei-gg demo: red and blue objects' };
/** The nucleus's default grace between SIGTERM and SIGKILL is 5 s; the component flushes within that. */
const STOP_DEADLINE_MS = 8_000;

const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
const rel = (/** @type {string} */ p) => path.relative(process.cwd(), p) || '.';

console.log(`ei-gg demo: EdgeImpulseLinuxRunnerServiceComponent on this machine, no AWS, camera or Greengrass needed.
  model   ${rel(MODEL_FILE)}: a stand-in for a model downloaded from Edge Impulse Studio
          (object detection of red and blue objects: it really computes every box from the image)
  input   images-loop:${rel(IMAGES)} (sample frames, looping)
  output  the stdout transport: each line is a message the component would publish to AWS IoT Core
          (default configuration: iotcore_backoff 5 publishes every 5th result; metrics every second feed the summary)
Type a command and press Enter: {"cmd":"enable_threshold_filter"}  {"cmd":"get_model_info"}  {"cmd":"restart"}  {"cmd":"get_status"}
Ctrl-C stops. Arguments go to the component: npm start -- --set iotcore_backoff=1
On-demand inference: npm start -- --set inference_mode=triggered, then type {"cmd":"infer","id":"part-1"}
`);

const bundle = bundleFromSources('linux-runner');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-demo-'));
const sets = {
  ei_local_model_file: MODEL_FILE,
  input: `images-loop:${IMAGES}`,
  metrics_sleeptime_ms: '1000',
  lock_filename: path.join(workDir, 'lock'),
};
const component = spawn(
  process.execPath,
  [
    bundle,
    '--transport',
    'stdout',
    '--log-level',
    'warn',
    ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ...process.argv.slice(2),
  ],
  // Its own process group: a Ctrl-C reaches this process only, which stops the component in order.
  {
    cwd: workDir,
    env: { ...process.env, EI_DEMO_MODEL: JSON.stringify(MODEL) },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  },
);
const killGroup = () => {
  try {
    process.kill(-(/** @type {number} */ (component.pid)), 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', killGroup);

const rl = readline.createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
rl.setPrompt('> ');

/** A line above the prompt (TTY: the summary is the prompt, redrawn with what the user is typing). */
function show(/** @type {string} */ line) {
  if (!tty) return void process.stdout.write(line + '\n');
  readline.clearLine(process.stdout, 0);
  readline.cursorTo(process.stdout, 0);
  process.stdout.write(line + '\n');
  rl.prompt(true);
}

function showSummary(/** @type {string} */ summary) {
  if (!tty) return show(`summary  ${summary}`);
  rl.setPrompt(`[${summary}] > `);
  readline.clearLine(process.stdout, 0);
  readline.cursorTo(process.stdout, 0);
  rl.prompt(true);
}

readline.createInterface({ input: /** @type {import('stream').Readable} */ (component.stdout) }).on('line', (text) => {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return show(text);
  }
  const { line, summary } = formatMessage(message.topic, message.payload);
  if (line) show(line);
  if (summary) showSummary(summary);
});
readline
  .createInterface({ input: /** @type {import('stream').Readable} */ (component.stderr) })
  .on('line', (text) => show(`log  ${text}`));
component.stdin?.on('error', () => undefined);
rl.on('line', (line) => line.trim() && component.stdin?.write(line + '\n'));

/** @type {NodeJS.Timeout | undefined} */
let deadline;
function stop() {
  if (deadline || component.exitCode !== null) return;
  show('stopping: SIGTERM to the component, as the Greengrass nucleus does');
  component.kill('SIGTERM');
  deadline = setTimeout(killGroup, STOP_DEADLINE_MS);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
rl.on('SIGINT', stop); // a TTY in raw mode turns Ctrl-C into this event instead of a signal
rl.on('close', () => tty && stop()); // Ctrl-D; a closed pipe only ends the commands

component.on('exit', (code, signal) => {
  clearTimeout(deadline);
  killGroup(); // whatever the component may have left, e.g. a model after a crash
  rmSync(workDir, { recursive: true, force: true });
  const stopped = deadline !== undefined;
  if (!stopped || code !== 0) show(`the component exited (${signal ?? `code ${code}`})`);
  rl.close();
  if (tty) process.stdout.write('\n');
  process.stdout.write('', () => process.exit(code ?? 1));
});
