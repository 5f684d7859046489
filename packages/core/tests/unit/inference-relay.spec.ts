import { PassThrough } from 'node:stream';
import { Backoff } from '../../src/backoff';
import { deviceTopics } from '../../src/identity/topics';
import { Logger } from '../../src/logging/logger';
import { MetricsAccumulator } from '../../src/metrics/metrics-accumulator';
import { Publisher } from '../../src/publisher/publisher';
import { InferenceRelay, type InferenceOutput } from '../../src/relay/inference-relay';
import type { InferenceResult } from '../../src/results/inference-result';
import { ThresholdFilter } from '../../src/threshold-filter';
import { StdoutTransport } from '../../src/transport/stdout-transport';

const RESULT: InferenceResult = {
  classification: { ok: 0.9 },
  timing: { dspMs: 1, classificationMs: 2, anomalyMs: 0 },
};

/** The relay over a real publisher and the stdout transport; the output's caching step waits for the test. */
async function setup() {
  const logger = new Logger({ sink: { write: () => true } });
  const transport = new StdoutTransport({
    commandTopic: 'cmd',
    logger,
    output: new PassThrough(),
    input: new PassThrough(),
  });
  await transport.connect();
  const cached: string[] = [];
  let finishCaching!: () => void;
  const caching = new Promise<void>((resolve) => (finishCaching = resolve));
  const output: InferenceOutput = {
    wantsImage: () => false,
    publishImage: () => false,
    s3Fields: () => 'unset',
    published: async (payload) => {
      await caching;
      cached.push(payload.id);
    },
  };
  const relay = new InferenceRelay({
    publisher: new Publisher({ transport, logger, qos: () => 1 }),
    topics: deviceTopics('relay-test'),
    filter: new ThresholdFilter({ enabled: false, threshold: 0.5, criteria: 'ge' }),
    metrics: new MetricsAccumulator(),
    backoff: new Backoff(1),
    output,
  });
  return { relay, cached, finishCaching, transport };
}

describe('InferenceRelay.drain', () => {
  it('waits until every result handed over is published and cached', async () => {
    const { relay, cached, finishCaching, transport } = await setup();
    expect(await relay.process(RESULT)).toBe('queued');
    expect(await relay.process(RESULT)).toBe('queued');
    const drained = relay.drain(30_000);
    let done = false;
    void drained.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // the caching step has not finished
    finishCaching();
    expect(await drained).toBe(true);
    expect(cached).toHaveLength(2);
    await transport.close();
  });

  it('answers false at the deadline when the caching step does not finish', async () => {
    const { relay, cached, finishCaching, transport } = await setup();
    await relay.process(RESULT);
    expect(await relay.drain(50)).toBe(false);
    expect(cached).toHaveLength(0);
    finishCaching();
    expect(await relay.drain(30_000)).toBe(true);
    await transport.close();
  });
});
