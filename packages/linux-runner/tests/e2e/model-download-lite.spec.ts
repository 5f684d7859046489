/**
 * The model from Studio (a local stand-in) on Greengrass Nucleus Lite, which has no GetSecretValue over IPC:
 * the key comes from Secrets Manager (a real moto_server) with the credentials of the endpoint's token exchange
 * service (real HTTP, the AWS SDK's own provider), as the recipe's Lite manifest arranges (EI_GG_NUCLEUS=lite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  COMPONENTS,
  componentAccessControl,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
} from '@ei-gg/core';
import { IpcEndpoint, startMoto, type Moto } from '@ei-gg/testbench';
import { RunnerProcess } from '../support/runner-process';
import { RED, solidImage } from '../support/sample-images';
import { StudioStandIn } from '../support/studio-stand-in';

const API_KEY = 'ei_11te0d0wnl0ad5ecret0123456789ab';
const TOPICS = deviceTopics(uniqueDeviceName('lr-lite', readDeviceIdentitySources()));
let dir: string;
let moto: Moto;
let studio: StudioStandIn;
let endpoint: IpcEndpoint;
let runner: RunnerProcess | undefined;

beforeAll(async () => {
  moto = await startMoto();
  const admin = new SecretsManagerClient(moto.clientConfig);
  try {
    await admin.send(
      new CreateSecretCommand({ Name: 'EI_API_KEY', SecretString: JSON.stringify({ ei_api_key: API_KEY }) }),
    );
  } finally {
    admin.destroy();
  }
});
afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-lite-'));
  studio = await StudioStandIn.start(API_KEY);
  const images = path.join(dir, 'images');
  await solidImage(path.join(images, 'red.png'), RED);
  endpoint = await IpcEndpoint.start({
    componentName: COMPONENTS['linux-runner'].componentName,
    nucleus: 'lite',
    region: moto.clientConfig.region,
    configuration: {
      Parameters: {
        device_name: 'lr-lite',
        input: `images:${images}`,
        iotcore_backoff: 0,
        metrics_sleeptime_ms: 0,
        lock_filename: path.join(dir, 'lock'),
        ei_shutdown_behavior: 'wait_for_restart',
      },
    },
    policy: componentAccessControl('linux-runner'),
  });
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  await endpoint.close();
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads the key through the token exchange service and Secrets Manager, and downloads the model with it', async () => {
  runner = new RunnerProcess({
    args: [],
    env: {
      ...endpoint.env,
      EI_GG_NUCLEUS: 'lite',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      EI_GG_STUDIO_URL: studio.url,
    },
    cwd: dir,
  });
  const ended = (m: { topic: string; payload: Buffer }) =>
    m.topic === TOPICS.commandOutput && m.payload.toString().includes('input_ended');
  await endpoint.waitForPublish(ended, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${runner!.logs()}`);
  });

  // Studio saw the key (it answers only to it); the nucleus was never asked for it.
  expect(studio.requests[0]).toBe('GET /v1/api/projects');
  expect(studio.requests.some((r) => r.includes('/download'))).toBe(true);
  expect(endpoint.tokenExchange.requests.map((r) => [r.authorization, r.status])).toEqual([[endpoint.svcuid, 200]]);
  expect(endpoint.operations.map((o) => o.operation)).not.toContain('aws.greengrass#GetSecretValue');
  for (const { command, environ } of runner.survivors()) {
    expect(command).not.toContain(API_KEY);
    expect(environ).not.toContain(API_KEY);
  }
  expect(await runner.terminate()).toEqual({ code: 0, signal: null });
  const { secretAccessKey, sessionToken } = endpoint.tokenExchange.credentials;
  for (const secret of [API_KEY, secretAccessKey, sessionToken]) expect(runner.logs()).not.toContain(secret);
});
