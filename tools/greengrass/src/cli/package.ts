#!/usr/bin/env node
/**
 * `package`: node tools/greengrass/dist/cli/package.js <component package dir | ComponentName>...
 * (the Nx `package` target of each component passes its project root).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { componentNameOfPackage } from '../packaging/component-spec';
import { packageComponent } from '../packaging/package-component';
import { REPOSITORY_ROOT, runCli } from './run-cli';

runCli(async (args) => {
  if (args.length === 0) throw new Error('usage: package <component package dir | ComponentName>...');
  for (const arg of args) {
    const started = Date.now();
    const componentName = existsSync(resolve(arg, 'package.json')) ? componentNameOfPackage(resolve(arg)) : arg;
    const result = await packageComponent({ repositoryRoot: REPOSITORY_ROOT, componentName });
    console.log(`${componentName} ${result.spec.version} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`  recipe   ${result.recipePath}`);
    for (const artifact of result.artifacts) {
      console.log(
        `  ${artifact.arch.padEnd(8)} ${artifact.path}  ${(artifact.bytes / 1024 / 1024).toFixed(1)} MiB  sha256 ${artifact.digest}`,
      );
    }
  }
});
