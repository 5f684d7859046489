import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

function steps(workflow: string): Step[] {
  return Object.values((parse(read(`.github/workflows/${workflow}`)) as Workflow).jobs).flatMap((job) => job.steps);
}

// The workflows' syntax is checked by actionlint (npm run lint); these are the promises the README makes.
describe('CI runs what the README says', () => {
  const testCommand = /^bash tools\/test-all\.sh\b/m;

  it("the README's first lines give the set-up-and-test command, and .ci/run runs exactly it", () => {
    const head = read('README.md').split('\n').slice(0, 8).join('\n');
    expect(head).toMatch(/^npm ci && npm start\b/m);
    expect(head).toMatch(testCommand);
    const commands = read('.ci/run')
      .split('\n')
      .filter(
        (line) => line.trim() !== '' && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '),
      );
    expect(commands).toEqual(['bash tools/test-all.sh']);
  });

  it.each(['ci.yml', 'release.yml'])(
    '%s runs .ci/run as root, since the offline install tests need namespaces and a scratch /etc',
    (workflow) => {
      const runs = steps(workflow).flatMap((step) => (step.run ? [step.run] : []));
      expect(runs.filter((run) => /sudo -E env "PATH=\$PATH" bash \.ci\/run/.test(run))).toHaveLength(1);
    },
  );

  it('ci.yml keeps the smoke benchmark figures as an artifact', () => {
    const upload = steps('ci.yml').find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.path)).toContain('dist/bench/latest.json');
  });
});
