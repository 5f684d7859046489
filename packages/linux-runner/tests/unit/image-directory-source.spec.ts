import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageDirectorySource } from '../../src/input/image-directory-source';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-images-'));
  for (const name of ['b.PNG', 'a.jpg', 'c.jpeg', 'notes.txt', 'A.jpg']) writeFileSync(path.join(dir, name), name);
  mkdirSync(path.join(dir, 'sub.jpg'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function take(source: ImageDirectorySource, n: number): Promise<(string | undefined)[]> {
  const names = [];
  for (let i = 0; i < n; i++) names.push((await source.next())?.name);
  return names;
}

it('images: every JPEG and PNG file once, in code-point name order', async () => {
  expect(await take(new ImageDirectorySource(dir, false), 5)).toEqual(['A.jpg', 'a.jpg', 'b.PNG', 'c.jpeg', undefined]);
});

it('images-loop: starts over after the last image; stop ends it', async () => {
  const source = new ImageDirectorySource(dir, true);
  expect(await take(source, 6)).toEqual(['A.jpg', 'a.jpg', 'b.PNG', 'c.jpeg', 'A.jpg', 'a.jpg']);
  await source.stop();
  expect(await source.next()).toBeUndefined();
});

it('a directory without images, or none at all, is an INPUT_FAILED error naming it', async () => {
  const empty = path.join(dir, 'sub.jpg');
  await expect(new ImageDirectorySource(empty, false).next()).rejects.toMatchObject({
    code: 'INPUT_FAILED',
    message: `no JPEG or PNG images in ${empty}`,
  });
  await expect(new ImageDirectorySource(path.join(dir, 'nope'), true).next()).rejects.toMatchObject({
    code: 'INPUT_FAILED',
  });
});
