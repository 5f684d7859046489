import { Logger, withTimeout } from '@ei-gg/core';
import { ModelSession, oneImpulseRunner } from '@ei-gg/linux-runner';
import { freePort } from '@ei-gg/testbench';
import { DEMO_MODEL, demoModelEnv } from './demo-model';
import { startLinuxRunnerBin } from './linux-runner-bin';
import { nowMs, round } from './statistics';

/** Requests before timing starts (model start, JIT, connections). */
const WARMUP = 10;
/** Clients' requests in flight at once: the API queues them for the one model (its queue holds 1 + 8). */
const IN_FLIGHT = 4;
/** The demo model's object detection: 64x64 packed RGB pixels, a red square on black. */
const FEATURES = Array.from({ length: 64 * 64 }, (_, i) => (i % 64 < 16 && i < 16 * 64 ? 0xff0000 : 0));

export interface HttpApiRun {
  /** API requests/s of the component / classifications/s of the bare loop. */
  ratio: number;
  api_requests_per_s: number;
  classify_loop_per_s: number;
  inference_ms: number;
}

export interface HttpApiFigures {
  /** With a model's compute per inference (20 ms): the share of the model's rate the API keeps. */
  model: HttpApiRun;
  /** With an instant model: the API's own cost per request shows undiluted. */
  instant: HttpApiRun;
  requests: number;
  in_flight: number;
}

/**
 * `POST /api/features` requests per second of the linux runner's HTTP API (the component process, triggered
 * mode so that its input loop stays idle, IN_FLIGHT clients on keep-alive connections) against a bare loop of
 * `ModelSession.classify` on the same features with the same model, both in this run.
 */
export async function httpApiThroughput(requests: number): Promise<HttpApiFigures> {
  return {
    model: await run(requests, 20),
    instant: await run(requests, 0),
    requests,
    in_flight: IN_FLIGHT,
  };
}

async function run(requests: number, inferenceMs: number): Promise<HttpApiRun> {
  const loop = await classifyLoop(requests, inferenceMs);
  const api = await apiRate(requests, inferenceMs);
  return {
    ratio: round(api / loop),
    api_requests_per_s: round(api, 1),
    classify_loop_per_s: round(loop, 1),
    inference_ms: inferenceMs,
  };
}

async function classifyLoop(requests: number, inferenceMs: number): Promise<number> {
  Object.assign(process.env, demoModelEnv(inferenceMs)); // the model process inherits this process's environment
  const session = await ModelSession.open(
    DEMO_MODEL,
    oneImpulseRunner()(DEMO_MODEL, { verbose: false, shmBehavior: 'auto' }),
    new Logger({ level: 'silent' }),
  );
  try {
    for (let i = 0; i < WARMUP; i++) await session.classify(FEATURES);
    const start = nowMs();
    for (let i = 0; i < requests; i++) await session.classify(FEATURES);
    return (requests / (nowMs() - start)) * 1000;
  } finally {
    await session.stop();
    delete process.env.EI_DEMO_MODEL;
  }
}

async function apiRate(requests: number, inferenceMs: number): Promise<number> {
  const port = await freePort();
  const component = startLinuxRunnerBin(inferenceMs, {
    inference_mode: 'triggered',
    http_server_port: String(port),
  });
  try {
    const started = new Promise<void>((resolve) =>
      component.onMessage((message) => {
        if (message.topic.endsWith('/command/output') && message.payload.result?.status === 'started') resolve();
      }),
    );
    await withTimeout(started, 60_000, 'the linux runner to start');
    const url = `http://127.0.0.1:${port}/api/features`;
    const body = JSON.stringify({ features: FEATURES });
    let sent = 0;
    const client = async (total: number) => {
      while (sent < total) {
        sent++;
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`POST /api/features answered ${response.status}`);
      }
    };
    const clients = (total: number) => Promise.all(Array.from({ length: IN_FLIGHT }, () => client(total)));
    await clients(WARMUP);
    sent = 0;
    const start = nowMs();
    await withTimeout(clients(requests), 300_000, `${requests} HTTP API requests`);
    return (requests / (nowMs() - start)) * 1000;
  } finally {
    await component.stop();
  }
}
