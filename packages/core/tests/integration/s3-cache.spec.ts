import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { FileCache } from '../../src/caches/file-cache';
import { InferenceCaches } from '../../src/caches/inference-caches';
import { modelKeyPrefix, S3Cache, type S3CacheOptions } from '../../src/caches/s3-cache';
import { S3CacheError } from '../../src/errors';
import { startMoto } from '@ei-gg/testbench';

const BUCKET = 'ei-gg-inferences';
const PREFIX = modelKeyPrefix('person detection', 7);

let moto: Awaited<ReturnType<typeof startMoto>>;
let s3: S3Client;
let tmp: string;
let spoolRoot: string;
const caches: S3Cache[] = [];

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client(moto.clientConfig);
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ei-gg-s3-cache-'));
  spoolRoot = path.join(tmp, 'spool');
});
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A started cache on the shared client, closed after the test. */
async function openCache(options: Partial<S3CacheOptions> = {}): Promise<S3Cache> {
  const cache = new S3Cache({
    bucket: BUCKET,
    client: s3,
    spoolDirectory: spoolRoot,
    retryInitialMs: 100,
    retryMaxMs: 500,
    ...options,
  });
  caches.push(cache);
  await cache.start();
  cache.setPrefix(PREFIX);
  return cache;
}

async function getObject(key: string): Promise<Buffer | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pairKeys = (id: string) => [`${PREFIX}/${id}.img`, `${PREFIX}/${id}.json`];

