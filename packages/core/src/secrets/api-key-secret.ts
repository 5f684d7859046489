import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { fromHttp } from '@aws-sdk/credential-provider-http';
import { IpcSecretSource } from '../greengrass/greengrass-runtime';
import type { IpcConnection } from '../greengrass/ipc-connection';
import { nucleusFromEnvironment } from '../greengrass/nucleus';
import type { Logger, SecretRegistry } from '../logging/logger';
import { SecretError } from '../errors';
import type { SecretSource } from './secret-source';

/**
 * The API key inside a secret string: a JSON object's value at `jsonKey` (`ei_sm_secret_name`), or the whole
 * string when it is not JSON. Errors name the keys present, never a value.
 */
export function extractApiKey(secretString: string, jsonKey: string): string {
  const parsed = parseObject(secretString);
  if (!parsed) {
    if (!secretString.trim()) throw new SecretError('SECRET_INVALID', 'the API key secret is empty');
    return secretString.trim();
  }
  return valueAtKey(parsed, jsonKey, 'the API key secret', 'ei_sm_secret_name');
}

/** The non-empty string at `jsonKey` of a JSON secret; errors name `setting` (the key naming it) and the keys present. */
function valueAtKey(parsed: Record<string, unknown>, jsonKey: string, what: string, setting: string): string {
  const value = parsed[jsonKey];
  if (value === undefined) {
    const keys = Object.keys(parsed);
    throw new SecretError(
      'SECRET_KEY_MISSING',
      `${what} has no key "${jsonKey}" (${setting}); keys present: ${keys.length ? keys.join(', ') : 'none'}`,
      { context: { jsonKey, keys } },
    );
  }
  if (typeof value !== 'string' || !value.trim()) {
    throw new SecretError('SECRET_INVALID', `${what}'s "${jsonKey}" must be a non-empty string`, {
      context: { jsonKey },
    });
  }
  return value.trim();
}

/** The secret as a JSON object, or undefined for a plain-text secret. */
function parseObject(secretString: string): Record<string, unknown> | undefined {
  if (!secretString.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(secretString);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Falls through: a '{' that does not parse is a broken JSON secret, not an API key.
  }
  throw new SecretError('SECRET_INVALID', 'the API key secret starts with "{" but is not a JSON object');
}

export interface ApiKeySecretRef {
  /** `ei_sm_secret_id`. */
  secretId: string;
  /** `ei_sm_secret_name`. */
  jsonKey: string;
}

/**
 * Reads the Edge Impulse API key and registers it for log redaction before anything else can log it, along
 * with every other string in a JSON secret (they are secrets too).
 *
 * @example
 * ```ts
 * const source = apiKeySecretSource({ greengrass: context.greengrass, env: process.env, logger });
 * try {
 *   const ref = { secretId: config.ei_sm_secret_id, jsonKey: config.ei_sm_secret_name };
 *   const apiKey = await readApiKey(source, ref, logger.secrets);
 * } finally {
 *   source.close();
 * }
 * ```
 */
export async function readApiKey(source: SecretSource, ref: ApiKeySecretRef, secrets: SecretRegistry): Promise<string> {
  return readRegistered(source, ref.secretId, secrets, (secretString) => extractApiKey(secretString, ref.jsonKey));
}

/** Another value kept in the same secret (a JSON object), such as an access token. */
export interface SecretValueRef {
  /** `ei_sm_secret_id`. */
  secretId: string;
  /** The key inside the secret's JSON object. */
  jsonKey: string;
  /** The configuration key that names `jsonKey`, for error messages. */
  setting: string;
}

/**
 * The string at `ref.jsonKey` of a JSON secret, registered for log redaction with every other string of it
 * before anything can log it. A plain-text secret is refused: it holds the API key, nothing else.
 */
