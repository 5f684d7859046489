import type { CacheControl, CacheOutcome } from '../commands/command-router';
import type { Logger } from '../logging/logger';
import type { FileCache } from './file-cache';
import type { S3Cache } from './s3-cache';

export interface InferenceCachesParts {
  /** Present when `enable_cache_to_file` is on. */
  local?: FileCache;
  /** Present when `enable_cache_to_s3` is on. */
  s3?: S3Cache;
  logger?: Logger;
}

type Outcomes = { local: CacheOutcome; s3: CacheOutcome };

/**
 * The local and S3 caches as one: what the runner stores every published inference into, and what the
 * command router clears. A cache that is not enabled reports 'OK' to clear_cache and clear_cache_file:
 * nothing of it remains cached afterwards, which is what the command asks for, and cloud tools that clear
 * both caches do not see a failure on a device that uses only one.
 */
export class InferenceCaches implements CacheControl {
  constructor(private readonly parts: InferenceCachesParts) {}

  get enabled(): boolean {
    return Boolean(this.parts.local || this.parts.s3);
  }

  /** Stores into every enabled cache. Never throws: a cache failure must not stop inference, so it is logged. */
  async store(id: string, payloadJson: string, image?: Buffer): Promise<void> {
    const { local, s3, logger } = this.parts;
    const report = (cache: string) => (err: unknown) =>
      logger?.error('caching an inference failed', { cache, id, err });
    await Promise.all([
      local?.write(id, payloadJson, image).catch(report('local')),
      s3?.store(id, payloadJson, image).catch(report('s3')),
    ]);
  }

  async clear(): Promise<Outcomes> {
    return this.both((cache) => cache.clear());
  }

  async clearFile(id: string): Promise<Outcomes> {
    return this.both((cache) => cache.clearFile(id));
  }

  private async both(operation: (cache: FileCache | S3Cache) => Promise<CacheOutcome>): Promise<Outcomes> {
    const run = async (cache: FileCache | S3Cache | undefined): Promise<CacheOutcome> =>
      cache ? operation(cache) : 'OK';
    const [local, s3] = await Promise.all([run(this.parts.local), run(this.parts.s3)]);
    return { local, s3 };
  }
}
