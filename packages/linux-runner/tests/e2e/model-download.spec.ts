/**
 * The model from Studio (a local stand-in following the real API): the key comes from the secret through
 * Greengrass IPC, the first start builds and downloads, the next reuses, a newer deploy version replaces the
 * stored one, and a failed download leaves the previous model running.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  COMPONENTS,
  componentAccessControl,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
} from '@ei-gg/core';
import { IpcEndpoint } from '@ei-gg/testbench';
import { RunnerDownloader } from 'edge-impulse-linux/build/cli/linux/runner-downloader';
import { RunnerProcess } from '../support/runner-process';
import { RED, solidImage } from '../support/sample-images';
import { StudioStandIn } from '../support/studio-stand-in';

const API_KEY = 'ei_d0wnl0ad5ecret0123456789abcdef';
const TOPICS = deviceTopics(uniqueDeviceName('lr-dl', readDeviceIdentitySources()));
let dir: string;
let studio: StudioStandIn;
let endpoint: IpcEndpoint;
let runner: RunnerProcess | undefined;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-dl-'));
  studio = await StudioStandIn.start(API_KEY);
  const images = path.join(dir, 'images');
  await solidImage(path.join(images, 'red.png'), RED);
  endpoint = await IpcEndpoint.start({
    componentName: COMPONENTS['linux-runner'].componentName,
    configuration: {
      Parameters: {
        device_name: 'lr-dl',
        input: `images:${images}`,
        iotcore_backoff: 0,
        metrics_sleeptime_ms: 0,
        lock_filename: path.join(dir, 'lock'),
        ei_shutdown_behavior: 'wait_for_restart',
      },
    },
    policy: componentAccessControl('linux-runner'),
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: API_KEY }) },
  });
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  await endpoint.close();
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One start of the component until its single image is classified; then SIGTERM. Returns its logs. */
async function runOnce(): Promise<string> {
  const published = endpoint.published.length;
  runner = new RunnerProcess({ args: [], env: { ...endpoint.env, EI_GG_STUDIO_URL: studio.url }, cwd: dir });
  const ended = (m: { topic: string; payload: Buffer }) =>
    m.topic === TOPICS.commandOutput && m.payload.toString().includes('input_ended');
  await endpoint
    .waitForPublish((m) => endpoint.published.indexOf(m) >= published && ended(m), 15_000)
    .catch((err) => {
      throw new Error(`${err.message}\n${runner!.logs()}`);
    });
  // The key is in no process's command line or environment, and in no log line.
  for (const { command, environ } of runner.survivors()) {
    expect(command).not.toContain(API_KEY);
    expect(environ).not.toContain(API_KEY);
  }
  expect(await runner.terminate()).toEqual({ code: 0, signal: null });
  expect(runner.logs()).not.toContain(API_KEY);
  return runner.logs();
}

const startedVersion = (logs: string) => Number(/"msg":"model started".*?"deploy_version":(\d+)/.exec(logs)?.[1]);

it('builds and downloads on the first start, reuses it next, replaces it with a newer version, keeps it when a download fails', async () => {
  const type = await RunnerDownloader.getDeploymentType(undefined);
  const models = path.join(dir, 'models', String(studio.projectId));
  studio.state.nextBuildVersion = 3;

  let logs = await runOnce();
  expect(studio.requests).toEqual([
    'GET /v1/api/projects',
    `GET /v1/api/4242/deployment?type=${type}`,
    `POST /v1/api/4242/jobs/build-ondevice-model?type=${type}`,
    'GET /v1/api/4242/jobs/77/status',
    `GET /v1/api/4242/deployment?type=${type}`,
    `GET /v1/api/4242/deployment/download?type=${type}`,
  ]);
  expect(startedVersion(logs)).toBe(3);
  const v3 = path.join(models, `v3-${type}`, 'model.eim');
  expect(statSync(v3).mode & 0o777).toBe(0o700);

  studio.requests.length = 0;
  logs = await runOnce();
  expect(studio.requests.some((r) => r.includes('/download'))).toBe(false);
  expect(logs).toContain('model is up to date; not downloading');
  expect(startedVersion(logs)).toBe(3);

  studio.state.version = 4;
  logs = await runOnce();
  expect(startedVersion(logs)).toBe(4);
  expect(readdirSync(models)).toEqual([`v4-${type}`]);

  studio.state.version = 5;
  studio.state.failDownload = true;
  logs = await runOnce();
  expect(logs).toContain('downloading the model failed; running the newest model already here');
  expect(startedVersion(logs)).toBe(4);
  expect(readdirSync(models)).toEqual([`v4-${type}`]);
  expect(readdirSync(path.join(models, `v4-${type}`))).toEqual(['model.eim']);
  expect(existsSync(v3)).toBe(false);
});

it('without a stored model, a failed download fails the start: ERRORED, non-zero exit, the reason logged', async () => {
  studio.state.version = 2;
  studio.state.failDownload = true;
  runner = new RunnerProcess({ args: [], env: { ...endpoint.env, EI_GG_STUDIO_URL: studio.url }, cwd: dir });
  expect((await runner.exited).code).toBe(1);
  await endpoint.waitForState('ERRORED');
  expect(runner.logs()).toContain('with HTTP 500');
  expect(runner.logs()).not.toContain(API_KEY);
});
