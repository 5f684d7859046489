/**
 * The board pipeline in-process against the MCU emulator on a socat pty, hosted by the real CLI front and
 * ComponentHost with the stdout transport writing into the test. Only the inference step is made to fail, once.
 */
import { PassThrough, Writable } from 'node:stream';
import {
  ComponentHost,
  Logger,
  StdoutTransport,
  runComponentCli,
  runnerFeatures,
  type InferenceResult,
} from '@ei-gg/core';
import { FIRMWARE_RESULT_BLOCKS, McuEmulator, waitFor } from '@ei-gg/testbench';
import { SerialBoardPipeline } from '../src';
import { ResultRelay } from '../src/board/result-relay';

let emulator: McuEmulator | undefined;

afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

it('a result whose publish fails is logged and counted; the results after it are published and stop() resolves', async () => {
  emulator = await McuEmulator.start({ blocks: [FIRMWARE_RESULT_BLOCKS[0].text], intervalMs: 150 });
  const devicePath = emulator.devicePath;
  let published = '';
  const output = new Writable({
    write: (chunk: Buffer, _encoding, done) => ((published += chunk.toString()), done()),
  });
  const logs: string[] = [];
  const inferenceOutputs = () =>
    published
      .split('\n')
      .filter((line) => line.includes('"topic":"/edgeimpulse/device/') && line.includes('/inference/output"'));

  let pipeline!: SerialBoardPipeline;
  let processed = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let announce!: () => void;
  const started = new Promise<void>((resolve) => (announce = resolve));
  const exit = runComponentCli(
    'serial-runner',
    [
      '--transport',
      'stdout',
      ...['device_name=sr-relay', `serial_port=${devicePath}`, 'iotcore_backoff=1', 'metrics_sleeptime_ms=0']
        .concat(`lock_filename=${devicePath}.lock`)
        .flatMap((setting) => ['--set', setting]),
    ],
    async (context) => {
      const host = await ComponentHost.create(
        {
          context,
          transport: new StdoutTransport({
            commandTopic: context.topics.commandInput,
            logger: context.logger,
            output,
            input: new PassThrough(),
          }),
        },
        {
          features: runnerFeatures,
          createPipeline: (services) => {
            // The second result fails where a publish would: inside the shared inference relay.
            const process = services.inference.process.bind(services.inference);
            services.inference.process = async (result, image, request) => {
              if (++processed === 2) throw new Error('publish refused by the test');
              return process(result, image, request);
            };
            pipeline = new SerialBoardPipeline(services);
            return pipeline;
          },
        },
      );
      await host.start();
      announce();
      await released;
      await host.stop(2000);
      return 0;
    },
    { stdout: { write: () => true }, stderr: { write: (line: string) => logs.push(line) }, env: { ...process.env } },
  );
  await Promise.race([started, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${logs.join('')}`)))]);

  // One result before the failure, and results after it: the failed one did not stop the relay.
  await waitFor(() => processed >= 5 && inferenceOutputs().length >= 4, 20_000, 'four results published');
  const failures = logs.filter((line) => line.includes('"msg":"result relay failed"'));
  expect(failures).toHaveLength(1);
  expect(JSON.parse(failures[0])).toMatchObject({
    level: 'error',
    part: 'board',
    fault: 'result relay',
    err: { message: 'publish refused by the test' },
  });

  await expect(pipeline.stop()).resolves.toBeUndefined();
  release();
  expect(await exit).toBe(0);
  expect(logs.join('')).not.toContain('did not stop cleanly');
});

it('bounds the results waiting while one is processed: the oldest waiting are dropped and reported, order kept', async () => {
  const logs: string[] = [];
  const processed: number[] = [];
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const dropped: number[] = [];
  const relay = new ResultRelay(
    async (result) => {
      if (processed.push(result.timing.dspMs) === 1) await blocked; // the publisher is full: the broker is away
    },
    new Logger({ sink: { write: (line: string) => logs.push(line) } }),
    { maxWaiting: 3, onDropped: (limit) => dropped.push(limit) },
  );
  const result = (n: number): InferenceResult => ({ timing: { dspMs: n, classificationMs: 0, anomalyMs: 0 } });
  for (let n = 1; n <= 7; n++) relay.push(result(n));
  expect(dropped).toEqual([3, 3, 3]);

  release();
  await relay.drained();
  expect(processed).toEqual([1, 5, 6, 7]);
  relay.push(result(8));
  await relay.drained();
  expect(processed).toEqual([1, 5, 6, 7, 8]);
  relay.close();
  expect(logs).toEqual([]);
});
