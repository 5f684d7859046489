/**
 * The model from Studio (a local stand-in following the real API): the key comes from the secret through
 * Greengrass IPC, the first start builds and downloads, the next reuses, a newer deploy version replaces the
 * stored one, and a failed download leaves the previous model running.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { RunnerDownloader } from 'edge-impulse-linux/build/cli/linux/runner-downloader';
import { ModelDownloadBench } from '../support/model-download-bench';

const API_KEY = 'ei_d0wnl0ad5ecret0123456789abcdef';
let bench: ModelDownloadBench;

beforeEach(async () => {
  bench = await ModelDownloadBench.start('lr-dl', API_KEY, {
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: API_KEY }) },
  });
});

afterEach(async () => {
  await bench?.close();
});

/** One start of the component until its single image is classified; then SIGTERM. Returns its logs. */
async function runOnce(): Promise<string> {
  bench.startRunner();
  await bench.inputEnded(45_000);
  return bench.terminateKeepingKeySecret();
}

const startedVersion = (logs: string) => Number(/"msg":"model started".*?"deploy_version":(\d+)/.exec(logs)?.[1]);

it('builds and downloads on the first start, reuses it next, replaces it with a newer version, keeps it when a download fails', async () => {
  const { studio, dir } = bench;
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
  bench.studio.state.version = 2;
  bench.studio.state.failDownload = true;
  const runner = bench.startRunner();
  expect((await runner.exited).code).toBe(1);
  await bench.endpoint.waitForState('ERRORED');
  expect(runner.logs()).toContain('with HTTP 500');
  expect(runner.logs()).not.toContain(API_KEY);
});