export async function readSecretValue(
  source: SecretSource,
  ref: SecretValueRef,
  secrets: SecretRegistry,
): Promise<string> {
  return readRegistered(source, ref.secretId, secrets, (secretString) => {
    const parsed = parseObject(secretString);
    if (!parsed)
      throw new SecretError(
        'SECRET_INVALID',
        `secret "${ref.secretId}" is plain text, so it has no key "${ref.jsonKey}" (${ref.setting}): store a JSON object there`,
        { context: { jsonKey: ref.jsonKey } },
      );
    return valueAtKey(parsed, ref.jsonKey, `secret "${ref.secretId}"`, ref.setting);
  });
}

async function readRegistered(
  source: SecretSource,
  secretId: string,
  secrets: SecretRegistry,
  extract: (secretString: string) => string,
): Promise<string> {
  const secretString = await source.getSecretString(secretId);
  secrets.add(secretString);
  try {
    for (const value of Object.values(parseObject(secretString) ?? {}))
      if (typeof value === 'string') secrets.add(value);
    const value = extract(secretString);
    secrets.add(value); // trimmed, it may differ from what the secret holds
    return value;
  } catch (err) {
    if (err instanceof SecretError) err.context.secretId = secretId;
    throw err;
  }
}

/** Either an injected client (left open by close()) or the configuration to build one (endpoint for tests). */
export interface SecretsManagerSourceOptions extends SecretsManagerClientConfig {
  client?: SecretsManagerClient;
}

/**
 * Secrets Manager through the AWS SDK. Under Greengrass the default credential chain finds the Token Exchange
 * Service (`AWS_CONTAINER_CREDENTIALS_FULL_URI`) by itself.
 */
export class SecretsManagerSecretSource implements SecretSource {
  /** Built at the first read: the SDK's code is loaded only by a component that reads a secret through it. */
  private client: SecretsManagerClient | undefined;
  private readonly ownsClient: boolean;
  private readonly config: SecretsManagerClientConfig;

  constructor({ client, ...config }: SecretsManagerSourceOptions = {}) {
    this.ownsClient = !client;
    this.client = client;
    this.config = config;
  }

  async getSecretString(secretId: string): Promise<string> {
    const context = { secretId };
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    this.client ??= new SecretsManagerClient(this.config);
    let response;
    try {
      response = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'ResourceNotFoundException') {
        throw new SecretError(
          'SECRET_NOT_FOUND',
          `secret "${secretId}" (ei_sm_secret_id) not found in Secrets Manager`,
          { context, cause: err },
        );
      }
      if (name === 'AccessDeniedException') {
        throw new SecretError(
          'SECRET_ACCESS_DENIED',
          `access to secret "${secretId}" denied: the Greengrass token exchange role needs secretsmanager:GetSecretValue on this secret`,
          { context, cause: err },
        );
      }
      throw new SecretError(
        'SECRET_UNAVAILABLE',
        `reading secret "${secretId}" from Secrets Manager failed: ${(err as Error).message}`,
        {
          context,
          cause: err,
        },
      );
    }
    if (response.SecretString !== undefined) return response.SecretString;
    if (response.SecretBinary !== undefined) return Buffer.from(response.SecretBinary).toString('utf8');
    throw new SecretError('SECRET_INVALID', `secret "${secretId}" has no value`, { context });
  }

  close(): void {
    if (this.ownsClient) this.client?.destroy();
  }
}

