/**
 * Issue 17's full-disk fault as the operator meets it: a component hosted by the real CLI front and
 * ComponentHost, over Greengrass IPC (the testbench endpoint, real wire protocol) to a real broker where a
 * client plays the cloud, with its file cache on a 200 KiB tmpfs (root; see tests/support/small-tmpfs.ts).
 * Counted: results on inference/output, log lines on stderr, notices on command/output, get_status, metrics.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IpcEndpoint, startIotCore, type IotCoreStandIn, type TestMqttClient } from '@ei-gg/testbench';
import { FileCache, MIB } from '../../src/caches/file-cache';
import { InferenceCaches } from '../../src/caches/inference-caches';
import type { ComponentContext } from '../../src/cli/run-component-cli';
import { COMPONENTS } from '../../src/component-kind';
import { readDeviceIdentitySources, uniqueDeviceName } from '../../src/identity/device-name';
import { deviceTopics } from '../../src/identity/topics';
import { inferenceOutputFeature } from '../../src/features/inference-output-feature';
import { runnerFeatures } from '../../src/features/runner-features';
import { componentAccessControl } from '../../src/recipe/access-control';
import type { InferenceResult } from '../../src/results/inference-result';
import { startHosted } from '../support/host-harness';
import { mountSmallTmpfs, type SmallTmpfs } from '../support/small-tmpfs';

const KIND = 'linux-runner' as const;
const NAME = COMPONENTS[KIND].componentName;
const DEVICE = uniqueDeviceName('cachefault', readDeviceIdentitySources());
const TOPICS = deviceTopics(DEVICE);
const PARAMETERS = {
  device_name: 'cachefault',
  iotcore_backoff: '1',
  metrics_sleeptime_ms: 500,
  lock_filename: '/tmp/ei_gg_cachefault_lock',
};
const IMAGE = Buffer.alloc(8 * 1024, 3);
const result: InferenceResult = {
  classification: { go: 0.8, stop: 0.2 },
  timing: { dspMs: 3, classificationMs: 2, anomalyMs: 0 },
};

let iot: IotCoreStandIn;
let endpoint: IpcEndpoint;
let cloud: TestMqttClient;
let tmp: string;
let disk: SmallTmpfs | undefined;

beforeAll(async () => {
  iot = await startIotCore();
});
afterAll(async () => {
  await iot?.stop();
});
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ei-gg-cache-host-'));
  cloud = await iot.cloudClient(`/edgeimpulse/device/${DEVICE}/#`);
  endpoint = await IpcEndpoint.start({
    componentName: NAME,
    configuration: { Parameters: PARAMETERS },
    iotCore: iot.bridge,
    policy: componentAccessControl(KIND),
  });
});
afterEach(async () => {
  await endpoint.close();
  await cloud.close();
  await disk?.unmount();
  disk = undefined;
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The component in-process through the real CLI front, with linux-runner's output stage over the test's caches. */
async function startComponent(openCaches: (context: ComponentContext<typeof KIND>) => Promise<InferenceCaches>) {
  let opened: InferenceCaches | undefined;
  const c = await startHosted(KIND, {
    env: { ...endpoint.env },
    features: async (host) => {
      const caches = (opened = await openCaches(host.context));
      const publishImage = () => host.config.current.publish_inference_base64_image;
      return { ...runnerFeatures(host), output: inferenceOutputFeature(host, { caches, publishImage }) };
    },
  });
  const stop = async () => {
    const code = await c.stop();
    opened?.close();
    return code;
  };
  return { ...c, stop };
}

type Result = Record<string, unknown>;
const output = async (): Promise<Result> =>
  (await cloud.nextMessage(TOPICS.commandOutput, 20_000)).json<{ result: Result }>().result;

async function command(body: object): Promise<Result> {
  await cloud.publish(TOPICS.commandInput, body, { qos: 1 });
  return output();
}

/** The next metrics message that satisfies `wanted` (they come every 500 ms). */
async function metricsWhere(wanted: (caches: Record<string, Record<string, unknown>>) => boolean): Promise<Result> {
  for (let i = 0; i < 40; i++) {
    const metrics = (await cloud.nextMessage(TOPICS.modelMetrics, 10_000)).json<Result>();
    if (metrics.caches && wanted(metrics.caches as Record<string, Record<string, unknown>>)) return metrics;
  }
  throw new Error('no metrics message showed the expected cache state');
}

/** The caches' log lines (the caches log with `part: caches`). */
const cacheLines = (logs: string[]) => logs.map((l) => JSON.parse(l) as Result).filter((l) => l.part === 'caches');

