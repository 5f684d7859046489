import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CacheOutcome } from '../commands/command-router';
import { FileCacheError } from '../errors';
import type { Logger } from '../logging/logger';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const INFERENCE_ID = new RegExp(`^${UUID}$`, 'i');
/** The only names the cache ever creates or deletes: anything else in the directory is left alone. */
const CACHE_FILE = new RegExp(`^(${UUID})\\.(json|img)$`);
/** Temporary names (`.<id>.<ext>.<random>.tmp`) left by a crash mid-write; removed when the cache opens. */
const TEMP_FILE = new RegExp(`^\\.${UUID}\\.(json|img)\\.[0-9a-f]{12}\\.tmp$`);

/** An inference id: a UUID, so that `<id>.json` can never name a path outside the cache directory. */
export function isInferenceId(id: unknown): id is string {
  return typeof id === 'string' && INFERENCE_ID.test(id);
}

/** The id in its canonical (lower-case) form, the one file names and object keys use; throws if not a UUID. */
export function checkInferenceId(id: string): string {
  if (!isInferenceId(id)) throw new RangeError(`invalid inference id ${JSON.stringify(id)}: must be a uuid`);
  return id.toLowerCase();
}

export const MIB = 1024 * 1024;

export interface FileCacheOptions {
  directory: string;
  /**
   * Bound on the bytes of the cached files (`.json` + `.img`; file-system overhead not counted): the oldest
   * pairs are evicted before a write that would exceed it, so the cache never holds more. A pair larger than
   * the bound on its own is refused (`CACHE_ENTRY_TOO_LARGE`).
   */
  maxBytes?: number;
  /** Bound on the number of pairs, kept the same way. */
  maxEntries?: number;
  /** Where clear/clearFile failures are explained (their result is only 'OK' or 'FAILED'). */
  logger?: Logger;
}

export interface CachedPair {
  json: Buffer;
  image?: Buffer;
}

interface Entry {
  bytes: number;
  mtimeMs: number;
}

/**
 * `<id>.json` + `<id>.img` pairs in one directory. Writes are atomic (temp file, fsync, rename), so a reader
 * never sees a partial file under its final name, and a write that fails (a full disk) leaves nothing of its
 * pair behind. Size is tracked in memory (one directory scan when opened); the oldest pairs are evicted to stay
 * within the bounds, and counted.
 */
