import { configurationTableMarkdown } from '../../src/config/configuration-table';
import { defaultRecipeParameters, describeParameters, toRecipeValue } from '../../src/config/recipe-defaults';
import { parseParameters } from '../../src/config/parse-parameters';
import { COMPONENT_KINDS } from '../../src/component-kind';

describe('recipe DefaultConfiguration from the schema', () => {
  it('writes values the way the original recipes do', () => {
    expect(toRecipeValue(undefined)).toBe('__none__');
    expect(toRecipeValue(false)).toBe('no');
    expect(toRecipeValue(true)).toBe('yes');
    expect(toRecipeValue(['video', 'audio'])).toBe('video audio');
    expect(toRecipeValue(0.7)).toBe(0.7);
  });

  it('matches the original serial-runner recipe where keys are shared', () => {
    expect(defaultRecipeParameters('serial-runner')).toMatchObject({
      device_name: 'MyEdgeImpulseDevice',
      sleep_time_sec: 10,
      lock_filename: '/tmp/ei_lockfile_serial_runner',
      iotcore_backoff: 5,
      iotcore_qos: 1,
      ei_bindir: '/usr/local/bin',
      ei_ggc_user_groups: 'video audio input users dialout',
      baud_rate: 115200,
      serial_port: '__none__',
    });
  });

  it.each(COMPONENT_KINDS)('%s: the generated defaults parse back to the schema defaults', (kind) => {
    const recipe = defaultRecipeParameters(kind);
    expect(parseParameters(kind, { Parameters: recipe }).config).toEqual(parseParameters(kind, {}).config);
  });

  it('documents every key with what is allowed and a description', () => {
    for (const kind of COMPONENT_KINDS) {
      for (const doc of describeParameters(kind)) {
        expect(doc.allowed).not.toBe('');
        expect(doc.description).not.toBe('');
      }
    }
  });

  it('renders one markdown row per key across the three components', () => {
    const table = configurationTableMarkdown().split('\n');
    expect(table[0]).toBe('| key | LinuxService | LinuxRunnerService | SerialRunnerService | allowed | meaning |');
    const threshold = table.find((row) => row.startsWith('| `default_threshold` |'));
    expect(threshold).toMatch(/^\| `default_threshold` \| - \| `0.7` \| `0.7` \|/);
    const keys = new Set(COMPONENT_KINDS.flatMap((k) => Object.keys(defaultRecipeParameters(k))));
    expect(table.length).toBe(2 + keys.size);
  });
});