it('a full disk: results keep flowing, one log line, one notice when caching stops and one when it resumes', async () => {
  disk = await mountSmallTmpfs(path.join(tmp, 'disk'), 200);
  const directory = path.join(disk.path, 'cache');
  let now = Date.now();
  const c = await startComponent(async (context) => {
    // The bound is larger than the disk, as the default 100 MiB is on a small, nearly full device.
    const local = await FileCache.open({ directory, maxBytes: MIB });
    return new InferenceCaches({
      local,
      logger: context.logger.child({ part: 'caches' }),
      faultLog: { clock: () => now },
    });
  });
  try {
    expect(await output()).toMatchObject({ status: 'started' });
    for (let i = 0; i < 340; i++) {
      expect(await c.services.inference.process(result, IMAGE)).toBe('queued');
      now += 25; // 340 inferences in 8.5 s, as observed
    }
    // Every result reached the cloud although caching failed for most of them.
    expect(await cloud.collect(TOPICS.inferenceOutput, 340, 30_000)).toHaveLength(340);

    const failing = await output();
    expect(failing).toEqual({
      status: 'cache_failing',
      cache: 'file',
      code: 'CACHE_WRITE_FAILED/ENOSPC',
      error: expect.stringMatching(/no space left on device/),
      since: expect.any(Number),
      ts: expect.any(Number),
      id: expect.any(String),
    });
    // The next messages on command/output are the answers to get_status: no notice per failed inference.
    // Cache writes run one at a time after publishing: ask until all 340 are accounted for.
    const settled = async (): Promise<{ caches: Result }> => {
      for (let asked = 0; asked < 200; asked++) {
        const { status } = (await command({ cmd: 'get_status' })) as { status: { caches: Result } };
        const file = status.caches.file as { entries: number; failures?: number };
        if (file.entries + (file.failures ?? 0) >= 340) return status;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the cache did not account for all 340 results');
    };
    const status = await settled();
    expect(status.caches).toEqual({
      file: {
        state: 'failing',
        code: 'CACHE_WRITE_FAILED/ENOSPC',
        error: expect.stringMatching(/no space left on device/), // the latest failure's
        since: failing.since,
        failures: expect.any(Number),
        last_failure: expect.any(Number),
        entries: expect.any(Number),
        bytes: expect.any(Number),
        max_bytes: MIB,
        evicted: 0,
      },
    });
    const cached = (status.caches.file as { entries: number }).entries;
    expect(cached).toBeGreaterThan(0);
    expect((status.caches.file as { failures: number }).failures).toBe(340 - cached);
    await metricsWhere((caches) => caches.file?.state === 'failing');

    // The log: one line for 340 - cached failures.
    expect(cacheLines(c.logs).map((l) => [l.level, l.msg])).toEqual([['error', 'file cache write failed']]);

    // The operator clears the cache; space is back, and the next inference is cached: one notice.
    expect(await command({ cmd: 'clear_cache' })).toEqual({ clear_cache: { local: 'OK', s3: 'OK' } });
    now += 10_000;
    await c.services.inference.process(result, IMAGE);
    expect(await output()).toEqual({
      status: 'cache_resumed',
      cache: 'file',
      since: failing.since,
      failures: 340 - cached,
      ts: expect.any(Number),
      id: expect.any(String),
    });
    const after = (await command({ cmd: 'get_status' })) as { status: { caches: { file: Result } } };
    expect(after.status.caches.file).toEqual({
      state: 'ok',
      entries: 1,
      bytes: expect.any(Number),
      max_bytes: MIB,
      evicted: 0,
    });
    await metricsWhere((caches) => caches.file?.state === 'ok');
    expect(cacheLines(c.logs).map((l) => [l.level, l.msg])).toEqual([
      ['error', 'file cache write failed'],
      ['info', 'file cache write recovered'],
    ]);
    expect(await fs.readdir(directory)).toHaveLength(2);
  } finally {
    expect(await c.stop()).toBe(0);
  }
});

it('the bound: the oldest pairs are evicted, counted in get_status and in the metrics message', async () => {
  const directory = path.join(tmp, 'cache');
  const c = await startComponent(async (context) => {
    const local = await FileCache.open({ directory, maxBytes: 30 * 1024 }); // three pairs of 8 KiB frames
    return new InferenceCaches({ local, logger: context.logger.child({ part: 'caches' }) });
  });
  try {
    expect(await output()).toMatchObject({ status: 'started' });
    for (let i = 0; i < 10; i++) await c.services.inference.process(result, IMAGE);
    await cloud.collect(TOPICS.inferenceOutput, 10, 20_000);
    const metrics = await metricsWhere((caches) => caches.file?.evicted === 7);
    expect(metrics.caches).toEqual({
      file: { state: 'ok', entries: 3, bytes: expect.any(Number), max_bytes: 30 * 1024, evicted: 7 },
    });
    const { status } = (await command({ cmd: 'get_status' })) as { status: { caches: { file: Result } } };
    expect(status.caches.file).toMatchObject({ state: 'ok', entries: 3, evicted: 7 });
    expect((status.caches.file.bytes as number) <= 30 * 1024).toBe(true);
    expect((await fs.readdir(directory)).length).toBe(6);
    expect(await command({ cmd: 'clear_cache' })).toEqual({ clear_cache: { local: 'OK', s3: 'OK' } });
    expect(await fs.readdir(directory)).toEqual([]);
    const cleared = (await command({ cmd: 'get_status' })) as { status: { caches: { file: Result } } };
    expect(cleared.status.caches.file).toMatchObject({ entries: 0, bytes: 0, evicted: 7 });
  } finally {
    expect(await c.stop()).toBe(0);
  }
});
