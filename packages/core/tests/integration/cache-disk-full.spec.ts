/**
 * The caches on a disk that is really full: a 200 KiB tmpfs (root; see tests/support/small-tmpfs.ts), filled
 * by the cache itself or by another writer, and S3 (moto_server) stopped for the spool. What the issue observed
 * (a log line per inference, no notice, no state) is counted here: lines in the log, reports to the operator,
 * the state a status answer shows, the files left on disk, and caching resuming by itself.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startMoto, waitFor } from '@ei-gg/testbench';
import { FileCache, MIB } from '../../src/caches/file-cache';
import { InferenceCaches } from '../../src/caches/inference-caches';
import { modelKeyPrefix, S3Cache } from '../../src/caches/s3-cache';
import type { CommandReply } from '../../src/commands/command-replies';
import { Logger } from '../../src/logging/logger';
import { mountSmallTmpfs, type SmallTmpfs } from '../support/small-tmpfs';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const IMAGE = Buffer.alloc(8 * 1024, 7); // a small JPEG's worth: a pair takes 3 tmpfs pages

let tmp: string;
let disk: SmallTmpfs;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ei-gg-disk-full-'));
  disk = await mountSmallTmpfs(path.join(tmp, 'disk'), 200);
});
afterEach(async () => {
  await disk?.unmount();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** What a component around the caches sees: its log lines (on a clock the test moves) and its reports. */
function observe() {
  let now = Date.UTC(2025, 0, 1, 12);
  const raw: string[] = [];
  const logger = new Logger({ sink: { write: (l: string) => raw.push(l) }, clock: () => new Date(now) });
  const reports: CommandReply['result'][] = [];
  return {
    logger,
    clock: () => now,
    advance: (ms: number) => (now += ms),
    lines: () => raw.map((l) => JSON.parse(l) as { ts: string; level: string; msg: string } & Record<string, unknown>),
    reports,
    listen: (caches: InferenceCaches) => caches.onReport((reply) => reports.push(reply.result)),
  };
}

const payload = (i: number) => JSON.stringify({ id: i, c: { go: 0.9 } });

/** Every file in the directory is a whole pair under its final name: no temp file, no half pair, no short file. */
async function expectOnlyWholePairs(directory: string, cache: FileCache): Promise<void> {
  const names = (await fs.readdir(directory)).sort();
  for (const name of names) expect(name).toMatch(new RegExp(`^${UUID}\\.(json|img)$`));
  const ids = cache.list().sort();
  expect(names).toEqual(ids.flatMap((id) => [`${id}.img`, `${id}.json`]).sort());
  for (const id of ids) {
    expect((await fs.readFile(path.join(directory, `${id}.img`))).equals(IMAGE)).toBe(true);
    JSON.parse(await fs.readFile(path.join(directory, `${id}.json`), 'utf8'));
  }
}

/** Log lines per minute of the (test) clock. */
function linesPerMinute(lines: { ts: string }[]): number[] {
  const perMinute = new Map<number, number>();
  for (const l of lines) {
    const minute = Math.floor(Date.parse(l.ts) / 60_000);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  }
  return [...perMinute.values()];
}

