'use strict';
// Test-only: lets `node -r <this> src/main.ts` run the component from its TypeScript sources, as a real
// process (signals, process groups), without a build: esbuild strips the types per file, and @ei-gg/core
// resolves to its sources as in jest.
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { transformSync } = require('esbuild');

const CORE = path.resolve(__dirname, '../../../core/src/index.ts');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === '@ei-gg/core' ? CORE : request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    sourcefile: filename,
    target: 'node20',
  });
  module._compile(code, filename);
};
