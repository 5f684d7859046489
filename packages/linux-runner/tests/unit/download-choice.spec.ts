/**
 * The download flags (--force-target, --force-variant / --quantized, --force-engine, --impulse-id) reach Studio's
 * calls as edge-impulse-linux-runner sends them (a local stand-in following the real API), and each forced build
 * is stored apart, so a forced variant never runs another variant's model.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger, parseParameters } from '@ei-gg/core';
import { downloadModel } from '../../src/model/download-model';
import { ModelStore } from '../../src/model/model-store';
import { StudioApi } from '../../src/model/studio-api';
import { runnerSettings } from '../../src/settings/runner-settings';
import { StudioStandIn } from '../support/studio-stand-in';

const API_KEY = 'ei_ch01ce5ecret0123456789abcdef';
let studio: StudioStandIn;
let dir: string;

beforeEach(async () => {
  studio = await StudioStandIn.start(API_KEY);
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-choice-'));
});
afterEach(async () => {
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Downloads as the runner does with these flags (the target given, as there is no detection to test here). */
function download(eiparams: string): Promise<string> {
  const { model } = runnerSettings(parseParameters('linux-runner', { eiparams }).config);
  return downloadModel({
    api: new StudioApi({ baseUrl: studio.url, apiKey: API_KEY, pollMs: 10 }),
    store: new ModelStore(path.join(dir, 'models')),
    choice: { type: model.target!, variant: model.variant, engine: model.engine, impulseId: model.impulseId },
    logger: new Logger({ level: 'silent' }),
  });
}

it('forced target, variant, engine and impulse reach every call, and the model is stored under them', async () => {
  const file = await download(
    '--force-target runner-linux-armv7 --force-variant int8 --force-engine tensorrt --impulse-id 2',
  );
  const query = 'type=runner-linux-armv7&modelType=int8&impulseId=2';
  expect(studio.requests).toEqual([
    'GET /v1/api/projects',
    `GET /v1/api/4242/deployment?${query}`,
    'POST /v1/api/4242/jobs/build-ondevice-model?type=runner-linux-armv7&impulseId=2',
    'GET /v1/api/4242/jobs/77/status',
    `GET /v1/api/4242/deployment?${query}`,
    `GET /v1/api/4242/deployment/download?${query}`,
  ]);
  expect(studio.builds).toEqual([{ engine: 'tensorrt', modelType: 'int8' }]);
  expect(path.relative(dir, file)).toBe(
    path.join('models', '4242', 'v1-runner-linux-armv7-int8-tensorrt-impulse2', 'model.eim'),
  );
});

it('--quantized asks for int8; without flags only the type is sent and the model is stored as before', async () => {
  await download('--force-target runner-linux-aarch64 --quantized');
  expect(studio.requests).toContain('GET /v1/api/4242/deployment/download?type=runner-linux-aarch64&modelType=int8');
  expect(studio.builds).toEqual([{ engine: 'tflite', modelType: 'int8' }]);

  studio.requests.length = 0;
  studio.state.version = 2;
  await download('--force-target runner-linux-aarch64');
  expect(studio.requests).toContain('GET /v1/api/4242/deployment/download?type=runner-linux-aarch64');
  // The int8 build of version 1 and the default build of version 2 are different models: both stay.
  expect(readdirSync(path.join(dir, 'models', '4242')).sort()).toEqual([
    'v1-runner-linux-aarch64-int8',
    'v2-runner-linux-aarch64',
  ]);
});
