/**
 * Runs the MCU emulator by hand, e.g. to try ei-gg-serial-runner without a board:
 *
 *   npx nx build testbench
 *   node packages/testbench/dist/mcu/run-emulator.js [--at-version 1.8.0] [--interval-ms 2000] [--no-info]
 *        [--line-ending crlf|lf|cr] [--transcript FILE] [--dir DIR]
 *
 * It prints the device path to give the component (`--set serial_port=<path>`), then reads commands on stdin:
 * `reboot`, `unplug`, `replug`, `noise`, `quit` (or Ctrl+C). `--transcript FILE` replays FILE once a component
 * opens the port and writes to it.
 */
import * as fs from 'fs';
import * as readline from 'readline';
import { parseArgs } from 'util';
import { McuEmulator } from './mcu-emulator';

const LINE_ENDINGS: Record<string, string> = { crlf: '\r\n', lf: '\n', cr: '\r' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'at-version': { type: 'string' },
      'interval-ms': { type: 'string' },
      'no-info': { type: 'boolean' },
      'line-ending': { type: 'string' },
      transcript: { type: 'string' },
      dir: { type: 'string' },
    },
  });
  const emulator = await McuEmulator.start({
    ...(values['at-version'] ? { atVersion: values['at-version'] } : {}),
    intervalMs: values['interval-ms'] ? Number(values['interval-ms']) : 2000,
    infoSupported: !values['no-info'],
    lineEnding: LINE_ENDINGS[values['line-ending'] ?? 'crlf'],
    ...(values.dir ? { directory: values.dir } : {}),
  });
  process.stdout.write(`${emulator.devicePath}\n`);
  if (values.transcript) {
    const transcript = fs.readFileSync(values.transcript);
    void emulator.waitForReceived('\r', 24 * 3600 * 1000).then(() => emulator.replayTranscript(transcript));
  }

  const input = readline.createInterface({ input: process.stdin });
  const quit = async (): Promise<void> => {
    input.close();
    await emulator.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void quit());
  process.once('SIGTERM', () => void quit());
  const commands: Record<string, () => unknown> = {
    reboot: () => emulator.reboot(),
    unplug: () => emulator.disappear(),
    replug: () => emulator.reappear(),
    noise: () => emulator.injectNoise(Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x94, 0x0a])),
    quit,
  };
  input.on('line', (line) => {
    const command = commands[line.trim()];
    if (command) void Promise.resolve(command()).catch((error) => process.stderr.write(`${String(error)}\n`));
    else process.stderr.write(`commands: ${Object.keys(commands).join(', ')}\n`);
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
