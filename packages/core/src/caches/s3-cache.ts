import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ObjectIdentifier, S3Client } from '@aws-sdk/client-s3';
import type { CacheOutcome } from '../commands/command-router';
import { S3CacheError } from '../errors';
import { Logger } from '../logging/logger';
import { RepeatedErrorLog, type FaultStatus, type RepeatedErrorLogOptions } from '../logging/repeated-error-log';
import { checkInferenceId, FileCache, settle } from './file-cache';

export interface S3CacheOptions {
  bucket: string;
  /** Injected client (left open by close()); otherwise one is built from region/endpoint/forcePathStyle. */
  client?: S3Client;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Pairs whose upload failed wait here, in one sub-directory per key prefix, until S3 is back. */
  spoolDirectory: string;
  /**
   * Bounds of the whole spool, over every prefix (default 5000 pairs, 64 MiB of `.json` + `.img` bytes): before a
   * pair is spooled the oldest pending pairs, whatever their prefix, are dropped to make room, and counted.
   */
  maxPendingEntries?: number;
  maxPendingBytes?: number;
  /** Retry back-off: starts at retryInitialMs, doubles per failed attempt, capped at retryMaxMs. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  logger?: Logger;
  /** Summary interval, settle time and clock of the upload failure log (tests shorten them). */
  faultLog?: Pick<RepeatedErrorLogOptions, 'intervalMs' | 'settleMs' | 'clock'>;
}

/** What `get_status` and the metrics message show of the S3 cache. */
export interface S3CacheStatus {
  /** Pairs (and their bytes) in the spool, waiting for upload. */
  pending: number;
  pending_bytes: number;
  max_pending_bytes: number;
  /** Pending pairs dropped to keep the spool within its bounds: inferences that never reached S3. */
  evicted: number;
  /** Whether uploads go through, or fail and are retried from the spool. */
  uploads: FaultStatus;
}

const DEFAULT_MAX_PENDING_ENTRIES = 5_000;
const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
const UPLOAD = 'S3 upload';

/** `<model_name>_v<deploy version>`, the folder every inference of one model version goes to. */
export function modelKeyPrefix(modelName: string, deployVersion: number | string): string {
  return `${modelName}_v${deployVersion}`;
}

const DELETE_BATCH = 1000; // DeleteObjects limit, and ListObjectsV2's default page size

/** The S3 SDK's module, loaded at first use, and the client the cache sends through. */
interface S3Access {
  sdk: typeof import('@aws-sdk/client-s3');
  client: S3Client;
}

/**
 * Uploads `<prefix>/<id>.json` and `<prefix>/<id>.img` to one bucket. An upload that fails (S3 unreachable,
 * bucket gone) is spooled to disk and retried with back-off, oldest first, so no inference is lost to an outage
 * and pending pairs survive a restart of the component. While anything is pending, new pairs queue behind it.
 */
export class S3Cache {
  /** The SDK and the client, loaded at first use: a component without an S3 cache never loads the SDK's code. */
  private s3: Promise<S3Access> | undefined;
  private readonly ownsClient: boolean;
  private readonly spools = new Map<string, FileCache>();
  /** Spools being opened, so that concurrent stores of a new prefix share one FileCache. */
  private readonly openingSpools = new Map<string, Promise<FileCache>>();
  private prefix: string | undefined;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  /** Spool writes, one at a time, so that making room and writing are one step (the bound is never exceeded). */
  private spoolQueue: Promise<unknown> = Promise.resolve();
  /** Upload failures: logged once, then summarised, while S3 is unreachable (a retry pass per back-off step). */
  private readonly uploads: RepeatedErrorLog;

  constructor(private readonly options: S3CacheOptions) {
    this.ownsClient = !options.client;
    this.retryDelayMs = this.retryInitialMs;
    this.uploads = new RepeatedErrorLog({
      logger: options.logger ?? new Logger({ level: 'silent' }),
      level: 'warn',
      ...options.faultLog,
    });
  }

  get bucket(): string {
    return this.options.bucket;
  }

  /** Pairs waiting for upload, over every prefix. */
  get pendingCount(): number {
    let n = 0;
    for (const spool of this.spools.values()) n += spool.size.entries;
    return n;
  }

  get status(): S3CacheStatus {
    let bytes = 0;
    let evicted = 0;
    for (const spool of this.spools.values()) {
      bytes += spool.size.bytes;
      evicted += spool.evicted;
    }
    return {
      pending: this.pendingCount,
      pending_bytes: bytes,
      max_pending_bytes: this.maxPendingBytes,
      evicted,
      uploads: this.uploads.status(UPLOAD),
    };
  }

  /** Known once the model has started; until then store/clear/clearFile fail. */
  setPrefix(prefix: string): void {
    if (!prefix || prefix.startsWith('/') || prefix.endsWith('/')) {
      throw new RangeError(`invalid S3 key prefix ${JSON.stringify(prefix)}`);
    }
    this.prefix = prefix;
  }

