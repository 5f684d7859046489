import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationTableMarkdown } from '../../src/config/configuration-table';

it('the README configuration table is the one generated from the schema (npm run docs)', () => {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const block = readme.split('<!-- config-table:start')[1]?.split('<!-- config-table:end -->')[0];
  expect(block?.slice(block.indexOf('\n') + 1).trim()).toBe(configurationTableMarkdown());
});
