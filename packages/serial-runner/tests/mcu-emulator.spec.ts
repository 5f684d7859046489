import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { AtSession, fromSerialPort, SerialResultParser } from '../src';
import type { InferenceResult } from '@ei-gg/core';
import { FIRMWARE_RESULT_BLOCKS, McuEmulator, McuEmulatorOptions } from '@ei-gg/testbench';

/** The component's side: a real SerialPort on the emulator's device path. */
async function openDevice(emulator: McuEmulator): Promise<SerialPort> {
  const port = new SerialPort({ path: emulator.devicePath, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
}

function nextEvent<T>(
  parser: SerialResultParser,
  event: 'reboot' | 'stopped' | 'result',
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (payload: unknown): void => {
      clearTimeout(timer);
      parser.off(event, listener);
      resolve(payload as T);
    };
    parser.on(event, listener);
  });
}

/** Settles as `promise` does, or rejects naming `what` after `timeoutMs`: a hang fails saying where. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('McuEmulator over a real pty pair', () => {
  let emulator: McuEmulator;
  let port: SerialPort;
  let session: AtSession;

  beforeEach(async () => {
    emulator = await McuEmulator.start({ intervalMs: 20 });
    port = await openDevice(emulator);
    session = new AtSession(fromSerialPort(port), { promptTimeoutMs: 10_000, commandTimeoutMs: 10_000 });
  });

  afterEach(async () => {
    session.dispose();
    await closePort(port);
    await emulator.stop();
  });

  it('answers the handshake with its configuration and model info', async () => {
    const device = await session.handshake();
    expect(device.config).toMatchObject({ atVersion: '1.8.0', sensor: 3, modelType: 'classification' });
    expect(device.info).toMatchObject({ modelName: 'ei-gg emulated model', modelId: 424242, deployVersion: 7 });
    expect(emulator.received).toBe('b\rAT+CONFIG?\rAT+INFO\r');
  });

  it('lists its commands on AT+HELP and rejects unknown ones', async () => {
    const help = await session.command('AT+HELP');
    expect(help.lines).toContain('AT+RUNIMPULSECONT');
    expect(await session.command('AT+NOPE')).toEqual({ lines: ['Not a valid AT command (AT+NOPE)'], rejected: true });
  });

  it('runs the impulse, every format parses, and b stops it', async () => {
    await session.handshake();
    const received: InferenceResult[] = [];
    session.parser.on('result', (r) => received.push(r));
    const settings = new Promise((resolve) => session.parser.on('settings', resolve));
    await session.startImpulse(false);
    await expect(settings).resolves.toMatchObject({ entries: { 'No. of classes': '2' } });
    // One-shot runs print `Starting inferencing` before each block, completing the one before.
    while (received.length < FIRMWARE_RESULT_BLOCKS.length) await nextEvent(session.parser, 'result');
    const stopped = nextEvent(session.parser, 'stopped');
    await session.stopImpulse();
    await stopped;
    expect(received.slice(0, FIRMWARE_RESULT_BLOCKS.length)).toEqual(FIRMWARE_RESULT_BLOCKS.map((b) => b.expected));
    expect(emulator.received.endsWith('AT+RUNIMPULSE\rb')).toBe(true);
  });

  it('runs continuously on AT+RUNIMPULSECONT', async () => {
    await session.handshake();
    await session.startImpulse(true);
    const result = await nextEvent<InferenceResult>(session.parser, 'result');
    expect(result).toEqual(FIRMWARE_RESULT_BLOCKS[0].expected);
    await session.stopImpulse();
  });

  it('reports a reboot mid-run, and a new handshake works', async () => {
    await session.handshake();
    await session.startImpulse(false);
    await nextEvent(session.parser, 'result');
    const reboot = nextEvent<{ line: string; discardedResult: boolean }>(session.parser, 'reboot');
    emulator.reboot();
    await expect(reboot).resolves.toMatchObject({ line: 'Hello from Edge Impulse Device SDK.' });
    await expect(session.handshake()).resolves.toMatchObject({ config: { atVersion: '1.8.0' } });
  });

  it('survives injected noise and replays transcripts', async () => {
    await session.handshake();
    const results: InferenceResult[] = [];
    session.parser.on('result', (r) => results.push(r));
    await emulator.injectNoise(Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x0a, 0x94, 0x25, 0x0d]));
    const done = nextEvent(session.parser, 'result');
    await emulator.replayTranscript('\n' + FIRMWARE_RESULT_BLOCKS[1].text.replace(/\n/g, '\r\n') + '> ');
    await done;
    expect(results).toEqual([FIRMWARE_RESULT_BLOCKS[1].expected]);
  });

  it('disappears (the component port closes) and reappears at the same path', async () => {
    const closed = new Promise((resolve) => port.once('close', resolve));
    port.on('error', () => undefined);
    await within(emulator.disappear(), 15_000, 'unplug');
    // Seen once in a loaded full run: no close within 15 s. The message says whether the pty had gone then.
    await within(closed, 15_000, 'close event on the component side').catch((error: Error) => {
      const link = existsSync(emulator.devicePath) ? 'still there' : 'gone';
      throw new Error(`${error.message} (the device link is ${link}; port open: ${port.isOpen})`);
    });
    await within(emulator.reappear(), 15_000, 'replug');
    session.dispose();
    port = await within(openDevice(emulator), 15_000, 'port opened again');
    session = new AtSession(fromSerialPort(port), { promptTimeoutMs: 10_000 });
    await expect(session.handshake()).resolves.toMatchObject({ info: { deployVersion: 7 } });
  });
});

describe('McuEmulator with other firmware', () => {
  async function handshakeWith(options: McuEmulatorOptions) {
    const emulator = await McuEmulator.start(options);
    const port = await openDevice(emulator);
    const session = new AtSession(fromSerialPort(port));
    try {
      return await session.handshake();
    } finally {
      session.dispose();
      await closePort(port);
      await emulator.stop();
    }
  }

  it('old firmware without AT+INFO still handshakes', async () => {
    const device = await handshakeWith({ atVersion: '1.3.0', infoSupported: false });
    expect(device).toEqual({ config: expect.objectContaining({ atVersion: '1.3.0' }) });
  });

  it('an unknown AT major version is refused', async () => {
    await expect(handshakeWith({ atVersion: '2.0.0' })).rejects.toMatchObject({ code: 'SERIAL_AT_VERSION' });
  });
});
