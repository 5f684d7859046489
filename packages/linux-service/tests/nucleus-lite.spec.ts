/**
 * The linux-service on Greengrass Nucleus Lite, in-process through the shared CLI front and host: the testbench
 * endpoint answers as Lite (no GetSecretValue), so the API key comes from Secrets Manager (a real moto_server)
 * with the credentials of the endpoint's token exchange service (real HTTP, the AWS SDK's own provider). The
 * stand-in client (tests/fixtures) records what it was given.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPONENTS, componentAccessControl } from '@ei-gg/core';
import { IpcEndpoint, startMoto, waitFor, type Moto } from '@ei-gg/testbench';
import { commandLine } from './support/processes';
import { STAND_IN, startLinuxService } from './support/host-harness';

const KIND = 'linux-service' as const;
const API_KEY = 'ei_11te5ecret0123456789abcdef';
const PARAMETERS = {
  device_name: 'lslite',
  sleep_time_sec: 1,
  lock_filename: '/tmp/ei_gg_lslite_lock',
  eiparams: '--greengrass',
};

let moto: Moto;
let endpoint: IpcEndpoint;
let work: string;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await moto.createSecret('EI_API_KEY', JSON.stringify({ ei_api_key: API_KEY }));
  work = mkdtempSync(join(tmpdir(), 'ei-gg-linux-service-lite-'));
  writeFileSync(join(work, 'video0'), '');
  endpoint = await IpcEndpoint.start({
    componentName: COMPONENTS[KIND].componentName,
    nucleus: 'lite',
    region: moto.clientConfig.region,
    configuration: { Parameters: PARAMETERS },
    policy: componentAccessControl(KIND),
  });
});
afterEach(async () => {
  await endpoint.close();
  rmSync(work, { recursive: true, force: true });
});

it('reads the key from Secrets Manager with the token exchange credentials and hands it to the client only', async () => {
  const record = join(work, 'record.json');
  const c = await startLinuxService(endpoint, work, {
    // What the recipe's Lite manifest sets; the SDK reaches moto instead of AWS.
    EI_GG_NUCLEUS: 'lite',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    STAND_IN_MODE: 'run',
    STAND_IN_RECORD: record,
  });
  try {
    await endpoint.waitForState('RUNNING');
    await waitFor(() => existsSync(record), 15_000, 'the stand-in record');
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { pid: number; argv: string[] };
    expect(seen.argv).toEqual(['--api-key', API_KEY, '--disable-microphone']);
    expect(commandLine(seen.pid)).toEqual([
      process.execPath,
      '--require',
      expect.any(String),
      STAND_IN,
      '--disable-microphone',
    ]);

    expect(endpoint.tokenExchange.requests.map((r) => [r.authorization, r.status])).toEqual([[endpoint.svcuid, 200]]);
    expect(endpoint.operations.map((o) => o.operation)).not.toContain('aws.greengrass#GetSecretValue');
    const log = c.logs.join('');
    const { secretAccessKey, sessionToken } = endpoint.tokenExchange.credentials;
    for (const secret of [API_KEY, endpoint.svcuid, secretAccessKey, sessionToken]) expect(log).not.toContain(secret);
  } finally {
    expect(await c.stop()).toBe(0);
  }
});