  /**
   * Checks the bucket once. Missing or forbidden is a configuration error and throws; S3 unreachable is not
   * (a device may boot offline): it is logged and uploads spool until S3 answers. Resumes pending uploads.
   */
  async start(): Promise<void> {
    await this.checkBucket();
    await fs.mkdir(this.options.spoolDirectory, { recursive: true, mode: 0o700 });
    for (const entry of await fs.readdir(this.options.spoolDirectory, { withFileTypes: true })) {
      if (entry.isDirectory()) await this.spoolFor(decodeURIComponent(entry.name));
    }
    await this.fitSpool(); // the bound may have been lowered since the pairs were spooled
    if (this.pendingCount > 0) this.scheduleRetry(0);
  }

  /**
   * Uploads a pair, or spools it for retry (dropping the oldest pending pairs if the spool is full); throws only
   * when even the spool cannot take it (a `FileCacheError`: the disk is full), leaving nothing of the pair behind.
   */
  async store(id: string, json: Buffer | string, image?: Buffer): Promise<void> {
    const prefix = this.requirePrefix();
    const key = checkInferenceId(id);
    if (!this.hasPending()) {
      try {
        await this.upload(prefix, key, json, image);
        this.uploads.succeeded(UPLOAD);
        return;
      } catch (err) {
        this.uploads.failed(UPLOAD, err, { bucket: this.bucket, action: 'spooled, retried with back-off' });
      }
    }
    await this.spool(prefix, key, json, image);
    this.scheduleRetry(this.retryDelayMs);
  }