describe('S3Cache against moto_server', () => {
  it('uploads <model>_v<version>/<id>.json and .img, byte for byte', async () => {
    const cache = await openCache();
    const id = randomUUID();
    const image = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await cache.store(id, '{"result":{"classification":{"a":0.9}}}', image);

    expect(PREFIX).toBe('person detection_v7');
    expect((await getObject(`${PREFIX}/${id}.json`))!.toString()).toBe('{"result":{"classification":{"a":0.9}}}');
    expect((await getObject(`${PREFIX}/${id}.img`))!.equals(image)).toBe(true);
    expect(cache.pendingCount).toBe(0);
  });

  it('builds its own client from region and endpoint (credentials from the default chain)', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    try {
      const cache = await openCache({
        client: undefined,
        region: 'us-east-1',
        endpoint: moto.endpoint,
        forcePathStyle: true,
      });
      const id = randomUUID();
      await cache.store(id, '{}');
      expect(await listKeys('')).toEqual([`${PREFIX}/${id}.json`]);
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('fails at start with an error naming a missing bucket', async () => {
    const cache = new S3Cache({ bucket: 'no-such-bucket', client: s3, spoolDirectory: spoolRoot });
    caches.push(cache);
    const failure = cache.start();
    await expect(failure).rejects.toBeInstanceOf(S3CacheError);
    await expect(failure).rejects.toMatchObject({
      code: 'S3_BUCKET_MISSING',
      message: expect.stringContaining('"no-such-bucket" does not exist'),
    });
  });

  it('spools uploads while S3 is down and retries them once it is back', async () => {
    const cache = await openCache();
    await moto.stop();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(ids.map((id) => cache.store(id, `{"id":"${id}"}`, Buffer.from(id)))); // concurrent, as inferences are
    expect(cache.pendingCount).toBe(3);

    await moto.restart(); // moto keeps no state across a restart: the bucket comes back empty
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await until(() => cache.pendingCount === 0);
    expect(await listKeys(`${PREFIX}/`)).toEqual(ids.flatMap(pairKeys).sort());
    expect((await getObject(`${PREFIX}/${ids[1]}.json`))!.toString()).toBe(`{"id":"${ids[1]}"}`);
  });

  it('keeps pending uploads across a restart of the component, starting offline', async () => {
    await moto.stop();
    const first = await openCache(); // S3 unreachable at start is not fatal: the device may boot offline
    const id = randomUUID();
    await first.store(id, '{}', Buffer.from('img'));
    await first.close();

    await moto.restart();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const second = await openCache();
    await until(() => second.pendingCount === 0);
    expect(await listKeys(`${PREFIX}/`)).toEqual(pairKeys(id));
  });

  it('bounds the spool over every prefix: the oldest pending pairs go first, counted; the rest upload', async () => {
    const cache = await openCache({ maxPendingBytes: 1000 });
    await moto.stop();
    const pair = (id: string) => [id, '{}', Buffer.alloc(298, 1)] as const; // 300 bytes
    const first = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of first) {
      await cache.store(...pair(id));
      expect(cache.status.pending_bytes).toBeLessThanOrEqual(1000);
    }
    const OTHER = modelKeyPrefix('person detection', 8); // a new model version deployed while offline
    cache.setPrefix(OTHER);
    const second = [randomUUID(), randomUUID()];
    for (const id of second) {
      await cache.store(...pair(id));
      expect(cache.status.pending_bytes).toBeLessThanOrEqual(1000);
    }
    expect(cache.status).toMatchObject({ pending: 3, pending_bytes: 900, max_pending_bytes: 1000, evicted: 2 });

    await moto.restart();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await until(() => cache.pendingCount === 0);
    expect(await listKeys('')).toEqual(
      [...pairKeys(first[2]), ...second.flatMap((id) => [`${OTHER}/${id}.img`, `${OTHER}/${id}.json`])].sort(),
    );
    expect(cache.status.evicted).toBe(2);
  });

  it('clear deletes every object under the prefix across pages (more than 1000), and nothing else', async () => {
    const cache = await openCache();
    const keys = Array.from({ length: 1003 }, (_, i) => `${PREFIX}/${i}.json`);
    const others = [`${PREFIX}-other/x.json`, `person detection_v70/y.json`, 'top.json'];
    const all = [...keys, ...others];
    for (let i = 0; i < all.length; i += 100) {
      await Promise.all(
        all.slice(i, i + 100).map((Key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: '{}' }))),
      );
    }
    expect((await listKeys(`${PREFIX}/`)).length).toBe(1003);

    expect(await cache.clear()).toBe('OK');
    expect(await listKeys('')).toEqual(others.sort());
  });

  it('clearFile deletes exactly the two objects of one id', async () => {
    const cache = await openCache();
    const [a, b] = [randomUUID(), randomUUID()];
    await cache.store(a, '{}', Buffer.from('a'));
    await cache.store(b, '{}', Buffer.from('b'));

    expect(await cache.clearFile(a)).toBe('OK');
    expect(await listKeys('')).toEqual(pairKeys(b));
    expect(await cache.clearFile('../' + b)).toBe('FAILED');
    expect(await listKeys('')).toEqual(pairKeys(b));
  });

  it('fails clear and store until the model, and so the key prefix, is known', async () => {
    const cache = new S3Cache({ bucket: BUCKET, client: s3, spoolDirectory: spoolRoot });
    caches.push(cache);
    await cache.start();
    expect(await cache.clear()).toBe('FAILED');
    await expect(cache.store(randomUUID(), '{}')).rejects.toMatchObject({ code: 'S3_PREFIX_UNSET' });
  });
});

describe('InferenceCaches', () => {
  it('stores into both caches and clears both, an absent cache reporting OK', async () => {
    const local = await FileCache.open({ directory: path.join(tmp, 'local') });
    const both = new InferenceCaches({ local, s3: await openCache() });
    const id = randomUUID();
    await both.store(id, '{}', Buffer.from('img'));
    expect(local.list()).toEqual([id]);
    expect(await listKeys('')).toEqual(pairKeys(id));

    expect(await both.clearFile(id)).toEqual({ local: 'OK', s3: 'OK' });
    expect(local.list()).toEqual([]);
    expect(await listKeys('')).toEqual([]);

    const localOnly = new InferenceCaches({ local });
    await localOnly.store(id, '{}');
    expect(await localOnly.clear()).toEqual({ local: 'OK', s3: 'OK' });
    expect(local.list()).toEqual([]);
  });
});
