import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');
/** Not the repository's own content: installed, generated, or version control. */
const SKIPPED = new Set(['node_modules', 'dist', '.nx', '.git', 'coverage']);
/** Binary fixtures (sample frames) hold no paths. */
const BINARY = /\.(png|jpe?g|zip|gz|wasm|node|eim)$/;

function repositoryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return repositoryFiles(path);
    return entry.isFile() && !BINARY.test(entry.name) ? [path] : [];
  });
}

describe('the repository stands on its own', () => {
  // A clone has nothing beside it: the documents and data this project was started from live outside it and
  // what the tests need is copied in as fixtures, each with a note saying where it comes from.
  const outside = ['..', 'shared'].join('/');

  it(`no file refers to ${outside}`, () => {
    const files = repositoryFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    const referring = files.filter((file) => readFileSync(file, 'utf8').includes(outside));
    expect(referring.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('every fixture folder says where its data comes from', () => {
    const fixtureDirs = repositoryFiles(ROOT)
      .map((file) => relative(ROOT, file))
      .filter((file) => /(^|\/)fixtures\/[^/]+\/[^/]+$/.test(file))
      .map((file) => file.slice(0, file.lastIndexOf('/')));
    const unexplained = [...new Set(fixtureDirs)].filter((dir) => {
      try {
        return !/source|comes from|copied/i.test(readFileSync(join(ROOT, dir, 'README.md'), 'utf8'));
      } catch {
        return true;
      }
    });
    expect(unexplained).toEqual([]);
  });
});
