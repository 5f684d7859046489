import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMPONENTS,
  componentAccessControl,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
  withTimeout,
} from '@ei-gg/core';
import { IpcEndpoint, MqttBrokerBridge, startProcess, type Mosquitto } from '@ei-gg/testbench';
import { bareClassifyLoop } from './bare-classify-loop';
import { DEMO_IMAGES, DEMO_MODEL, demoModelEnv } from './demo-model';
import { nowMs, percentile, round } from './statistics';

/** A model's fixed cost per inference: the figure is what the component adds around one. */
const INFERENCE_MS = 20;
/** Requests answered before timing starts (model start, first image reads, JIT). */
const WARMUP_REQUESTS = 10;

export interface TriggerLatencyFigures {
  /** ms from a request on the local request topic to its answer (matched by request_id) on local pub/sub. */
  trigger_rtt_ms: { p50: number; p95: number; p99: number };
  /** ms of one frame of a bare resize + `LinuxImpulseRunner.classify` loop on the same frames and model (median). */
  baseline_frame_ms: number;
  /** The bare loop's mean frame time (total time / frames). */
  baseline_frame_ms_mean: number;
  trigger_overhead_ratio: number;
  requests: number;
  inference_ms: number;
}

type LocalMessage = Parameters<Parameters<IpcEndpoint['subscribeToTopic']>[1]>[1];

/**
 * Triggered mode (on-demand inference) as an actuation component sees it: the linux runner runs as under
 * Greengrass (IPC endpoint bridged to mosquitto, the recipe's policy) with `inference_mode: triggered` over the
 * sample images; requests `{"id"}` go one at a time to its local request topic, and each waits for the answer
 * carrying its `request_id` on the local results topic. Baseline in the same run: a bare resize + classify frame.
 */
export async function triggerLatency(mosquitto: Mosquitto, requests: number): Promise<TriggerLatencyFigures> {
  const baseline = await bareClassifyLoop(requests, INFERENCE_MS);
  const rtts = await requestRoundTrips(mosquitto, requests);
  const sortedRtts = [...rtts].sort((a, b) => a - b);
  const sortedFrames = [...baseline.frameMs].sort((a, b) => a - b);
  const p50 = percentile(sortedRtts, 50);
  const frameMs = percentile(sortedFrames, 50);
  return {
    trigger_rtt_ms: { p50: round(p50), p95: round(percentile(sortedRtts, 95)), p99: round(percentile(sortedRtts, 99)) },
    baseline_frame_ms: round(frameMs),
    baseline_frame_ms_mean: round(1000 / baseline.resizeAndClassifyFps),
    trigger_overhead_ratio: round(p50 / frameMs),
    requests,
    inference_ms: INFERENCE_MS,
  };
}

async function requestRoundTrips(mosquitto: Mosquitto, requests: number): Promise<number[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-bench-trigger-'));
  const topics = deviceTopics(uniqueDeviceName('bench', readDeviceIdentitySources()));
  const requestTopic = topics.inferenceOutput.replace(/\/output$/, '/request');
  const bridge = await MqttBrokerBridge.connect(mosquitto.url);
  const endpoint = await IpcEndpoint.start({
    componentName: COMPONENTS['linux-runner'].componentName,
    configuration: {
      Parameters: {
        device_name: 'bench',
        ei_local_model_file: DEMO_MODEL,
        input: `images-loop:${DEMO_IMAGES}`,
        inference_mode: 'triggered',
        metrics_sleeptime_ms: 0,
        lock_filename: join(scratch, 'lock'),
      },
    },
    iotCore: bridge,
    policy: componentAccessControl('linux-runner'),
  });
  const answers = new Map<string, { resolve: (at: number) => void; reject: (error: Error) => void }>();
  const unsubscribe = endpoint.subscribeToTopic(
    topics.inferenceOutput,
    (_topic, message) => {
      const at = nowMs();
      const answer = parseMessage(message);
      const waiting = typeof answer.request_id === 'string' ? answers.get(answer.request_id) : undefined;
      if (!waiting) return;
      if (answer.error !== undefined)
        waiting.reject(new Error(`request ${String(answer.request_id)} answered ${JSON.stringify(answer)}`));
      else waiting.resolve(at);
    },
    'com.example.Actuator',
  );
  const runner = await startProcess(
    process.execPath,
    [require.resolve('@ei-gg/linux-runner/bin/ei-gg-linux-runner.js')],
    {
      env: { ...endpoint.env, ...demoModelEnv(INFERENCE_MS) },
    },
  );
  try {
    await endpoint.waitForOperation(
      'aws.greengrass#SubscribeToTopic',
      (request) => request.topic === requestTopic,
      20_000,
    );
    const request = async (id: string): Promise<number> => {
      const answered = new Promise<number>((resolve, reject) => answers.set(id, { resolve, reject }));
      const sent = nowMs();
      endpoint.publishToTopic(requestTopic, { id }, 'com.example.Trigger');
      try {
        return (await withTimeout(answered, 20_000, `the answer to ${id}`)) - sent;
      } finally {
        answers.delete(id);
      }
    };
    for (let i = 0; i < WARMUP_REQUESTS; i++) await request(`warmup-${i}`);
    const rtts: number[] = [];
    for (let i = 0; i < requests; i++) rtts.push(await request(`trigger-${i}`));
    return rtts;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${runner.output()}`, { cause: error });
  } finally {
    unsubscribe();
    await runner.stop(5000);
    await endpoint.close();
    await bridge.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function parseMessage(message: LocalMessage): Record<string, unknown> {
  if ('json' in message) return message.json;
  try {
    return JSON.parse(message.binary.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
