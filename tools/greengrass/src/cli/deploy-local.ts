#!/usr/bin/env node
/**
 * `deploy-local`: the greengrass-cli command that deploys the packaged tree on this (developer's) device.
 *   deploy-local [--component Name]... [--config Name=JSON] [--reset Name=/ptr] [--cli /greengrass/v2/bin/greengrass-cli] [--run]
 * Prints the command; --run executes it (needs root, as greengrass-cli does).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultOutputDir } from '../packaging/package-component';
import { greengrassCliCommand } from '../deploy/greengrass-cli-command';
import { componentChanges } from './component-flags';
import { REPOSITORY_ROOT, runCli } from './run-cli';

runCli(async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      component: { type: 'string', multiple: true },
      config: { type: 'string', multiple: true, default: [] },
      reset: { type: 'string', multiple: true, default: [] },
      cli: { type: 'string', default: '/greengrass/v2/bin/greengrass-cli' },
      'output-dir': { type: 'string', default: defaultOutputDir(REPOSITORY_ROOT) },
      run: { type: 'boolean', default: false },
    },
  });
  const recipesDir = join(values['output-dir'], 'recipes');
  // Recipes are <Name>-<x.y.z>.yaml: the local tree decides the versions.
  const versions = new Map(
    readdirSync(recipesDir).flatMap((file) => {
      const match = /^(.+)-(\d+\.\d+\.\d+)\.yaml$/.exec(file);
      return match ? [[match[1], match[2]] as const] : [];
    }),
  );
  const names = values.component ?? [...versions.keys()];
  const changes = componentChanges(
    names.map((name) => `${name}=${versions.get(name) ?? 'missing'}`),
    values.config,
    values.reset,
  );
  const command = greengrassCliCommand(values.cli, values['output-dir'], changes);
  console.log(command.map(shellQuote).join(' '));
  if (values.run) {
    const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
    process.exitCode = result.status ?? 1;
  }
});

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