export interface ApiKeySourceOptions {
  /** The nucleus connection, when running under Greengrass. */
  greengrass?: { connection: IpcConnection };
  /** The component's environment: EI_GG_NUCLEUS, the token exchange service, AWS_REGION, endpoint overrides. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/** A secret source that must be closed once read. */
export interface ClosableSecretSource extends SecretSource {
  close(): void;
}

/**
 * Where a component reads the Edge Impulse API key secret from:
 * - outside Greengrass: Secrets Manager with the SDK's default credentials;
 * - on Greengrass Nucleus Lite (`EI_GG_NUCLEUS=lite`), which has no GetSecretValue over IPC: Secrets Manager
 *   with the token exchange service's credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI +
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN, the SDK's HTTP container credentials provider);
 * - otherwise GetSecretValue over IPC (aws.greengrass.SecretManager), falling back to the token exchange
 *   service when the nucleus answers that it does not have the operation (Lite without EI_GG_NUCLEUS, or a
 *   Java nucleus without SecretManager).
 * Credentials fetched from the token exchange service are registered for log redaction.
 *
 * @example
 * ```ts
 * const source = apiKeySecretSource({ greengrass: context.greengrass, env: process.env, logger: context.logger });
 * ```
 */
export function apiKeySecretSource(options: ApiKeySourceOptions): ClosableSecretSource {
  if (!options.greengrass) return new SecretsManagerSecretSource();
  if (nucleusFromEnvironment(options.env) === 'lite') return tokenExchangeSecretSource(options.env, options.logger);
  return new NucleusSecretSource(new IpcSecretSource(options.greengrass.connection), options);
}

class NucleusSecretSource implements ClosableSecretSource {
  private fallback: ClosableSecretSource | undefined;

  constructor(
    private readonly ipc: IpcSecretSource,
    private readonly options: ApiKeySourceOptions,
  ) {}

  async getSecretString(secretId: string): Promise<string> {
    if (this.fallback) return this.fallback.getSecretString(secretId);
    try {
      return await this.ipc.getSecretString(secretId);
    } catch (err) {
      if (!(err instanceof SecretError) || err.code !== 'SECRET_UNSUPPORTED') throw err;
      this.options.logger.info(
        'the nucleus does not offer GetSecretValue (Greengrass Nucleus Lite?): reading the secret from Secrets Manager with the token exchange service credentials',
        { secretId },
      );
      this.fallback = tokenExchangeSecretSource(this.options.env, this.options.logger);
      return this.fallback.getSecretString(secretId);
    }
  }

  close(): void {
    this.fallback?.close();
  }
}

/** Secrets Manager with the token exchange service's credentials, in the nucleus's region. */
function tokenExchangeSecretSource(env: NodeJS.ProcessEnv, logger: Logger): ClosableSecretSource {
  const uri = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  const missing = [
    ...(uri ? [] : ['AWS_CONTAINER_CREDENTIALS_FULL_URI']),
    ...(token ? [] : ['AWS_CONTAINER_AUTHORIZATION_TOKEN']),
    ...(region ? [] : ['AWS_REGION']),
  ];
  if (missing.length > 0) return new UnavailableSource(missing);
  logger.secrets.add(token);
  let provider: ReturnType<typeof fromHttp> | undefined;
  const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL;
  return new SecretsManagerSecretSource({
    region,
    ...(endpoint ? { endpoint } : {}),
    credentials: async () => {
      if (provider === undefined) {
        const http = await import('@aws-sdk/credential-provider-http');
        provider = http.fromHttp({ awsContainerCredentialsFullUri: uri, awsContainerAuthorizationToken: token });
      }
      const credentials = await provider();
      logger.secrets.add(credentials.secretAccessKey);
      if (credentials.sessionToken) logger.secrets.add(credentials.sessionToken);
      return credentials;
    },
  });
}

/** No way to Secrets Manager: every read fails saying what the nucleus did not provide. */
class UnavailableSource implements ClosableSecretSource {
  constructor(private readonly missing: string[]) {}

  async getSecretString(secretId: string): Promise<string> {
    throw new SecretError(
      'SECRET_UNAVAILABLE',
      `cannot read secret "${secretId}": the nucleus offers no GetSecretValue (Greengrass Nucleus Lite) and the ` +
        `token exchange service is not available (${this.missing.join(', ')} not set): the recipe must depend on ` +
        'aws.greengrass.TokenExchangeService, whose role needs secretsmanager:GetSecretValue on the secret',
      { context: { secretId, missing: this.missing } },
    );
  }

  close(): void {}
}
