import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileCache, isInferenceId } from '../../src/caches/file-cache';
import { FileCacheError } from '../../src/errors';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ei-gg-file-cache-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;
const names = async (dir: string) => (await fs.readdir(dir)).sort();

describe('FileCache', () => {
  it('creates a missing directory 0700 and writes each pair 0600, readable back', async () => {
    const dir = path.join(root, 'a', 'cache');
    const cache = await FileCache.open({ directory: dir });
    const id = randomUUID();
    await cache.write(id, '{"n":1}', Buffer.from([1, 2, 3]));

    expect(await mode(dir)).toBe(0o700);
    expect(await names(dir)).toEqual([`${id}.img`, `${id}.json`]);
    expect(await mode(path.join(dir, `${id}.json`))).toBe(0o600);
    expect(await mode(path.join(dir, `${id}.img`))).toBe(0o600);
    expect(await cache.read(id)).toEqual({ json: Buffer.from('{"n":1}'), image: Buffer.from([1, 2, 3]) });
    expect(cache.size).toEqual({ entries: 1, bytes: 10 });
  });

  it('never shows a partial file under the final name while large pairs are rewritten', async () => {
    const cache = await FileCache.open({ directory: root });
    const id = randomUUID();
    const size = 4 * 1024 * 1024;
    let writing = true;
    const writer = (async () => {
      for (let fill = 1; fill <= 12; fill++) await cache.write(id, '{}', Buffer.alloc(size, fill));
      writing = false;
    })();
    let seen = 0;
    while (writing) {
      const data = await fs.readFile(path.join(root, `${id}.img`)).catch(() => undefined);
      if (!data) continue;
      seen++;
      expect(data.length).toBe(size);
      expect(data.every((b) => b === data[0])).toBe(true);
    }
    await writer;
    expect(seen).toBeGreaterThan(0);
    expect(await names(root)).toEqual([`${id}.img`, `${id}.json`]); // no temp file left behind
  });

  it('removes temp files left by a crash when it opens, and indexes the pairs already there', async () => {
    const id = randomUUID();
    await fs.writeFile(path.join(root, `.${id}.img.0123456789ab.tmp`), 'partial');
    await fs.writeFile(path.join(root, `${id}.json`), '{}');
    const cache = await FileCache.open({ directory: root });
    expect(await names(root)).toEqual([`${id}.json`]);
    expect(cache.list()).toEqual([id]);
  });

  it('evicts the oldest pairs first when maxEntries or maxBytes is exceeded', async () => {
    const byCount = await FileCache.open({ directory: path.join(root, 'count'), maxEntries: 3 });
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) await byCount.write(id, '{}', Buffer.alloc(10));
    expect(byCount.list()).toEqual(ids.slice(2));
    expect(await names(byCount.directory)).toEqual(
      ids
        .slice(2)
        .flatMap((id) => [`${id}.img`, `${id}.json`])
        .sort(),
    );

    // Rewriting an id makes it the newest.
    await byCount.write(ids[2], '{}');
    await byCount.write(randomUUID(), '{}');
    expect(byCount.list().slice(0, 2)).toEqual([ids[4], ids[2]]);

    const byBytes = await FileCache.open({ directory: path.join(root, 'bytes'), maxBytes: 250 });
    for (const id of ids) await byBytes.write(id, '{}', Buffer.alloc(98)); // 100 bytes a pair
    expect(byBytes.list()).toEqual(ids.slice(3));
    expect(byBytes.size).toEqual({ entries: 2, bytes: 200 });
  });

  it('never holds more than maxBytes: makes room before each write, oldest first, and counts the evictions', async () => {
    const cache = await FileCache.open({ directory: root, maxBytes: 1000 });
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const onDisk = async () => {
      let bytes = 0;
      for (const name of await fs.readdir(root)) bytes += (await fs.stat(path.join(root, name))).size;
      return bytes;
    };
    for (const [i, id] of ids.entries()) {
      await cache.write(id, '{"i":' + String(i).padStart(2, '0') + '}', Buffer.alloc(292)); // 300 bytes a pair
      expect(cache.size.bytes).toBeLessThanOrEqual(1000);
      expect(await onDisk()).toBe(cache.size.bytes);
    }
    expect(cache.list()).toEqual(ids.slice(-3));
    expect(cache.evicted).toBe(9);
    expect(cache.maxBytes).toBe(1000);

    // clear and clearFile are not evictions.
    await cache.clearFile(ids[11]);
    expect(await cache.clear()).toBe('OK');
    expect(cache.evicted).toBe(9);
  });

  it('refuses a pair larger than the whole bound, keeping what is cached', async () => {
    const cache = await FileCache.open({ directory: root, maxBytes: 100 });
    const kept = randomUUID();
    await cache.write(kept, '{}', Buffer.alloc(50));
    const tooLarge = randomUUID();
    const failure = cache.write(tooLarge, '{}', Buffer.alloc(200));
    await expect(failure).rejects.toBeInstanceOf(FileCacheError);
    await expect(failure).rejects.toMatchObject({
      code: 'CACHE_ENTRY_TOO_LARGE',
      context: { id: tooLarge, bytes: 202, maxBytes: 100 },
    });
    expect(cache.list()).toEqual([kept]);
    expect(cache.evicted).toBe(0);
  });

  it('a write that fails after the image landed leaves nothing of the pair, and says where and why', async () => {
    const cache = await FileCache.open({ directory: root });
    const id = randomUUID();
    await fs.mkdir(path.join(root, `${id}.json`)); // the .json rename then fails (EISDIR) after the .img is in place
    const failure = cache.write(id, '{}', Buffer.alloc(64));
    await expect(failure).rejects.toMatchObject({
      code: 'CACHE_WRITE_FAILED',
      message: expect.stringContaining(`writing ${id}.json in ${root} failed`),
      context: { directory: root, id },
      cause: expect.objectContaining({ code: 'EISDIR' }),
    });
    expect(await names(root)).toEqual([`${id}.json`]); // only the obstacle: no .img, no temp file
    expect(cache.list()).toEqual([]);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('orders pairs found on disk by mtime and applies the bounds when it opens', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      const file = path.join(root, `${id}.json`);
      await fs.writeFile(file, '{}');
      const t = new Date(Date.UTC(2020, 0, 3 - i)); // first written id is the newest on disk
      await fs.utimes(file, t, t);
    }
    const cache = await FileCache.open({ directory: root, maxEntries: 2 });
    expect(cache.list()).toEqual([ids[1], ids[0]]);
    expect(await names(root)).toEqual([`${ids[0]}.json`, `${ids[1]}.json`].sort());
  });

  it('accepts only UUIDs as ids, so no path can leave the directory', async () => {
    const inside = path.join(root, 'cache');
    const cache = await FileCache.open({ directory: inside });
    const victim = path.join(root, 'x.json');
    await fs.writeFile(victim, 'keep');
    const id = randomUUID();
    for (const bad of ['../x', `../${id}`, `${id}/../../x`, `${id}.json`, `${id} `, '', id.replace(/-/g, '')]) {
      expect(isInferenceId(bad)).toBe(false);
      await expect(cache.write(bad, '{}')).rejects.toThrow(/invalid inference id/);
      await expect(cache.read(bad)).rejects.toThrow(/invalid inference id/);
      expect(await cache.clearFile(bad)).toBe('FAILED');
    }
    expect(isInferenceId(id.toUpperCase())).toBe(true);
    expect(await fs.readFile(victim, 'utf8')).toBe('keep');
    expect(await names(inside)).toEqual([]);
  });

  it('clear removes only cache files and leaves everything else in the directory', async () => {
    const cache = await FileCache.open({ directory: root });
    const foreign = [
      'notes.txt',
      'abc.json',
      `${'0'.repeat(36)}.json`,
      `${randomUUID()}.json.bak`,
      `${randomUUID()}.png`,
      `${randomUUID()}.json`,
    ];
    for (const name of foreign.slice(0, -1)) await fs.writeFile(path.join(root, name), 'keep');
    await fs.mkdir(path.join(root, foreign[foreign.length - 1])); // a directory is never a cache file
    for (let i = 0; i < 3; i++) await cache.write(randomUUID(), '{}', Buffer.alloc(4));

    expect(await cache.clear()).toBe('OK');
    expect(await names(root)).toEqual(foreign.sort());
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('clearFile removes exactly one id, and an id with nothing cached is OK', async () => {
    const cache = await FileCache.open({ directory: root });
    const [a, b] = [randomUUID(), randomUUID()];
    await cache.write(a, '{}', Buffer.alloc(1));
    await cache.write(b, '{}', Buffer.alloc(1));
    expect(await cache.clearFile(a.toUpperCase())).toBe('OK');
    expect(await names(root)).toEqual([`${b}.img`, `${b}.json`]);
    expect(cache.list()).toEqual([b]);
    expect(await cache.clearFile(a)).toBe('OK');
  });

  it('reports FAILED when the directory is gone', async () => {
    const dir = path.join(root, 'gone');
    const cache = await FileCache.open({ directory: dir });
    await fs.rm(dir, { recursive: true });
    expect(await cache.clear()).toBe('FAILED');
  });
});
