import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McuEmulator } from '@ei-gg/testbench';
import { describeOpenError } from '../src/board/open-serial-port';
import { discoverSerialPort } from '../src/board/discover-serial-port';
import { openSerialPort } from '../src/board/open-serial-port';

describe('discoverSerialPort', () => {
  function fakeDev(names: string[], byId: string[] = []): string {
    const dev = mkdtempSync(join(tmpdir(), 'ei-gg-dev-'));
    for (const name of names) writeFileSync(join(dev, name), '');
    if (byId.length) {
      mkdirSync(join(dev, 'serial/by-id'), { recursive: true });
      for (const id of byId) symlinkSync(join(dev, 'ttyS9'), join(dev, 'serial/by-id', id));
    }
    return dev;
  }

  it('prefers the lowest ttyACM, then ttyUSB, then /dev/serial/by-id', () => {
    let dev = fakeDev(['ttyUSB0', 'ttyACM10', 'ttyACM2', 'ttyACMx', 'tty0']);
    expect(discoverSerialPort(dev)).toBe(`${dev}/ttyACM2`);
    dev = fakeDev(['ttyUSB3', 'ttyUSB1', 'ttyS0']);
    expect(discoverSerialPort(dev)).toBe(`${dev}/ttyUSB1`);
    dev = fakeDev(['ttyS9'], ['usb-Arduino_Nano_33-if00']);
    expect(discoverSerialPort(dev)).toBe(`${dev}/ttyS9`);
    expect(discoverSerialPort(fakeDev(['ttyS0']))).toBeUndefined();
  });
});

describe('openSerialPort errors name the port and what to do', () => {
  it('a missing port', async () => {
    await expect(openSerialPort('/dev/ttyACM-does-not-exist', 115200)).rejects.toMatchObject({
      code: 'SERIAL_PORT_MISSING',
      message: expect.stringMatching(
        /^serial port \/dev\/ttyACM-does-not-exist does not exist: is the board plugged in\?/,
      ),
    });
  });

  it('a port locked by another process', async () => {
    const emulator = await McuEmulator.start();
    const first = await openSerialPort(emulator.devicePath, 115200);
    try {
      await expect(openSerialPort(emulator.devicePath, 115200)).rejects.toMatchObject({
        code: 'SERIAL_PORT_LOCKED',
        message: expect.stringContaining(`serial port ${emulator.devicePath} is locked by another process`),
      });
    } finally {
      await new Promise((resolve) => first.close(resolve));
      await emulator.stop();
    }
  });

  it('permission denied mentions the dialout group', () => {
    const error = describeOpenError('/dev/ttyUSB0', new Error('Error: Permission denied, cannot open /dev/ttyUSB0'));
    expect(error).toMatchObject({ code: 'SERIAL_PORT_DENIED', context: { port: '/dev/ttyUSB0' } });
    expect(error.message).toContain('dialout group');
  });
});
