/**
 * The Edge Impulse API key on Greengrass Nucleus Lite, which has no GetSecretValue over IPC: read from Secrets
 * Manager (a real moto_server) with the credentials of the token exchange service (the testbench endpoint's,
 * on real HTTP), fetched by the AWS SDK's own HTTP container credentials provider. A recording forwarder in
 * front of moto shows which access key signed the Secrets Manager request.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IpcEndpoint, startMoto, type Moto } from '@ei-gg/testbench';
import { IpcConnection } from '../../src/greengrass/ipc-connection';
import { Logger } from '../../src/logging/logger';
import { componentAccessControl } from '../../src/recipe/access-control';
import { apiKeySecretSource, readApiKey } from '../../src/secrets/api-key-secret';
import { SecretError } from '../../src/errors';

const KIND = 'linux-service' as const;
const API_KEY = 'ei_1ite0123456789abcdef0123456789ab';
const REF = { secretId: 'EI_API_KEY', jsonKey: 'ei_api_key' };

let moto: Moto;
let recorder: Recorder;
let endpoint: IpcEndpoint | undefined;
let connection: IpcConnection | undefined;

beforeAll(async () => {
  moto = await startMoto();
  recorder = await Recorder.start(moto.endpoint);
});
afterAll(async () => {
  await recorder?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  recorder.authorizations.length = 0;
  const admin = new SecretsManagerClient(moto.clientConfig);
  try {
    await admin.send(
      new CreateSecretCommand({ Name: REF.secretId, SecretString: JSON.stringify({ ei_api_key: API_KEY }) }),
    );
  } finally {
    admin.destroy();
  }
});
afterEach(async () => {
  await connection?.close();
  await endpoint?.close();
  connection = endpoint = undefined;
});

/** The nucleus (and its token exchange service) and a component's connection to it; logs collected. */
async function onNucleus(nucleus: 'classic' | 'lite') {
  endpoint = await IpcEndpoint.start({
    componentName: 'EdgeImpulseLinuxServiceComponent',
    nucleus,
    region: moto.clientConfig.region,
    policy: componentAccessControl(KIND),
    // What aws.greengrass.SecretManager would hold on the Java nucleus (Lite has none).
    secrets: { [REF.secretId]: JSON.stringify({ ei_api_key: API_KEY }) },
  });
  const lines: string[] = [];
  const logger = new Logger({ sink: { write: (line: string) => lines.push(line) } });
  connection = new IpcConnection({ socketPath: endpoint.socketPath, authToken: endpoint.svcuid, logger });
  await connection.connect();
  // Secrets Manager through the recorder; the SDK reads the endpoint from the component's environment.
  const env = { ...endpoint.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: recorder.url };
  return { endpoint, connection, env, logger, lines };
}

async function readKey(options: Parameters<typeof apiKeySecretSource>[0]): Promise<string> {
  const source = apiKeySecretSource(options);
  try {
    return await readApiKey(source, REF, options.logger.secrets);
  } finally {
    source.close();
  }
}

it('on Lite (EI_GG_NUCLEUS=lite): Secrets Manager with the token exchange credentials, never asking the nucleus', async () => {
  const { endpoint, connection, env, logger, lines } = await onNucleus('lite');

  expect(await readKey({ greengrass: { connection }, env: { ...env, EI_GG_NUCLEUS: 'lite' }, logger })).toBe(API_KEY);

  const { accessKeyId, secretAccessKey, sessionToken } = endpoint.tokenExchange.credentials;
  expect(endpoint.tokenExchange.requests.map((r) => [r.authorization, r.status])).toEqual([[endpoint.svcuid, 200]]);
  expect(recorder.authorizations).toEqual([expect.stringContaining(`Credential=${accessKeyId}/`)]);
  expect(endpoint.operations.map((o) => o.operation)).not.toContain('aws.greengrass#GetSecretValue');
  // The key, the token and the fetched credentials are all redacted from the log.
  logger.info('everything', { API_KEY, token: endpoint.svcuid, secretAccessKey, sessionToken });
  const log = lines.join('');
  for (const secret of [API_KEY, endpoint.svcuid, secretAccessKey, sessionToken]) expect(log).not.toContain(secret);
});

it('on Lite without EI_GG_NUCLEUS: falls back to the token exchange service once GetSecretValue is answered as unsupported', async () => {
  const { endpoint, connection, env, logger, lines } = await onNucleus('lite');

  expect(await readKey({ greengrass: { connection }, env, logger })).toBe(API_KEY);

  expect(lines.join('')).toContain('the nucleus does not offer GetSecretValue (Greengrass Nucleus Lite?)');
  expect(endpoint.tokenExchange.requests.map((r) => r.status)).toEqual([200]);
  expect(recorder.authorizations).toEqual([
    expect.stringContaining(`Credential=${endpoint.tokenExchange.credentials.accessKeyId}/`),
  ]);
});

it('on the Java nucleus: GetSecretValue over IPC, no token exchange', async () => {
  const { endpoint, connection, env, logger } = await onNucleus('classic');

  expect(await readKey({ greengrass: { connection }, env, logger })).toBe(API_KEY);

  expect(endpoint.operations.map((o) => o.operation)).toContain('aws.greengrass#GetSecretValue');
  expect(endpoint.tokenExchange.requests).toEqual([]);
  expect(recorder.authorizations).toEqual([]);
});

it('on Lite without a token exchange service: says what is missing and what the recipe needs', async () => {
  const { connection, env, logger } = await onNucleus('lite');
  const { AWS_CONTAINER_CREDENTIALS_FULL_URI: _uri, ...withoutTes } = env;

  const error = await readKey({
    greengrass: { connection },
    env: { ...withoutTes, EI_GG_NUCLEUS: 'lite' },
    logger,
  }).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(SecretError);
  expect(error).toMatchObject({
    code: 'SECRET_UNAVAILABLE',
    message: expect.stringContaining(
      'AWS_CONTAINER_CREDENTIALS_FULL_URI not set): the recipe must depend on aws.greengrass.TokenExchangeService',
    ),
  });
  expect(recorder.authorizations).toEqual([]);
});

/** Forwards every request to moto and records its Authorization header (which names the signing access key). */
class Recorder {
  readonly authorizations: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<Recorder> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const recorder = new Recorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (incoming, outgoing) => {
      recorder.authorizations.push(String(incoming.headers.authorization));
      const upstream = new URL(target);
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
          agent: false,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.writeHead(502).end());
      incoming.pipe(forwarded);
    });
    return recorder;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
