/**
 * The model from Studio (a local stand-in) on Greengrass Nucleus Lite, which has no GetSecretValue over IPC:
 * the key comes from Secrets Manager (a real moto_server) with the credentials of the endpoint's token exchange
 * service (real HTTP, the AWS SDK's own provider), as the recipe's Lite manifest arranges (EI_GG_NUCLEUS=lite).
 */
import { startMoto, type Moto } from '@ei-gg/testbench';
import { ModelDownloadBench } from '../support/model-download-bench';

const API_KEY = 'ei_11te0d0wnl0ad5ecret0123456789ab';
let moto: Moto;
let bench: ModelDownloadBench;

beforeAll(async () => {
  moto = await startMoto();
  await moto.createSecret('EI_API_KEY', JSON.stringify({ ei_api_key: API_KEY }));
});
afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  bench = await ModelDownloadBench.start('lr-lite', API_KEY, { nucleus: 'lite', region: moto.clientConfig.region });
});

afterEach(async () => {
  await bench?.close();
});

it('reads the key through the token exchange service and Secrets Manager, and downloads the model with it', async () => {
  const { studio, endpoint } = bench;
  const runner = bench.startRunner({ EI_GG_NUCLEUS: 'lite', AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint });
  await bench.inputEnded(30_000);

  // Studio saw the key (it answers only to it); the nucleus was never asked for it.
  expect(studio.requests[0]).toBe('GET /v1/api/projects');
  expect(studio.requests.some((r) => r.includes('/download'))).toBe(true);
  expect(endpoint.tokenExchange.requests.map((r) => [r.authorization, r.status])).toEqual([[endpoint.svcuid, 200]]);
  expect(endpoint.operations.map((o) => o.operation)).not.toContain('aws.greengrass#GetSecretValue');
  await bench.terminateKeepingKeySecret();
  const { secretAccessKey, sessionToken } = endpoint.tokenExchange.credentials;
  for (const secret of [secretAccessKey, sessionToken]) expect(runner.logs()).not.toContain(secret);
});