describe('file cache on a full disk', () => {
  it('fills the disk itself: inference goes on, one line, one report, a failing state; clear_cache brings it back', async () => {
    const o = observe();
    const directory = path.join(disk.path, 'cache');
    // The bound (1 MiB) is larger than the disk (200 KiB), as 100 MiB would be on a small device's full disk.
    const local = await FileCache.open({ directory, maxBytes: MIB });
    const caches = new InferenceCaches({ local, logger: o.logger, faultLog: { clock: o.clock } });
    o.listen(caches);

    // 340 inferences in 8.5 s, as observed: every store resolves (a cache never fails inference).
    let firstFailureAt: number | undefined;
    for (let i = 0; i < 340; i++) {
      await caches.store(randomUUID(), payload(i), IMAGE);
      if (firstFailureAt === undefined && caches.status().file?.state === 'failing') firstFailureAt = o.clock();
      o.advance(25);
    }
    expect(await disk.free()).toBeLessThan(3 * 4096); // not room for one more pair (3 pages)
    const cached = local.size.entries;
    expect(cached).toBeGreaterThan(5);
    expect(cached).toBeLessThan(340);

    expect(o.lines()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'file cache write failed',
        code: 'CACHE_WRITE_FAILED/ENOSPC',
        directory,
      }),
    ]);
    expect(o.reports).toEqual([
      {
        status: 'cache_failing',
        cache: 'file',
        code: 'CACHE_WRITE_FAILED/ENOSPC',
        error: expect.stringMatching(/no space left on device/),
        since: firstFailureAt,
        ts: firstFailureAt,
        id: expect.stringMatching(new RegExp(`^${UUID}$`)),
      },
    ]);
    expect(caches.status()).toEqual({
      file: {
        state: 'failing',
        code: 'CACHE_WRITE_FAILED/ENOSPC',
        error: expect.stringMatching(/no space left on device/),
        since: firstFailureAt,
        failures: 340 - cached,
        last_failure: o.clock() - 25,
        entries: cached,
        bytes: local.size.bytes,
        max_bytes: MIB,
        evicted: 0,
      },
    });
    await expectOnlyWholePairs(directory, local);

    // Five more minutes of it, an inference a second: a summary a minute, no more.
    for (let i = 0; i < 300; i++) {
      o.advance(1000);
      await caches.store(randomUUID(), payload(i), IMAGE);
    }
    expect(o.lines().map((l) => l.msg)).toEqual([
      'file cache write failed',
      ...Array(5).fill('file cache write still failing'),
    ]);
    expect(Math.max(...linesPerMinute(o.lines()))).toBeLessThanOrEqual(2);
    expect(o.reports).toHaveLength(1);

    // The operator clears the cache: space returns, and the next inference is cached again.
    expect(await caches.clear()).toEqual({ local: 'OK', s3: 'OK' });
    o.advance(10_000);
    const id = randomUUID();
    await caches.store(id, payload(0), IMAGE);
    expect(local.list()).toEqual([id]);
    expect(o.reports).toEqual([
      expect.objectContaining({ status: 'cache_failing' }),
      {
        status: 'cache_resumed',
        cache: 'file',
        since: firstFailureAt,
        failures: 640 - cached,
        ts: o.clock(),
        id: expect.stringMatching(new RegExp(`^${UUID}$`)),
      },
    ]);
    expect(o.lines().at(-1)).toMatchObject({
      level: 'info',
      msg: 'file cache write recovered',
      failures: 640 - cached,
    });
    expect(o.lines()).toHaveLength(7);
    expect(caches.status().file).toMatchObject({ state: 'ok', entries: 1 });
    expect(caches.status().file).not.toHaveProperty('error');
  });

  it('resumes by itself when another writer frees the space it took', async () => {
    const o = observe();
    const directory = path.join(disk.path, 'cache');
    const local = await FileCache.open({ directory, maxBytes: MIB });
    const caches = new InferenceCaches({ local, logger: o.logger, faultLog: { clock: o.clock } });
    o.listen(caches);
    await caches.store(randomUUID(), payload(0), IMAGE);
    const filler = await disk.fill(); // e.g. another component's log

    for (let i = 0; i < 50; i++) {
      await caches.store(randomUUID(), payload(i), IMAGE);
      o.advance(100);
    }
    expect(o.reports.map((r) => r.status)).toEqual(['cache_failing']);
    expect(local.size.entries).toBe(1);
    await expectOnlyWholePairs(directory, local);

    await fs.rm(filler);
    o.advance(10_000);
    await caches.store(randomUUID(), payload(1), IMAGE);
    expect(o.reports.map((r) => r.status)).toEqual(['cache_failing', 'cache_resumed']);
    expect(local.size.entries).toBe(2);
    expect(o.lines().map((l) => l.msg)).toEqual(['file cache write failed', 'file cache write recovered']);
  });

  it('with its bound below the free space, never fills the disk: the oldest pairs go, counted', async () => {
    const o = observe();
    const directory = path.join(disk.path, 'cache');
    const maxBytes = 100 * 1024;
    const local = await FileCache.open({ directory, maxBytes });
    const caches = new InferenceCaches({ local, logger: o.logger, faultLog: { clock: o.clock } });
    o.listen(caches);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      ids.push(randomUUID());
      await caches.store(ids[i], payload(i), IMAGE);
      expect(local.size.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(await disk.free()).toBeGreaterThan(0);
    const status = caches.status().file!;
    expect(status).toMatchObject({ state: 'ok', max_bytes: maxBytes, entries: local.size.entries });
    expect(status.evicted).toBe(100 - status.entries);
    expect(local.list()).toEqual(ids.slice(100 - status.entries)); // the newest stay
    expect(o.lines()).toEqual([]);
    expect(o.reports).toEqual([]);
    await expectOnlyWholePairs(directory, local);
  });
});

