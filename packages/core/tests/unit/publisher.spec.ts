import { PassThrough } from 'node:stream';
import { Logger } from '../../src/logging/logger';
import { dropImageToFit } from '../../src/publisher/drop-image-to-fit';
import { Publisher } from '../../src/publisher/publisher';
import { StdoutTransport } from '../../src/transport/stdout-transport';

/** The publisher over a real transport: the stdout one, writing JSON lines into a stream the test reads. */
function setup(
  options: { maxInFlight?: number; maxQueued?: number; maxPayloadBytes?: number; highWaterMark?: number } = {},
) {
  const output = new PassThrough({ highWaterMark: options.highWaterMark ?? 16 * 1024 });
  const logs: Array<Record<string, unknown>> = [];
  const logger = new Logger({ sink: { write: (l: string) => logs.push(JSON.parse(l)) } });
  const transport = new StdoutTransport({ commandTopic: 'cmd', logger, output, input: new PassThrough() });
  const publisher = new Publisher({
    transport,
    logger,
    qos: () => 1,
    maxInFlight: options.maxInFlight,
    maxQueued: options.maxQueued,
    maxPayloadBytes: options.maxPayloadBytes,
  });
  const lines = () =>
    (output.read()?.toString() ?? '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l: string) => JSON.parse(l));
  return { transport, publisher, lines, logs, output };
}

describe('Publisher', () => {
  it('publishes in call order and counts', async () => {
    const { transport, publisher, lines } = setup();
    await transport.connect();
    const results = await Promise.all([1, 2, 3].map((i) => publisher.publish('t', { i })));
    expect(results).toEqual(['published', 'published', 'published']);
    expect(lines().map((l: { payload: { i: number } }) => l.payload.i)).toEqual([1, 2, 3]);
    expect(publisher.counters).toEqual({ published: 3, failed: 0, oversized: 0, dropped: 0 });
    await transport.close();
  });

  it('drops the image of a message over the size limit and publishes the rest, saying so', async () => {
    const { transport, publisher, lines, logs } = setup({ maxPayloadBytes: 1000 });
    await transport.connect();
    expect(await publisher.publish('t', { c: { a: 1 }, image: 'x'.repeat(2000) }, { fit: dropImageToFit })).toBe(
      'published',
    );
    const [line] = lines();
    expect(line.payload).toEqual({
      c: { a: 1 },
      image_omitted: 'image of 2000 base64 characters would exceed the 1000-byte message limit',
    });
    expect(logs.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'message too large; published a reduced version',
      bytes: 2024,
      limit: 1000,
    });
    await transport.close();
  });

  it('reports a message it cannot shrink, never publishing it silently truncated', async () => {
    const { transport, publisher, lines, logs } = setup({ maxPayloadBytes: 100 });
    await transport.connect();
    expect(await publisher.publish('t', { c: 'y'.repeat(200) }, { fit: dropImageToFit })).toBe('oversized');
    expect(lines()).toEqual([]);
    expect(publisher.counters).toEqual({ published: 0, failed: 0, oversized: 1, dropped: 0 });
    expect(logs.at(-1)).toMatchObject({ level: 'error', msg: 'message too large for IoT Core; not published' });
    await transport.close();
  });

  it('counts a failed publish and logs it', async () => {
    const { transport, publisher, logs } = setup();
    // Not connected: the transport refuses.
    await transport.close();
    expect(await publisher.publish('t', { a: 1 })).toBe('failed');
    expect(publisher.counters.failed).toBe(1);
    expect(logs.at(-1)).toMatchObject({ level: 'error', msg: 'publish failed', topic: 't' });
  });

  it('logs an outage once, not once per message, and counts every failure', async () => {
    const { transport, publisher, logs } = setup();
    await transport.close();
    for (let i = 0; i < 100; i++) expect(await publisher.publish('t', { i })).toBe('failed');
    expect(publisher.counters.failed).toBe(100);
    expect(logs.filter((l) => String(l.msg).startsWith('publish'))).toHaveLength(1);
  });

  it('applies back-pressure: whenWritable waits while maxInFlight publishes are pending', async () => {
    const { transport, publisher, output } = setup({ maxInFlight: 2, highWaterMark: 1 });
    await transport.connect();
    void publisher.publish('t', { i: 1 });
    void publisher.publish('t', { i: 2 });
    let writable = false;
    const waiting = publisher.whenWritable().then(() => (writable = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.pending).toBe(2);
    expect(writable).toBe(false);
    output.resume(); // the consumer reads: writes drain, publishes settle
    await waiting;
    expect(writable).toBe(true);
    expect(await publisher.flush(1000)).toBe(true);
    await transport.close();
  });

  it('queues what does not wait beyond maxInFlight, bounded: the oldest queued are dropped, counted, logged once', async () => {
    const { transport, publisher, output, logs } = setup({ maxInFlight: 2, maxQueued: 3, highWaterMark: 1 });
    await transport.connect();
    // The stream is not read: the first publishes stay in flight, like QoS 1 publishes while the broker is away.
    const outcomes = [1, 2, 3, 4, 5, 6, 7].map((i) => publisher.publish('t', { i }));
    expect(publisher.pending).toBe(5);
    let writable = false;
    const waiting = publisher.whenWritable().then(() => (writable = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writable).toBe(false);
    expect(publisher.counters.dropped).toBe(2);
    const dropLines = logs.filter((l) => l.fault === 'publish while the broker is away');
    expect(dropLines).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'publish while the broker is away failed',
        topic: 't',
        err: expect.objectContaining({
          message: 'the broker is away and 3 messages wait for it: the oldest are dropped first',
        }),
      }),
    ]);

    let written = '';
    output.on('data', (chunk: Buffer) => (written += chunk.toString())); // the consumer reads: publishes settle
    expect(await Promise.all(outcomes)).toEqual([
      'published',
      'published',
      'dropped',
      'dropped',
      'published',
      'published',
      'published',
    ]);
    await waiting;
    expect(await publisher.flush(1000)).toBe(true);
    expect(publisher.pending).toBe(0);
    const order = written
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { payload: { i: number } }).payload.i);
    expect(order).toEqual([1, 2, 5, 6, 7]);
    expect(publisher.counters).toEqual({ published: 5, failed: 0, oversized: 0, dropped: 2 });
    await transport.close();
  });

  it('counts what a producer that cannot wait dropped, logging the fault once for any number', () => {
    const { publisher, logs } = setup();
    for (let i = 0; i < 50; i++) publisher.recordDropped('board', '1000 board results wait');
    expect(publisher.counters.dropped).toBe(50);
    expect(logs.filter((l) => l.fault === 'publish while the broker is away')).toHaveLength(1);
  });
});