  /** Deletes every object under the current prefix (all pages) and drops the pending uploads for it. */
  async clear(): Promise<CacheOutcome> {
    return settle(this.failureReporter('clear'), async () => {
      const prefix = this.requirePrefix();
      await this.draining;
      if ((await (await this.spoolFor(prefix)).clear()) === 'FAILED')
        throw new Error('could not clear the upload spool');
      const { sdk, client } = await this.loadS3();
      let token: string | undefined;
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${prefix}/`,
            ContinuationToken: token,
            MaxKeys: DELETE_BATCH,
          }),
        );
        await this.deleteKeys((page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
    });
  }

  /** Deletes exactly `<prefix>/<id>.json` and `<prefix>/<id>.img`, and a pending upload of that id. */
  async clearFile(id: string): Promise<CacheOutcome> {
    return settle(this.failureReporter('clearFile', { id }), async () => {
      const prefix = this.requirePrefix();
      const key = checkInferenceId(id);
      await this.draining;
      await (await this.spoolFor(prefix)).remove(key);
      await this.deleteKeys([`${prefix}/${key}.json`, `${prefix}/${key}.img`]);
    });
  }

  /** Stops retrying (pending pairs stay spooled for the next start) and releases the client if it is ours. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.draining;
    await this.spoolQueue;
    this.uploads.close();
    if (this.ownsClient && this.s3) (await this.s3).client.destroy();
  }

  private loadS3(): Promise<S3Access> {
    this.s3 ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client:
        this.options.client ??
        new sdk.S3Client({
          region: this.options.region,
          endpoint: this.options.endpoint,
          forcePathStyle: this.options.forcePathStyle,
          // Without timeouts a connection that hangs (flaky cellular link) would stall the retry pass for good.
          requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
        }),
    }));
    return this.s3;
  }

  private get retryInitialMs(): number {
    return this.options.retryInitialMs ?? 1_000;
  }

  private get maxPendingBytes(): number {
    return this.options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  }

  private get maxPendingEntries(): number {
    return this.options.maxPendingEntries ?? DEFAULT_MAX_PENDING_ENTRIES;
  }

  private spool(prefix: string, id: string, json: Buffer | string, image?: Buffer): Promise<void> {
    const work = this.spoolQueue.then(async () => {
      const spool = await this.spoolFor(prefix);
      const bytes = Buffer.byteLength(json) + (image?.length ?? 0);
      if (bytes <= this.maxPendingBytes) await this.fitSpool(bytes); // larger: the spool's write refuses it
      await spool.write(id, json, image);
    });
    this.spoolQueue = work.catch(() => undefined);
    return work;
  }

  /** Drops the oldest pending pairs, across prefixes, until the spool plus an incoming pair fits its bounds. */
  private async fitSpool(incomingBytes?: number): Promise<void> {
    const extra = incomingBytes === undefined ? 0 : 1;
    for (;;) {
      const { pending, pending_bytes } = this.status;
      if (pending + extra <= this.maxPendingEntries && pending_bytes + (incomingBytes ?? 0) <= this.maxPendingBytes)
        return;
      let oldest: { spool: FileCache; mtimeMs: number } | undefined;
      for (const spool of this.spools.values()) {
        const candidate = spool.oldest();
        if (candidate && (!oldest || candidate.mtimeMs < oldest.mtimeMs)) oldest = { spool, ...candidate };
      }
      if (!oldest || !(await oldest.spool.evictOldest())) return;
    }
  }

  private hasPending(): boolean {
    return this.retryTimer !== undefined || this.draining !== undefined || this.pendingCount > 0;
  }

  private requirePrefix(): string {
    if (this.prefix === undefined) {
      throw new S3CacheError('S3_PREFIX_UNSET', 'the S3 key prefix is not known yet: the model has not started', {
        context: { bucket: this.bucket },
      });
    }
    return this.prefix;
  }

  private async checkBucket(): Promise<void> {
    const context = { bucket: this.bucket };
    const { sdk, client } = await this.loadS3();
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) {
        throw new S3CacheError(
          'S3_BUCKET_MISSING',
          `S3 bucket "${this.bucket}" does not exist (s3_bucket); create it or fix the name`,
          {
            context,
            cause: err,
          },
        );
      }
      if (status === 403) {
        throw new S3CacheError(
          'S3_ACCESS_DENIED',
          `access to S3 bucket "${this.bucket}" denied: the token exchange role needs s3:ListBucket on arn:aws:s3:::${this.bucket} ` +
            `and s3:PutObject, s3:DeleteObject on arn:aws:s3:::${this.bucket}/*`,
          { context, cause: err },
        );
      }
      if (status !== undefined) {
        throw new S3CacheError(
          'S3_BUCKET_CHECK_FAILED',
          `checking S3 bucket "${this.bucket}" failed with HTTP ${status}`,
          { context, cause: err },
        );
      }
      this.options.logger?.warn('S3 is unreachable; uploads will be spooled and retried', { bucket: this.bucket, err });
    }
  }

  private async upload(prefix: string, id: string, json: Buffer | string, image?: Buffer): Promise<void> {
    const { sdk, client } = await this.loadS3();
    const put = (name: string, body: Buffer | string, contentType: string) =>
      client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: `${prefix}/${name}`,
          Body: body,
          ContentType: contentType,
        }),
      );
    await Promise.all([
      put(`${id}.json`, json, 'application/json'),
      ...(image ? [put(`${id}.img`, image, 'application/octet-stream')] : []),
    ]);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    const { sdk, client } = await this.loadS3();
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const objects: ObjectIdentifier[] = keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }));
      const result = await client.send(
        new sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      if (result.Errors?.length) {
        const first = result.Errors[0];
        throw new Error(
          `${result.Errors.length} object(s) not deleted, first ${first.Key}: ${first.Code} ${first.Message}`,
        );
      }
    }
  }

  private async spoolFor(prefix: string): Promise<FileCache> {
    const open = this.spools.get(prefix);
    if (open) return open;
    let opening = this.openingSpools.get(prefix);
    if (!opening) {
      // Encoded so that any model name makes exactly one directory level; '.' too, so never '.' or '..'.
      const directory = path.join(this.options.spoolDirectory, encodeURIComponent(prefix).replace(/\./g, '%2E'));
      // The same bounds per prefix, so a pair larger than the whole spool is refused; fitSpool keeps the total.
      opening = FileCache.open({
        directory,
        maxEntries: this.maxPendingEntries,
        maxBytes: this.maxPendingBytes,
        logger: this.options.logger,
      })
        .then((spool) => (this.spools.set(prefix, spool), spool))
        .finally(() => this.openingSpools.delete(prefix));
      this.openingSpools.set(prefix, opening);
    }
    return opening;
  }

  private scheduleRetry(delayMs: number): void {
    if (this.closed || this.retryTimer || this.draining) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.draining = this.drain().then((nextDelayMs) => {
        this.draining = undefined;
        // Pairs that failed, or were spooled while this pass ran, go in the next pass.
        if (this.pendingCount > 0) this.scheduleRetry(nextDelayMs);
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  /** Uploads spooled pairs oldest first; stops at the first failure. Resolves to the delay before the next pass. */
  private async drain(): Promise<number> {
    try {
      for (const [prefix, spool] of this.spools) {
        for (const id of spool.list()) {
          const pair = await spool.read(id);
          if (pair) await this.upload(prefix, id, pair.json, pair.image);
          await spool.remove(id);
        }
      }
      this.retryDelayMs = this.retryInitialMs;
      this.uploads.succeeded(UPLOAD);
      return 0;
    } catch (err) {
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.retryMaxMs ?? 60_000);
      this.uploads.failed(UPLOAD, err, {
        bucket: this.bucket,
        pending: this.pendingCount,
        retryInMs: this.retryDelayMs,
      });
      return this.retryDelayMs;
    }
  }

  private failureReporter(operation: string, context: Record<string, unknown> = {}): (err: unknown) => void {
    return (err) =>
      this.options.logger?.error(`S3 cache ${operation} failed`, {
        bucket: this.bucket,
        prefix: this.prefix,
        ...context,
        err,
      });
  }
}
