/**
 * The built linux-runner under the testbench's Greengrass IPC endpoint; the endpoint (the nucleus's socket)
 * goes away mid-stream and comes back on the same path, as when the nucleus restarts. The component reconnects,
 * subscribes again to commands and configuration, and loses no result: what it published while the socket was
 * gone waited for the new connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMPONENTS, componentAccessControl } from '@ei-gg/core';
import {
  cyclicGaps,
  ComponentProcess,
  DEMO_MODEL,
  demoModelEnv,
  InMemoryIotCore,
  IpcEndpoint,
  waitFor,
} from '@ei-gg/testbench';
import { builtBin } from './support/built-bin';
import { MAX_LOG_LINES, printFaultLine } from './support/fault-line';
import { LOOP_LENGTH, writeColourLoop } from './support/linux-runner-rig';

/** How long the nucleus's socket is gone: well within the component's 10 s bound on a waiting IPC operation. */
const OUTAGE_MS = 2000;
let dir: string;
const endpoints: IpcEndpoint[] = [];
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-faults-ipc-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  for (const endpoint of endpoints.splice(0)) await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A failed wait says what the runner logged: the only way to tell a slow reconnect from a stuck one in CI. */
function withRunnerLog<T>(waiting: Promise<T>): Promise<T> {
  return waiting.catch((error: unknown) => {
    throw new Error(`${String(error)}\nrunner log:\n${runner?.logs().slice(-6000) ?? '(no runner)'}`);
  });
}

it('the IPC socket closes mid-stream and comes back: reconnected, resubscribed, no result lost', async () => {
  const images = await writeColourLoop(dir);
  const iotCore = new InMemoryIotCore();
  const results: Array<{ at: number; c: string; total: number }> = [];
  let commandInput = '';
  await iotCore.subscribe('/edgeimpulse/device/+/inference/output', 1, (topic, payload) => {
    commandInput = topic.replace(/inference\/output$/, 'command/input');
    const parsed = JSON.parse(payload.toString()) as { c: Record<string, number>; total_inferences: number };
    results.push({ at: Date.now(), c: JSON.stringify(parsed.c), total: parsed.total_inferences });
  });
  const replies: string[] = [];
  await iotCore.subscribe('/edgeimpulse/device/+/command/output', 1, (_topic, payload) =>
    replies.push(payload.toString()),
  );
  const options = {
    componentName: COMPONENTS['linux-runner'].componentName,
    socketPath: path.join(dir, 'ipc.socket'),
    svcuid: 'faults-svcuid',
    configuration: {
      Parameters: {
        device_name: 'faults',
        input: `images-loop:${images}`,
        ei_local_model_file: DEMO_MODEL,
        iotcore_backoff: 0,
        metrics_sleeptime_ms: 0,
        sleep_time_sec: 1,
        lock_filename: path.join(dir, 'lock'),
      },
    },
    policy: componentAccessControl('linux-runner'),
    iotCore,
  };
  const first = await IpcEndpoint.start(options);
  endpoints.push(first);
  runner = ComponentProcess.node(builtBin('linux-runner'), [], {
    env: { ...first.env, ...demoModelEnv({ preset: 'image-classification', inferenceMs: 20 }) },
    cwd: dir,
  });
  await first.waitForState('RUNNING', 20_000);
  await withRunnerLog(waitFor(() => results.length >= LOOP_LENGTH, 20_000, 'a first lap of results'));
  const fingerprints = results.slice(0, LOOP_LENGTH).map((r) => r.c);
  expect(new Set(fingerprints).size).toBe(LOOP_LENGTH);

  const faultAt = Date.now();
  await first.close();
  endpoints.splice(endpoints.indexOf(first), 1);
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  const second = await IpcEndpoint.start(options);
  endpoints.push(second);
  const backAt = Date.now();
  await withRunnerLog(
    second.waitForOperation(
      'aws.greengrass#SubscribeToIoTCore',
      (request) => String(request.topicName).endsWith('/command/input'),
      20_000,
    ),
  );
  await withRunnerLog(second.waitForOperation('aws.greengrass#SubscribeToConfigurationUpdate', () => true, 20_000));
  await withRunnerLog(waitFor(() => results.some((r) => r.at > backAt), 20_000, 'a result after the socket came back'));
  const firstAfter = results.find((r) => r.at > backAt)!;
  const lastTotal = results.at(-1)!.total;
  await withRunnerLog(waitFor(() => results.at(-1)!.total >= lastTotal + LOOP_LENGTH, 20_000, 'another lap'));

  // Commands reach the component again: its subscription was renewed on the new connection.
  await iotCore.publish(commandInput, Buffer.from(JSON.stringify({ cmd: 'get_status', id: 'after-ipc' })), 1);
  await withRunnerLog(waitFor(() => replies.some((r) => r.includes('"after-ipc"')), 20_000, 'the reply to get_status'));
  const status = JSON.parse(replies.find((r) => r.includes('"after-ipc"'))!) as {
    result: { status: { messages: { failed: number } } };
  };
  const totals = results.map((r) => r.total);
  // Every inference was published, in order, once: the count has no gap and no repeat.
  expect(totals).toEqual(totals.map((_, i) => totals[0] + i));
  const lost = cyclicGaps(
    results.map((r) => fingerprints.indexOf(r.c)),
    LOOP_LENGTH,
  );
  expect(lost).toBe(0);
  expect(status.result.status.messages.failed).toBe(0);
  const logLines = runner.logLinesBetween(faultAt, firstAfter.at);
  expect(logLines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
  printFaultLine('ipc-socket-restart', { lost, recovery_ms: firstAfter.at - backAt, log_lines: logLines.length });
});
