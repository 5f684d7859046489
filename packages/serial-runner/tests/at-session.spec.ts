import { EmulatedFirmware, EmulatedFirmwareOptions } from '@ei-gg/testbench';
import { AtPort, AtSession, CLI_CHUNKING, SerialError } from '../src';

/** An in-memory port wired to the emulated firmware: what the session writes is the board's input. */
function boardPort(options: EmulatedFirmwareOptions = {}): {
  port: AtPort;
  firmware: EmulatedFirmware;
  writes: string[];
} {
  const listeners = new Set<(chunk: Buffer | string) => void>();
  const writes: string[] = [];
  const firmware = new EmulatedFirmware((text) => setImmediate(() => listeners.forEach((l) => l(text))), options);
  const port: AtPort = {
    write: async (data) => {
      writes.push(data);
      firmware.input(data);
    },
    on: (_event, listener) => listeners.add(listener),
    off: (_event, listener) => listeners.delete(listener),
  };
  return { port, firmware, writes };
}

describe('AtSession', () => {
  it('handshakes with commands written in CLI-sized chunks', async () => {
    const { port, writes } = boardPort();
    const session = new AtSession(port, { write: CLI_CHUNKING });
    await expect(session.handshake()).resolves.toMatchObject({
      config: { atVersion: '1.8.0' },
      info: { modelId: 424242 },
    });
    expect(writes.slice(0, 4)).toEqual(['b\r', 'AT+CO', 'NFIG?', '\r']);
    session.dispose();
  });

  it('refuses an AT version it does not understand, naming the supported ones', async () => {
    const session = new AtSession(boardPort({ atVersion: '3.1.0' }).port);
    await expect(session.handshake()).rejects.toThrow(/"3\.1\.0".*supported: 1\.x/);
    session.dispose();
  });

  it('gives SERIAL_NO_PROMPT when the board never answers', async () => {
    const silent: AtPort = { write: async () => undefined, on: () => undefined, off: () => undefined };
    const session = new AtSession(silent, { promptTimeoutMs: 50 });
    await expect(session.handshake()).rejects.toMatchObject({ code: 'SERIAL_NO_PROMPT' });
  });

  it('gives SERIAL_REBOOTED when the board reboots while answering', async () => {
    const { port, firmware } = boardPort();
    const session = new AtSession(port);
    await session.handshake();
    const pending = session.command('AT+CONFIG?');
    firmware.reboot();
    await expect(pending).rejects.toMatchObject({ code: 'SERIAL_REBOOTED' });
    session.dispose();
  });

  it('gives SERIAL_TIMEOUT with what arrived when an answer never ends', async () => {
    const { port, firmware } = boardPort();
    const session = new AtSession(port, { commandTimeoutMs: 50 });
    await session.handshake();
    await session.startImpulse(false);
    // A running impulse reads only `b`: the command is never echoed.
    const error = await session.command('AT+CONFIG?').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerialError);
    expect(error).toMatchObject({ code: 'SERIAL_TIMEOUT', message: 'AT+CONFIG?: no echo within 50 ms' });
    firmware.powerOff();
    session.dispose();
  });

  it('wraps a failing write in SERIAL_WRITE', async () => {
    const broken: AtPort = {
      write: async () => Promise.reject(new Error('EIO')),
      on: () => undefined,
      off: () => undefined,
    };
    await expect(new AtSession(broken).command('AT+INFO')).rejects.toMatchObject({ code: 'SERIAL_WRITE' });
  });
});
