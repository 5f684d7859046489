import { PassThrough } from 'stream';
import { TransportError } from '../../src/errors';
import { Logger } from '../../src/logging/logger';
import { StdoutTransport } from '../../src/transport/stdout-transport';
import type { IncomingMessage } from '../../src/transport/transport';

const COMMAND_TOPIC = 'ei/dev-1/commands/input';

function setUp(outputHighWaterMark?: number) {
  const output = new PassThrough(outputHighWaterMark === undefined ? {} : { highWaterMark: outputHighWaterMark });
  const input = new PassThrough();
  const logLines: string[] = [];
  const logger = new Logger({ level: 'debug', sink: { write: (line: string) => logLines.push(line) } });
  const transport = new StdoutTransport({ commandTopic: COMMAND_TOPIC, logger, output, input });
  return { output, input, transport, logLines };
}

function readLines(output: PassThrough): unknown[] {
  const text = (output.read() as Buffer | null)?.toString() ?? '';
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('StdoutTransport', () => {
  it('writes one JSON line per publish, with JSON payloads embedded and others as strings', async () => {
    const { output, transport } = setUp();
    await transport.connect();
    expect(transport.state).toBe('connected');

    await transport.publish('ei/dev-1/inference', Buffer.from('{"result":{"cat":0.9}}'), { qos: 1 });
    await transport.publish('ei/dev-1/status', 'not json', { qos: 0 });

    expect(readLines(output)).toEqual([
      { topic: 'ei/dev-1/inference', payload: { result: { cat: 0.9 } } },
      { topic: 'ei/dev-1/status', payload: 'not json' },
    ]);
    await transport.close();
  });

  it('delivers each non-empty input line on the command topic to matching subscribers', async () => {
    const { input, transport } = setUp();
    await transport.connect();
    const exact: IncomingMessage[] = [];
    const wildcard: IncomingMessage[] = [];
    const other: IncomingMessage[] = [];
    await transport.subscribe(COMMAND_TOPIC, 1, (m) => exact.push(m));
    await transport.subscribe('ei/+/commands/#', 1, (m) => wildcard.push(m));
    await transport.subscribe('ei/other/commands/input', 1, (m) => other.push(m));

    input.write('{"command":"status"}\n\n   \r\n');
    input.write('{"command":"restart"}\r\n');
    await new Promise(setImmediate);

    expect(exact.map((m) => [m.topic, m.payload.toString(), m.retain])).toEqual([
      [COMMAND_TOPIC, '{"command":"status"}', false],
      [COMMAND_TOPIC, '{"command":"restart"}', false],
    ]);
    expect(wildcard).toHaveLength(2);
    expect(other).toHaveLength(0);
    await transport.close();
  });

  it('stops delivering to an unsubscribed handler', async () => {
    const { input, transport } = setUp();
    await transport.connect();
    const received: string[] = [];
    const unsubscribe = await transport.subscribe(COMMAND_TOPIC, 1, (m) => received.push(m.payload.toString()));
    input.write('one\n');
    await new Promise(setImmediate);
    await unsubscribe();
    input.write('two\n');
    await new Promise(setImmediate);
    expect(received).toEqual(['one']);
    await transport.close();
  });

  it('keeps publishing after the input ends', async () => {
    const { input, output, transport } = setUp();
    await transport.connect();
    input.end();
    await new Promise(setImmediate);
    expect(transport.state).toBe('connected');
    await transport.publish('t', '1', { qos: 0 });
    expect(readLines(output)).toEqual([{ topic: 't', payload: 1 }]);
    await transport.close();
  });

  it('waits for drain when the output signals back-pressure, and keeps the order', async () => {
    const { output, transport } = setUp(16);
    await transport.connect();
    let firstDone = false;
    let secondDone = false;
    const first = transport.publish('a/long/enough/topic', 'x', { qos: 0 }).then(() => (firstDone = true));
    const second = transport.publish('b', 'y', { qos: 0 }).then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 20));
    // The first line exceeded the high-water mark: nothing completes, and the second line waits unwritten.
    expect([firstDone, secondDone]).toEqual([false, false]);
    expect(output.writableLength).toBe(JSON.stringify({ topic: 'a/long/enough/topic', payload: 'x' }).length + 1);

    const received: unknown[] = [];
    output.on('data', (chunk: Buffer) =>
      received.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ),
    );
    await Promise.all([first, second]);
    await new Promise(setImmediate);
    expect(received).toEqual([
      { topic: 'a/long/enough/topic', payload: 'x' },
      { topic: 'b', payload: 'y' },
    ]);
    await transport.close();
  });

  it('rejects publishes after close with a TransportError and reports the closed state', async () => {
    const { transport } = setUp();
    const states: string[] = [];
    transport.onStateChange((s) => states.push(s));
    await transport.connect();
    await transport.close();
    expect(states).toEqual(['connected', 'closed']);
    await expect(transport.publish('t', 'x', { qos: 0 })).rejects.toBeInstanceOf(TransportError);
  });

  it('turns a failing output into a TransportError naming the topic', async () => {
    const { output, transport } = setUp(1);
    await transport.connect();
    const publishing = transport.publish('ei/dev-1/inference', 'x', { qos: 1 });
    output.destroy(new Error('EPIPE'));
    await expect(publishing).rejects.toThrow(/ei\/dev-1\/inference/);
  });

  it('logs a throwing handler instead of failing', async () => {
    const { input, transport, logLines } = setUp();
    await transport.connect();
    await transport.subscribe(COMMAND_TOPIC, 1, () => {
      throw new Error('handler bug');
    });
    input.write('x\n');
    await new Promise(setImmediate);
    expect(logLines.join('')).toMatch(/message handler threw.*handler bug/);
    await transport.close();
  });
});
