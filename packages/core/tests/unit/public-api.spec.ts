/**
 * Core's public API is explicit: each subpath in package.json `exports` is a folder's `index.ts` (built to
 * dist/<folder>/index.js), reachable the way components import it, and no index re-exports a whole module.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CORE = join(__dirname, '../..');
const SRC = join(CORE, 'src');
interface ExportEntry {
  types: string;
  default: string;
}
const manifest = JSON.parse(readFileSync(join(CORE, 'package.json'), 'utf8')) as {
  exports: Record<string, ExportEntry | string>;
};
const subpaths = Object.entries(manifest.exports).filter(
  (entry): entry is [string, ExportEntry] => entry[0] !== '.' && typeof entry[1] !== 'string',
);

it('has subpath entries', () => {
  expect(subpaths.length).toBeGreaterThan(5);
});

it.each(subpaths)(
  '%s points at its folder index, built to dist, which names what it exports',
  async (subpath, entry) => {
    const folder = subpath.slice(2);
    expect(entry).toEqual({ types: `./dist/${folder}/index.d.ts`, default: `./dist/${folder}/index.js` });
    const index = join(SRC, folder, 'index.ts');
    expect(existsSync(index)).toBe(true);
    expect(readFileSync(index, 'utf8')).toMatch(/^export (type )?\{\s+\w/m);
    // Resolvable as components import it (some folders export types only).
    await expect(import(`@ei-gg/core/${folder}`)).resolves.toBeDefined();
  },
);

it('no source file re-exports a whole module (export *)', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && /^export \*/m.test(readFileSync(path, 'utf8'))) offenders.push(path);
    }
  };
  walk(SRC);
  expect(offenders).toEqual([]);
});