export class FileCache {
  /** Oldest first: Map keeps insertion order, and every write re-inserts its id at the end. */
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private evictedCount = 0;
  /** The write in progress, if any: writes run one at a time (see write()). */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: FileCacheOptions) {}

  /** Creates the directory (0700) if missing and indexes the pairs already in it. */
  static async open(options: FileCacheOptions): Promise<FileCache> {
    const cache = new FileCache(options);
    await fs.mkdir(options.directory, { recursive: true, mode: 0o700 });
    await cache.index();
    await cache.evict();
    return cache;
  }

  get directory(): string {
    return this.options.directory;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.totalBytes };
  }

  get maxBytes(): number | undefined {
    return this.options.maxBytes;
  }

  /** Pairs removed to stay within the bounds since the cache was opened (not those cleared or removed). */
  get evicted(): number {
    return this.evictedCount;
  }

  /** The oldest pair and when it was written (epoch ms), or undefined when empty. */
  oldest(): { id: string; mtimeMs: number } | undefined {
    const first = this.entries.entries().next();
    return first.done ? undefined : { id: first.value[0], mtimeMs: first.value[1].mtimeMs };
  }

  /** Evicts the oldest pair (counted in `evicted`); false when there is none. */
  async evictOldest(): Promise<boolean> {
    const oldest = this.entries.keys().next();
    if (oldest.done) return false;
    await this.remove(oldest.value);
    this.evictedCount += 1;
    return true;
  }

  /** Ids, oldest first. */
  list(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Writes a pair, evicting the oldest first if the bounds need room. Throws a {@link FileCacheError}
   * (`CACHE_WRITE_FAILED` with the file-system error as cause, e.g. ENOSPC) after removing whatever of the
   * pair was written, so a failed write never leaves a partial pair or a temp file.
   */
  async write(id: string, json: Buffer | string, image?: Buffer): Promise<void> {
    // One write at a time: concurrent writes would each see room for their pair, overshoot the bound together,
    // and on a nearly full disk a burst could fail every write at once (each holding part of the free space).
    const turn = this.writing.then(() => this.writeNow(id, json, image));
    this.writing = turn.catch(() => undefined);
    return turn;
  }

  private async writeNow(id: string, json: Buffer | string, image?: Buffer): Promise<void> {
    const key = checkInferenceId(id);
    const jsonBytes = typeof json === 'string' ? Buffer.from(json) : json;
    const bytes = jsonBytes.length + (image?.length ?? 0);
    const { maxBytes } = this.options;
    if (maxBytes !== undefined && bytes > maxBytes) {
      throw new FileCacheError(
        'CACHE_ENTRY_TOO_LARGE',
        `file cache: a pair of ${bytes} bytes is larger than the whole bound of ${maxBytes} bytes (${this.directory})`,
        { context: { directory: this.directory, id: key, bytes, maxBytes } },
      );
    }
    this.forget(key);
    await this.evict(bytes);
    let step = image ? `writing ${key}.img` : `removing a stale ${key}.img`;
    try {
      // The image goes first: a pair becomes visible (and indexable after a restart) when its .json lands.
      if (image) await this.writeAtomically(`${key}.img`, image);
      else await this.unlinkIfPresent(`${key}.img`);
      step = `writing ${key}.json`;
      await this.writeAtomically(`${key}.json`, jsonBytes);
      step = 'syncing the directory';
      await syncDirectory(this.directory);
    } catch (err) {
      await this.remove(key).catch(() => undefined);
      throw new FileCacheError(
        'CACHE_WRITE_FAILED',
        `file cache: ${step} in ${this.directory} failed: ${(err as Error).message}`,
        { context: { directory: this.directory, id: key, bytes }, cause: err },
      );
    }
    this.forget(key);
    this.remember(key, { bytes, mtimeMs: Date.now() });
  }

  async read(id: string): Promise<CachedPair | undefined> {
    const key = checkInferenceId(id);
    const json = await readIfPresent(this.pathOf(`${key}.json`));
    if (!json) return undefined;
    const image = await readIfPresent(this.pathOf(`${key}.img`));
    return image ? { json, image } : { json };
  }

  /** Removes every cache file (`<uuid>.json|.img`), including ones this process did not write. */
  async clear(): Promise<CacheOutcome> {
    return settle(this.failureReporter('clear'), async () => {
      const entries = await fs.readdir(this.directory, { withFileTypes: true });
      const names = entries.filter((e) => e.isFile() && CACHE_FILE.test(e.name)).map((e) => e.name);
      const results = await Promise.allSettled(names.map((n) => this.unlinkIfPresent(n)));
      for (const name of names) this.forget(CACHE_FILE.exec(name)![1]);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    });
  }

  /** Removes exactly this id's pair. An id with nothing cached is 'OK': afterwards, nothing is cached for it. */
  async clearFile(id: string): Promise<CacheOutcome> {
    return settle(this.failureReporter('clearFile', { id }), () => this.remove(id));
  }

  /** Removes this id's pair; unlike clearFile, throws on failure (after trying both files). */
  async remove(id: string): Promise<void> {
    const key = checkInferenceId(id);
    this.forget(key);
    const results = await Promise.allSettled([this.unlinkIfPresent(`${key}.json`), this.unlinkIfPresent(`${key}.img`)]);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private pathOf(name: string): string {
    return path.join(this.directory, name);
  }

  private async writeAtomically(name: string, data: Buffer): Promise<void> {
    const temp = this.pathOf(`.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.pathOf(name));
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  private async unlinkIfPresent(name: string): Promise<void> {
    await fs.rm(this.pathOf(name), { force: true });
  }

  private remember(id: string, entry: Entry): void {
    this.entries.set(id, entry);
    this.totalBytes += entry.bytes;
  }

  private forget(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.totalBytes -= entry.bytes;
  }

  /** Whether adding a pair of `incomingBytes` (0: none) would exceed a bound. */
  private overBounds(incomingBytes?: number): boolean {
    const { maxBytes, maxEntries } = this.options;
    const extra = incomingBytes === undefined ? 0 : 1;
    return (
      (maxEntries !== undefined && this.entries.size + extra > maxEntries) ||
      (maxBytes !== undefined && this.totalBytes + (incomingBytes ?? 0) > maxBytes)
    );
  }

  /** Evicts oldest first until the pairs (plus one incoming pair of `incomingBytes`, if given) fit the bounds. */
  private async evict(incomingBytes?: number): Promise<void> {
    while (this.entries.size > 0 && this.overBounds(incomingBytes)) await this.evictOldest();
  }

  private async index(): Promise<void> {
    const found = new Map<string, Entry>();
    for (const name of await fs.readdir(this.directory)) {
      if (TEMP_FILE.test(name)) {
        await this.unlinkIfPresent(name);
        continue;
      }
      const match = CACHE_FILE.exec(name);
      if (!match) continue;
      const stat = await fs.stat(this.pathOf(name));
      const entry = found.get(match[1]) ?? { bytes: 0, mtimeMs: 0 };
      found.set(match[1], { bytes: entry.bytes + stat.size, mtimeMs: Math.max(entry.mtimeMs, stat.mtimeMs) });
    }
    for (const [id, entry] of [...found].sort((a, b) => a[1].mtimeMs - b[1].mtimeMs)) this.remember(id, entry);
  }

  private failureReporter(operation: string, context: Record<string, unknown> = {}): (err: unknown) => void {
    return (err) =>
      this.options.logger?.error(`file cache ${operation} failed`, { directory: this.directory, ...context, err });
  }
}

/** Runs a cache operation for a command reply: failures become 'FAILED' (reported, since the reply cannot say why). */
export async function settle(onFailure: (err: unknown) => void, work: () => Promise<unknown>): Promise<CacheOutcome> {
  try {
    await work();
    return 'OK';
  } catch (err) {
    onFailure(err);
    return 'FAILED';
  }
}

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes the renames durable: without it a power cut can lose a pair that was reported written. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
