// @ts-check
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync, renameSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
/** Under the root node_modules, so the bundle's require() of native packages (aws-crt, sharp, koffi) resolves. */
const OUT_DIR = path.join(ROOT, 'node_modules/.cache/ei-gg-from-sources');

/**
 * A component's `src/main.ts` bundled from the working tree's sources (core included, through the tsconfig
 * paths) with esbuild, in well under a second: `npm start` and the end-to-end tests run what the sources say
 * without a prior `nx build` (tsc of core and the component takes about 9 s cold). Dependencies stay external.
 * The file is written atomically: concurrent callers (jest workers, a demo) never see half of it.
 *
 * @param {string} packageName folder under packages/, e.g. "linux-runner"
 * @returns {string} path of the bundle, `node_modules/.cache/ei-gg-from-sources/<packageName>.js`
 */
function bundleFromSources(packageName) {
  mkdirSync(OUT_DIR, { recursive: true });
  const target = path.join(OUT_DIR, `${packageName}.js`);
  const temp = path.join(OUT_DIR, `${packageName}.${process.pid}.tmp.js`);
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [
      path.join(ROOT, 'packages', packageName, 'src/main.ts'),
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--packages=external',
      `--tsconfig=${path.join(ROOT, 'tsconfig.base.json')}`,
      `--outfile=${temp}`,
      '--log-level=warning',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(temp, target);
  return target;
}

module.exports = { bundleFromSources };
