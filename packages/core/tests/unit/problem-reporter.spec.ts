import type { CommandReply } from '../../src/commands/command-replies';
import { ProblemReporter } from '../../src/commands/problem-reporter';
import { EiGgError } from '../../src/errors';
import { Logger } from '../../src/logging/logger';

/** A reporter whose replies and log lines land in arrays, with a clock the test moves. */
function harness(reply: (reply: CommandReply) => Promise<void> = async () => undefined) {
  const replies: CommandReply[] = [];
  const raw: string[] = [];
  let now = Date.UTC(2025, 0, 1);
  const reporter = new ProblemReporter({
    commands: { reply: (r) => (replies.push(r), reply(r)) },
    logger: new Logger({ sink: { write: (line: string) => raw.push(line) } }),
    source: 'serial-runner',
    subject: 'board',
    intervalMs: 60_000,
    clock: () => now,
  });
  return {
    reporter,
    replies,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    advance: (ms: number) => (now += ms),
  };
}

const missing = () => new EiGgError('SERIAL_PORT_MISSING', 'serial port /dev/ttyACM0 does not exist');

describe('ProblemReporter', () => {
  it('replies once per distinct message, with the code of a typed error and the extra fields', async () => {
    const h = harness();
    for (let i = 0; i < 5; i++) await h.reporter.report('serial port /dev/ttyACM0 does not exist', missing());
    await h.reporter.report('model failed: exit 3', new Error('exit 3'), { attempt: 2 });
    await h.reporter.report('serial port /dev/ttyACM0 does not exist', missing());
    await h.reporter.report('board: ERR: no sensor');
    expect(h.replies).toEqual([
      {
        result: {
          error: 'serial port /dev/ttyACM0 does not exist',
          source: 'serial-runner',
          code: 'SERIAL_PORT_MISSING',
        },
      },
      // A plain Error has no code; the extra fields are part of the reply.
      { result: { error: 'model failed: exit 3', source: 'serial-runner', attempt: 2 } },
      // A different message came between: the same problem again is news.
      {
        result: {
          error: 'serial port /dev/ttyACM0 does not exist',
          source: 'serial-runner',
          code: 'SERIAL_PORT_MISSING',
        },
      },
      { result: { error: 'board: ERR: no sensor', source: 'serial-runner' } },
    ]);
  });

  it('replies the same message again after clear()', async () => {
    const h = harness();
    await h.reporter.report('serial port /dev/ttyACM0 does not exist', missing());
    h.reporter.clear();
    await h.reporter.report('serial port /dev/ttyACM0 does not exist', missing());
    expect(h.replies).toHaveLength(2);
  });

  it('logs a repeated problem once, then a counted summary per interval, and the recovery', async () => {
    const h = harness();
    for (let i = 0; i < 30; i++) {
      await h.reporter.report('serial port /dev/ttyACM0 does not exist', missing(), { port: '/dev/ttyACM0' });
      h.advance(5_000); // a reconnect every 5 s: 150 s
    }
    expect(h.lines()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'board failed',
        code: 'SERIAL_PORT_MISSING',
        problem: 'serial port /dev/ttyACM0 does not exist',
        port: '/dev/ttyACM0',
      }),
      expect.objectContaining({ msg: 'board still failing', repeated: 12 }),
      expect.objectContaining({ msg: 'board still failing', repeated: 12 }),
    ]);
    h.advance(60_000);
    h.reporter.clear();
    expect(h.lines().at(-1)).toMatchObject({ level: 'info', msg: 'board recovered', failures: 30 });
  });

  it('never rejects when the reply cannot be published, and says so in the log', async () => {
    const h = harness(async () => Promise.reject(new Error('broker gone')));
    await expect(h.reporter.report('board: ERR: no sensor')).resolves.toBeUndefined();
    expect(h.lines().map((l) => [l.level, l.msg])).toEqual([
      ['error', 'board failed'],
      ['warn', 'could not report a problem on command/output'],
    ]);
  });
});
