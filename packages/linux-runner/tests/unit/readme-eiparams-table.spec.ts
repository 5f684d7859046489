import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eiparamsTableMarkdown } from '../../src/eiparams/flags-table';
import { RUNNER_FLAGS } from '../../src/eiparams/runner-flags';

it('the README eiparams table is the one generated from the flag table (npm run docs)', () => {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const block = readme.split('<!-- eiparams-table:start')[1]?.split('<!-- eiparams-table:end -->')[0];
  expect(block?.slice(block.indexOf('\n') + 1).trim()).toBe(eiparamsTableMarkdown());
  // One row per flag, each naming it.
  for (const { name } of RUNNER_FLAGS) expect(block).toContain(`| \`${name}`);
});
