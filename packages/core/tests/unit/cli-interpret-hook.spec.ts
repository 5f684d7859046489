import { EXIT_FAILURE, EXIT_OK, runComponentCli, type ConfigInterpretation } from '../../src/cli/run-component-cli';
import { capturedIo } from '../support/captured-io';

/** A component's reading of its configuration: here, one that looks at `camera`. */
function interpret(config: { camera?: string }): ConfigInterpretation {
  return {
    effective: { camera: config.camera ?? 'first' },
    warnings: config.camera === 'old' ? ['camera: old is deprecated'] : [],
    problems: config.camera === 'bad' ? [{ key: 'camera', value: 'bad', message: 'is not usable' }] : [],
    shownParameters: { camera: `<${config.camera}>` },
  };
}

const io = () => capturedIo();

describe("a component's interpret hook", () => {
  let ran = 0;
  const main = async () => ++ran;

  it('--check-config prints its effective settings, warnings and problems (none: exit 0)', async () => {
    const s = io();
    const code = await runComponentCli('linux-runner', ['--set', 'camera=old', '--check-config'], main, s, {
      interpret,
    });
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(s.out())).toMatchObject({
      parameters: { camera: '<old>' },
      effective: { camera: 'old' },
      warnings: ['camera: old is deprecated'],
      problems: [],
    });
  });

  it('--check-config with problems lists them and exits non-zero', async () => {
    const s = io();
    expect(
      await runComponentCli('linux-runner', ['--set', 'camera=bad', '--check-config'], main, s, { interpret }),
    ).toBe(EXIT_FAILURE);
    expect(JSON.parse(s.out()).problems).toEqual(['camera: is not usable']);
  });

  it('at start its warnings are logged once and its problems stop the component before main', async () => {
    const warned = io();
    expect(await runComponentCli('linux-runner', ['--set', 'camera=old'], main, warned, { interpret })).toBe(1);
    expect(warned.err().match(/camera: old is deprecated/g)).toHaveLength(1);
    const s = io();
    ran = 0;
    expect(await runComponentCli('linux-runner', ['--set', 'camera=bad'], main, s, { interpret })).toBe(EXIT_FAILURE);
    expect(ran).toBe(0);
    expect(s.err()).toContain('camera: is not usable (got "bad")');
  });

  it('without a hook --check-config prints neither effective nor problems', async () => {
    const s = io();
    await runComponentCli('linux-runner', ['--check-config'], main, s);
    expect(Object.keys(JSON.parse(s.out()))).toEqual([
      'component',
      'deviceName',
      'topics',
      'transport',
      'parameters',
      'warnings',
    ]);
  });
});
