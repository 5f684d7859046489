import { LiveConfiguration } from '../../src/config/live-configuration';
import { parseParameters } from '../../src/config/parse-parameters';
import { Logger } from '../../src/logging/logger';

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = new Logger({ sink: { write: (l: string) => lines.push(JSON.parse(l)) } });
  const live = LiveConfiguration.fixed('serial-runner', parseParameters('serial-runner', {}), logger);
  const seen: Array<[number, number]> = [];
  live.onChange((next, previous) => seen.push([previous.default_threshold, next.default_threshold]));
  return { live, lines, seen };
}

describe('LiveConfiguration', () => {
  it('puts overrides (the device shadow) on top of every deployment until they are removed', () => {
    const { live, seen } = setup();
    expect(live.override({ default_threshold: 0.9 })).toEqual(['default_threshold']);
    expect(live.apply({ Parameters: { default_threshold: '0.4', iotcore_backoff: 2 } })).toBe(true);
    expect([live.current.default_threshold, live.current.iotcore_backoff]).toEqual([0.9, 2]);
    expect(live.override({})).toEqual(['default_threshold']);
    expect(live.current.default_threshold).toBe(0.4);
    // An override that changes nothing tells nobody.
    expect(live.override({ default_threshold: 0.4 })).toEqual([]);
    expect(seen).toEqual([
      [0.7, 0.9],
      [0.9, 0.9],
      [0.9, 0.4],
    ]); // the second: only iotcore_backoff changed
  });

  it('applies a valid update and tells listeners what changed', () => {
    const { live, lines, seen } = setup();
    expect(live.apply({ Parameters: { default_threshold: '0.4', enable_threshold_limit: 'yes' } })).toBe(true);
    expect(live.current.default_threshold).toBe(0.4);
    expect(seen).toEqual([[0.7, 0.4]]);
    expect(lines.at(-1)).toMatchObject({
      msg: 'configuration updated',
      changed: ['enable_threshold_limit', 'default_threshold'],
    });
  });

  it('rejects an invalid update, keeps the previous configuration and logs every problem', () => {
    const { live, lines, seen } = setup();
    expect(live.apply({ Parameters: { default_threshold: 0, iotcore_qos: 7 } })).toBe(false);
    expect(live.current.default_threshold).toBe(0.7);
    expect(seen).toEqual([]);
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      msg: 'configuration update rejected; keeping the previous configuration',
      problems: [
        expect.objectContaining({ key: 'iotcore_qos' }),
        expect.objectContaining({ key: 'default_threshold' }),
      ],
    });
  });

  it('logs an update that changes nothing at debug only, and the same rejected update once', () => {
    const { live, lines } = setup();
    expect(live.apply({ Parameters: {} })).toBe(true);
    expect(live.apply({ Parameters: { default_threshold: 0 } })).toBe(false);
    expect(live.apply({ Parameters: { default_threshold: 0 } })).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['configuration update rejected; keeping the previous configuration']);
    // Accepted, then the same invalid value again: a new rejection, logged.
    expect(live.apply({ Parameters: { default_threshold: 0.5 } })).toBe(true);
    expect(live.apply({ Parameters: { default_threshold: 0 } })).toBe(false);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
  });

  it('a burst of update events reads the configuration at most twice and applies the newest', async () => {
    const logger = new Logger({ level: 'silent' });
    let stored: Record<string, unknown> = { default_threshold: 0.5 };
    let reads = 0;
    let notify: () => void = () => undefined;
    const reader = {
      getConfiguration: async () => {
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
        return { Parameters: stored };
      },
      onConfigurationUpdate: async (_keyPath: string[], handler: () => void) => {
        notify = handler;
        return async () => undefined;
      },
    };
    const live = await LiveConfiguration.fromGreengrass('serial-runner', reader, logger);
    reads = 0;
    const seen: number[] = [];
    live.onChange((next) => seen.push(next.default_threshold));
    for (let i = 1; i <= 100; i++) {
      stored = { default_threshold: 0.5 + i / 1000 };
      notify();
    }
    while (live.current.default_threshold !== 0.6) await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    expect(live.current.default_threshold).toBe(0.6);
    expect(seen).toEqual([0.6]);
  });
});
