import { randomUUID } from 'node:crypto';
import type { CommandReply } from '../commands/command-replies';
import type { CacheControl, CacheOutcome } from '../commands/command-router';
import { Logger } from '../logging/logger';
import {
  RepeatedErrorLog,
  type FaultChange,
  type FaultStatus,
  type RepeatedErrorLogOptions,
} from '../logging/repeated-error-log';
import type { FileCache } from './file-cache';
import type { S3Cache, S3CacheStatus } from './s3-cache';

export interface InferenceCachesParts {
  /** Present when `enable_cache_to_file` is on. */
  local?: FileCache;
  /** Present when `enable_cache_to_s3` is on. */
  s3?: S3Cache;
  logger?: Logger;
  /**
   * The S3 folder of the running model (`<model_name>_v<version>`), undefined until it runs: the S3 cache follows it
   * before every store and clear.
   */
  keyPrefix?: () => string | undefined;
  /** Summary interval (60 s), settle time (10 s) and clock of the caches' fault log; tests inject them. */
  faultLog?: Pick<RepeatedErrorLogOptions, 'intervalMs' | 'settleMs' | 'clock'>;
}

export type CacheName = 'file' | 's3';

/** The file cache in `get_status` and the metrics message: whether caching works, and how full it is. */
export interface FileCacheStatus extends FaultStatus {
  entries: number;
  bytes: number;
  max_bytes: number | null;
  /** Pairs evicted (oldest first) to stay within `cache_file_max_mb`. */
  evicted: number;
}

/** The S3 cache there: whether pairs can be stored (uploaded or spooled), the spool and the uploads. */
export type S3CachesStatus = FaultStatus & S3CacheStatus;

export type CachesStatus = {
  file?: FileCacheStatus;
  s3?: S3CachesStatus;
};

/** The fault log subject of each cache: the operation that fails. */
const SUBJECT: Record<CacheName, string> = { file: 'file cache write', s3: 'S3 cache store' };

type Outcomes = { local: CacheOutcome; s3: CacheOutcome };

/**
 * The `command/output` notice of a cache that stopped caching (`cache_failing`) or resumed (`cache_resumed`):
 * one of each per fault, however many inferences failed to cache in between.
 */
export function cacheFaultReply(cache: CacheName, change: FaultChange): CommandReply {
  const common = { cache, since: change.since, ts: change.at, id: randomUUID() };
  return change.state === 'failing'
    ? { result: { status: 'cache_failing', ...common, code: change.code, error: change.error } }
    : { result: { status: 'cache_resumed', ...common, failures: change.failures } };
}

/**
 * The local and S3 caches as one: what the runner stores every published inference into, and what the
 * command router clears. A cache that is not enabled reports 'OK' to clear_cache and clear_cache_file:
 * nothing of it remains cached afterwards, which is what the command asks for, and cloud tools that clear
 * both caches do not see a failure on a device that uses only one.
 *
 * A cache that fails (a full disk) never fails or delays inference: `store` never throws. Its failures go
 * through a {@link RepeatedErrorLog} (one line when it starts, a summary a minute, one when it recovers), each
 * fault is reported once when it starts and once when it clears to `onReport` (the host publishes it on
 * `command/output`), and `status()` shows it. Caching resumes by itself: every store tries again.
 */
export class InferenceCaches implements CacheControl {
  private readonly faults: RepeatedErrorLog;
  private readonly reporters = new Set<(reply: CommandReply) => void>();
  private prefix: string | undefined;

  constructor(private readonly parts: InferenceCachesParts) {
    this.faults = new RepeatedErrorLog({
      logger: parts.logger ?? new Logger({ level: 'silent' }),
      ...parts.faultLog,
      onChange: (change) => {
        const reply = cacheFaultReply(change.subject === SUBJECT.file ? 'file' : 's3', change);
        for (const report of this.reporters) report(reply);
      },
    });
  }

  get enabled(): boolean {
    return Boolean(this.parts.local || this.parts.s3);
  }

  /** Where the S3 cache puts the pairs of the running model; undefined without S3 or before the model runs. */
  s3Location(): { bucket: string; prefix: string } | undefined {
    const prefix = this.parts.keyPrefix?.();
    return this.parts.s3 && prefix ? { bucket: this.parts.s3.bucket, prefix: `${prefix}/` } : undefined;
  }

  /** Stores into every enabled cache. Never throws: a cache failure must not stop inference. */
  async store(id: string, payloadJson: string, image?: Buffer): Promise<void> {
    const { local, s3 } = this.parts;
    const storeS3 = async (cache: S3Cache) => {
      this.followModel();
      await cache.store(id, payloadJson, image);
    };
    await Promise.all([
      local && this.attempt('file', () => local.write(id, payloadJson, image), { directory: local.directory }),
      s3 && this.attempt('s3', () => storeS3(s3), { bucket: s3.bucket }),
    ]);
  }

  async clear(): Promise<Outcomes> {
    return this.both((cache) => cache.clear());
  }

  async clearFile(id: string): Promise<Outcomes> {
    return this.both((cache) => cache.clearFile(id));
  }

  /** Each enabled cache: `state` ('ok' or 'failing', with `code`, `error`, `since`), size, bound, evictions. */
  status(): CachesStatus {
    const { local, s3 } = this.parts;
    const status: CachesStatus = {};
    if (local) {
      const { entries, bytes } = local.size;
      status.file = {
        ...this.faults.status(SUBJECT.file),
        entries,
        bytes,
        max_bytes: local.maxBytes ?? null,
        evicted: local.evicted,
      };
    }
    if (s3) status.s3 = { ...this.faults.status(SUBJECT.s3), ...s3.status };
    return status;
  }

  /**
   * Where fault notices go (the host: `command/output`). A cache already failing is reported to a new listener
   * at once, so a fault that began before the host listened is not missed. Returns the unsubscribe function.
   */
  onReport(report: (reply: CommandReply) => void): () => void {
    this.reporters.add(report);
    for (const cache of ['file', 's3'] as const) {
      const now = this.faults.status(SUBJECT[cache]);
      if (now.state === 'failing') {
        const { code = '', error = '', since = 0, failures = 0 } = now;
        const at = now.last_failure ?? since;
        report(cacheFaultReply(cache, { subject: SUBJECT[cache], state: 'failing', code, error, since, failures, at }));
      }
    }
    return () => this.reporters.delete(report);
  }

  /** Logs failures not yet summarised and stops the fault log's timers. */
  close(): void {
    this.faults.close();
  }

  private async attempt(cache: CacheName, work: () => Promise<void>, fields: Record<string, unknown>): Promise<void> {
    try {
      await work();
      this.faults.succeeded(SUBJECT[cache]);
    } catch (err) {
      this.faults.failed(SUBJECT[cache], err, { cache, ...fields });
    }
  }

  /** The S3 cache's folder is the running model's; it changes when another model starts. */
  private followModel(): void {
    const prefix = this.parts.keyPrefix?.();
    if (!prefix || prefix === this.prefix) return;
    this.parts.s3?.setPrefix(prefix);
    this.prefix = prefix;
  }

  private async both(operation: (cache: FileCache | S3Cache) => Promise<CacheOutcome>): Promise<Outcomes> {
    this.followModel();
    const run = async (cache: FileCache | S3Cache | undefined): Promise<CacheOutcome> =>
      cache ? operation(cache) : 'OK';
    const [local, s3] = await Promise.all([run(this.parts.local), run(this.parts.s3)]);
    return { local, s3 };
  }
}
