import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger, SecretRegistry } from '../../src/logging/logger';
import {
  extractApiKey,
  readApiKey,
  readSecretValue,
  SecretsManagerSecretSource,
} from '../../src/secrets/api-key-secret';
import { SecretError } from '../../src/errors';
import { startMoto } from '@ei-gg/testbench';

const API_KEY = 'ei_0123456789abcdef0123456789abcdef';
const REF = { secretId: 'EI_API_KEY', jsonKey: 'ei_api_key' };

let moto: Awaited<ReturnType<typeof startMoto>>;
let admin: SecretsManagerClient;
let reader: SecretsManagerClient;
let source: SecretsManagerSecretSource;

beforeAll(async () => {
  moto = await startMoto();
  admin = new SecretsManagerClient(moto.clientConfig);
  reader = new SecretsManagerClient(moto.clientConfig);
  source = new SecretsManagerSecretSource({ client: reader });
});
afterAll(async () => {
  admin?.destroy();
  reader?.destroy();
  await moto?.stop();
});
beforeEach(() => moto.reset());

const createSecret = (SecretString: string, Name = REF.secretId) =>
  admin.send(new CreateSecretCommand({ Name, SecretString }));

describe('reading the API key from Secrets Manager (moto_server)', () => {
  it('takes the value at ei_sm_secret_name from a JSON secret and registers it (and its siblings) for redaction', async () => {
    await createSecret(JSON.stringify({ ei_api_key: API_KEY, other_token: 'sibling-secret-value' }));
    const lines: string[] = [];
    const logger = new Logger({ sink: { write: (l: string) => lines.push(l) } });

    expect(await readApiKey(source, REF, logger.secrets)).toBe(API_KEY);
    logger.info(`key ${API_KEY}`, { nested: { token: 'sibling-secret-value' } });
    expect(lines.join('')).not.toContain(API_KEY);
    expect(lines.join('')).not.toContain('sibling-secret-value');
    expect(lines.join('')).toContain('[REDACTED]');
  });

  it('uses a plain-text secret as is', async () => {
    await createSecret(API_KEY);
    const secrets = new SecretRegistry();
    expect(await readApiKey(source, REF, secrets)).toBe(API_KEY);
    expect(secrets.redact(`x ${API_KEY} y`)).toBe('x [REDACTED] y');
  });

  it('names the missing key and the keys present, never a value', async () => {
    await createSecret(JSON.stringify({ api_key: 'value-that-must-not-leak' }));
    const secrets = new SecretRegistry();
    const error = await readApiKey(source, REF, secrets).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error).toMatchObject({
      code: 'SECRET_KEY_MISSING',
      context: { secretId: 'EI_API_KEY', jsonKey: 'ei_api_key' },
    });
    expect((error as Error).message).toMatch(/no key "ei_api_key".*keys present: api_key/);
    expect(JSON.stringify(error)).not.toContain('value-that-must-not-leak');
    expect(secrets.redact('value-that-must-not-leak')).toBe('[REDACTED]'); // registered even though unusable
  });

  it('reports a secret that does not exist by its id', async () => {
    await expect(readApiKey(source, REF, new SecretRegistry())).rejects.toMatchObject({
      name: 'SecretError',
      code: 'SECRET_NOT_FOUND',
      message: expect.stringContaining('secret "EI_API_KEY" (ei_sm_secret_id) not found'),
    });
  });

  it('explains access denied with the permission the token exchange role lacks', async () => {
    // Moto does not enforce IAM here; this peer answers GetSecretValue the way Secrets Manager denies it.
    const denying = http.createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' });
      res.end(
        JSON.stringify({
          __type: 'AccessDeniedException',
          message: 'not authorized to perform secretsmanager:GetSecretValue',
        }),
      );
    });
    await new Promise<void>((resolve) => denying.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(denying.address() as AddressInfo).port}`;
    const denied = new SecretsManagerSecretSource({ ...moto.clientConfig, endpoint });
    try {
      await expect(denied.getSecretString('EI_API_KEY')).rejects.toMatchObject({
        code: 'SECRET_ACCESS_DENIED',
        message: expect.stringContaining('token exchange role needs secretsmanager:GetSecretValue'),
      });
    } finally {
      denied.close();
      await new Promise((resolve) => denying.close(resolve));
    }
  });
});

describe('reading another value of the same secret (readSecretValue)', () => {
  const TOKEN_REF = { secretId: 'EI_API_KEY', jsonKey: 'web_token', setting: 'web_token_secret_key' };

  it('takes the value at its key and registers the whole secret for redaction', async () => {
    await createSecret(JSON.stringify({ ei_api_key: API_KEY, web_token: ' token-0123456789abcdef ' }));
    const secrets = new SecretRegistry();
    expect(await readSecretValue(source, TOKEN_REF, secrets)).toBe('token-0123456789abcdef');
    expect(secrets.redact(`${API_KEY} token-0123456789abcdef`)).toBe('[REDACTED] [REDACTED]');
  });

  it('names the setting and the keys present when the key is missing, never a value', async () => {
    await createSecret(JSON.stringify({ ei_api_key: API_KEY }));
    const error = await readSecretValue(source, TOKEN_REF, new SecretRegistry()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'SECRET_KEY_MISSING',
      message: 'secret "EI_API_KEY" has no key "web_token" (web_token_secret_key); keys present: ei_api_key',
      context: { secretId: 'EI_API_KEY', jsonKey: 'web_token' },
    });
    expect(JSON.stringify(error)).not.toContain(API_KEY);
  });

  it('refuses a plain-text secret (it holds the API key only) instead of handing out the API key', async () => {
    await createSecret(API_KEY);
    const error = await readSecretValue(source, TOKEN_REF, new SecretRegistry()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'SECRET_INVALID',
      message:
        'secret "EI_API_KEY" is plain text, so it has no key "web_token" (web_token_secret_key): store a JSON object there',
    });
    expect(JSON.stringify(error)).not.toContain(API_KEY);
  });
});

describe('extractApiKey', () => {
  it('rejects a broken JSON secret and a non-string value without echoing them', () => {
    expect(() => extractApiKey('{"ei_api_key": "abc', 'ei_api_key')).toThrow(
      /starts with "\{" but is not a JSON object/,
    );
    expect(() => extractApiKey('{"ei_api_key": 12345678}', 'ei_api_key')).toThrow(/must be a non-empty string/);
    expect(() => extractApiKey('   ', 'ei_api_key')).toThrow(/empty/);
  });
});
