import { Logger } from '../../src/logging/logger';
import { ConfigError } from '../../src/errors';

function capture(): { lines: () => Record<string, unknown>[]; sink: { write(s: string): void } } {
  const out: string[] = [];
  return {
    sink: { write: (s: string) => out.push(s) },
    lines: () =>
      out
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
}

describe('Logger', () => {
  it('writes one JSON object per line with level, message and child fields', () => {
    const c = capture();
    const log = new Logger({ sink: c.sink, clock: () => new Date(0) }).child({ component: 'x' });
    log.info('hello', { n: 1 });
    expect(c.lines()).toEqual([{ ts: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'hello', component: 'x', n: 1 }]);
  });

  it('drops lines below the level and honours silent', () => {
    const c = capture();
    const log = new Logger({ sink: c.sink, level: 'warn' });
    log.info('no');
    log.warn('yes');
    log.setLevel('silent');
    log.error('no');
    expect(c.lines().map((l) => l.msg)).toEqual(['yes']);
  });

  it('redacts registered secrets in messages and nested fields, across children', () => {
    const c = capture();
    const log = new Logger({ sink: c.sink });
    const child = log.child({ part: 'secrets' });
    log.secrets.add('ei_0123456789abcdef');
    child.error('key ei_0123456789abcdef rejected', { nested: { k: 'x-ei_0123456789abcdef-y' } });
    const raw = JSON.stringify(c.lines());
    expect(raw).not.toContain('0123456789abcdef');
    expect(c.lines()[0]).toMatchObject({ msg: 'key [REDACTED] rejected', nested: { k: 'x-[REDACTED]-y' } });
  });

  it('serialises typed errors with code, context and cause', () => {
    const c = capture();
    const err = new ConfigError([{ key: 'iotcore_qos', value: 2, message: 'must be 0 or 1' }], {
      cause: new Error('root'),
    });
    new Logger({ sink: c.sink }).error('bad', { err });
    expect(c.lines()[0].err).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID', cause: { message: 'root' } });
  });
});