describe('S3 spool on a full disk', () => {
  const BUCKET = 'ei-gg-disk-full';
  const PREFIX = modelKeyPrefix('kws', 3);
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let s3: S3Client;
  beforeAll(async () => {
    moto = await startMoto();
    // One attempt per call: the cache has its own retry with back-off, and S3 is down on purpose here.
    s3 = new S3Client({ ...moto.clientConfig, maxAttempts: 1 });
  });
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  it('while S3 is down: inference goes on, one report each way, nothing half-written, uploads drain when back', async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const o = observe();
    const spoolDirectory = path.join(disk.path, 's3-spool');
    const cache = new S3Cache({
      bucket: BUCKET,
      client: s3,
      spoolDirectory,
      retryInitialMs: 100,
      retryMaxMs: 200,
      logger: o.logger,
      faultLog: { clock: o.clock, settleMs: 0 },
    });
    try {
      await cache.start();
      cache.setPrefix(PREFIX);
      const caches = new InferenceCaches({ s3: cache, logger: o.logger, faultLog: { clock: o.clock } });
      o.listen(caches);

      await moto.stop();
      const filler = await disk.fill();
      for (let i = 0; i < 50; i++) {
        await caches.store(randomUUID(), payload(i), IMAGE);
        o.advance(25);
      }
      expect(o.reports).toEqual([
        expect.objectContaining({ status: 'cache_failing', cache: 's3', code: 'CACHE_WRITE_FAILED/ENOSPC' }),
      ]);
      expect(caches.status().s3).toMatchObject({
        state: 'failing',
        code: 'CACHE_WRITE_FAILED/ENOSPC',
        failures: 50,
        pending: 0,
        pending_bytes: 0,
        evicted: 0,
        uploads: { state: 'failing' },
      });
      const spooled = async () =>
        (await fs.readdir(spoolDirectory, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      expect(await spooled()).toEqual([]); // no temp file, no half pair
      // One line for the upload failure, one for the spool: not one per inference.
      expect(o.lines().map((l) => [l.level, l.msg])).toEqual([
        ['warn', 'S3 upload failed'],
        ['error', 'S3 cache store failed'],
      ]);

      // Space returns: pairs are spooled again (S3 is still down), and that is reported once.
      await fs.rm(filler);
      o.advance(10_000);
      const later = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of later) await caches.store(id, payload(1), IMAGE);
      expect(o.reports.map((r) => r.status)).toEqual(['cache_failing', 'cache_resumed']);
      expect(caches.status().s3).toMatchObject({ state: 'ok', pending: 3 });
      expect((await spooled()).map((e) => e.name).sort()).toEqual(
        later.flatMap((id) => [`${id}.img`, `${id}.json`]).sort(),
      );

      // S3 comes back: the spool drains by itself.
      await moto.restart();
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await waitFor(() => cache.pendingCount === 0, 20_000, 'the spool to drain');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/` }));
      expect((listed.Contents ?? []).map((c) => c.Key).sort()).toEqual(
        later.flatMap((id) => [`${PREFIX}/${id}.img`, `${PREFIX}/${id}.json`]).sort(),
      );
      expect(caches.status().s3).toMatchObject({ state: 'ok', pending: 0, uploads: { state: 'ok' } });
      // One line per kind of upload failure (refused while down; the bucket may be missing for a moment after
      // moto restarts empty), then one when uploads recover.
      const uploadLines = o.lines().filter((l) => l.msg.startsWith('S3 upload'));
      const failed = uploadLines.slice(0, -1);
      expect(failed.map((l) => l.msg)).toEqual(Array(failed.length).fill('S3 upload failed'));
      expect(new Set(failed.map((l) => l.code)).size).toBe(failed.length);
      expect(failed.length).toBeLessThanOrEqual(2);
      expect(uploadLines.at(-1)).toMatchObject({ level: 'info', msg: 'S3 upload recovered' });
      expect(o.reports).toHaveLength(2);
    } finally {
      await cache.close();
    }
  });
});
