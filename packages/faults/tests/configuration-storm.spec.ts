/**
 * The built linux-runner under the testbench's Greengrass IPC endpoint (real wire protocol, the recipe's
 * policy), its configuration changed 100 times within a second by the endpoint's configuration store, as a
 * flapping deployment would: the last valid configuration wins, the pipeline restarts at most once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMPONENTS, componentAccessControl } from '@ei-gg/core';
import {
  ComponentProcess,
  DEMO_MODEL,
  demoModelEnv,
  InMemoryIotCore,
  IpcEndpoint,
  solidImage,
  waitFor,
} from '@ei-gg/testbench';
import { builtBin } from './support/built-bin';
import { MAX_LOG_LINES, printFaultLine } from './support/fault-line';

const UPDATES = 100;
let dir: string;
let endpoint: IpcEndpoint | undefined;
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-faults-storm-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  await endpoint?.close();
  endpoint = undefined;
  rmSync(dir, { recursive: true, force: true });
});

it('100 configuration updates in a second: the last valid one wins, at most one pipeline restart', async () => {
  const red = path.join(dir, 'red');
  const blue = path.join(dir, 'blue');
  await solidImage(path.join(red, 'r.png'), { r: 250, g: 10, b: 10 });
  await solidImage(path.join(blue, 'b.png'), { r: 10, g: 10, b: 250 });
  const parameters = (input: string, threshold: unknown) => ({
    Parameters: {
      device_name: 'faults',
      input: `images-loop:${input}`,
      ei_local_model_file: DEMO_MODEL,
      iotcore_backoff: 0,
      metrics_sleeptime_ms: 0,
      sleep_time_sec: 1,
      lock_filename: path.join(dir, 'lock'),
      default_threshold: threshold,
    },
  });
  const iotCore = new InMemoryIotCore();
  endpoint = await IpcEndpoint.start({
    componentName: COMPONENTS['linux-runner'].componentName,
    configuration: parameters(blue, 0.5),
    policy: componentAccessControl('linux-runner'),
    iotCore,
  });
  const ep = endpoint;
  runner = ComponentProcess.node(builtBin('linux-runner'), [], {
    env: { ...ep.env, ...demoModelEnv({ preset: 'image-classification', inferenceMs: 5 }) },
    cwd: dir,
  });
  await ep.waitForState('RUNNING', 20_000);
  const results = () => ep.published.filter((m) => m.topic.endsWith('/inference/output'));
  const starts = () =>
    ep.published.filter((m) => m.topic.endsWith('/command/output') && m.payload.toString().includes('"started"'));
  const topLabel = (payload: Buffer) => {
    const c = (JSON.parse(payload.toString()) as { c: Record<string, number> }).c;
    return Object.entries(c).sort((a, b) => b[1] - a[1])[0][0];
  };
  await waitFor(() => results().length > 0, 20_000, 'a first result');
  const commandTopic = () => results()[0].topic.replace(/inference\/output$/, 'command/input');
  expect(topLabel(results()[0].payload)).toBe('blue');
  const startsBefore = starts().length;

  const stormAt = Date.now();
  // Alternating red and blue images, every seventh update invalid (a threshold that is no number); the last
  // one valid: red, threshold 0.599. The nucleus notifies per update, in bursts of ten.
  for (let i = 0; i < UPDATES; i++) {
    const invalid = i % 7 === 3;
    ep.updateConfiguration(parameters(i % 2 === 1 ? red : blue, invalid ? 'banana' : 0.5 + i / 1000));
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 90));
  }
  const stormEndedAt = Date.now();
  const resultsAtStormEnd = results().length;
  await waitFor(
    () =>
      results()
        .slice(resultsAtStormEnd)
        .filter((m) => topLabel(m.payload) === 'red').length >= 5,
    30_000,
    'red results after the storm',
  );
  expect(
    results()
      .slice(-3)
      .map((m) => topLabel(m.payload)),
  ).toEqual(['red', 'red', 'red']);
  const replies = ep.published.length;
  await iotCore.publish(commandTopic(), Buffer.from(JSON.stringify({ cmd: 'get_threshold_filter_config' })), 1);
  await waitFor(() => ep.published.slice(replies).some((m) => m.topic.endsWith('/command/output')), 20_000, 'a reply');
  const reply = ep.published.slice(replies).find((m) => m.topic.endsWith('/command/output'))!;
  expect(JSON.parse(reply.payload.toString())).toMatchObject({
    result: { threshold_filter_config: { confidence_threshold: 0.599 } },
  });
  const settledAt = Date.now();
  const restarts = starts().length - startsBefore;
  const logLines = runner.logLinesBetween(stormAt, settledAt);
  expect(restarts).toBeLessThanOrEqual(1);
  // One line per configuration the component applied (the nucleus notified in bursts of ten; an event that
  // changes nothing is not logged), the invalid one once, and the restart's handful: not a line per event.
  expect(logLines.filter((l) => l.includes('configuration update rejected')).length).toBeLessThanOrEqual(1);
  expect(logLines.length).toBeLessThanOrEqual(UPDATES / 10 + MAX_LOG_LINES);
  printFaultLine('configuration-storm', {
    lost: 0,
    recovery_ms: settledAt - stormEndedAt,
    log_lines: logLines.length,
  });
});
