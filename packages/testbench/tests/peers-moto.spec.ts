import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Moto, startMoto } from '../src';

describe('moto_server with the real AWS SDK v3 clients', () => {
  let moto: Moto;
  let secrets: SecretsManagerClient;
  let s3: S3Client;

  beforeAll(async () => {
    moto = await startMoto();
    secrets = new SecretsManagerClient(moto.clientConfig);
    s3 = new S3Client(moto.clientConfig);
  });
  afterEach(async () => {
    await moto.reset();
  });
  afterAll(async () => {
    secrets?.destroy();
    s3?.destroy();
    await moto?.stop();
  });

  it('serves Secrets Manager: a created secret can be read back', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'ei-gg/api-key', SecretString: 'ei_0123' }));

    const value = await secrets.send(new GetSecretValueCommand({ SecretId: 'ei-gg/api-key' }));

    expect(value.SecretString).toBe('ei_0123');
  });

  it('createSecret() stores a secret the SDK reads back', async () => {
    await moto.createSecret('ei-gg/created', '{"ei_api_key":"ei_0123"}');

    const value = await secrets.send(new GetSecretValueCommand({ SecretId: 'ei-gg/created' }));

    expect(value.SecretString).toBe('{"ei_api_key":"ei_0123"}');
  });

  it('serves S3 with path-style buckets: put and get an object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'ei-gg-models' }));
    await s3.send(new PutObjectCommand({ Bucket: 'ei-gg-models', Key: 'model/1.eim', Body: 'model bytes' }));

    const object = await s3.send(new GetObjectCommand({ Bucket: 'ei-gg-models', Key: 'model/1.eim' }));

    expect(await object.Body?.transformToString()).toBe('model bytes');
  });

  it('reset() forgets every resource', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'ei-gg/gone', SecretString: 'x' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'ei-gg-gone' }));

    await moto.reset();

    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'ei-gg/gone' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
  });

  it('restart() serves again on the same endpoint', async () => {
    const endpoint = moto.endpoint;

    await moto.restart();

    expect(moto.endpoint).toBe(endpoint);
    await secrets.send(new CreateSecretCommand({ Name: 'ei-gg/after-restart', SecretString: 'y' }));
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'ei-gg/after-restart' }))).SecretString).toBe('y');
  });
});
