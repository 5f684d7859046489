import { FIRMWARE_RESULT_BLOCKS, McuEmulator, type Mosquitto } from '@ei-gg/testbench';
import { componentProcess, type ComponentFigures, type ProcessOptions } from './component-process';

/** The serial runner against the MCU emulator (a result every 100 ms), as Greengrass runs it. */
export async function serialRunnerProcess(mosquitto: Mosquitto, options: ProcessOptions): Promise<ComponentFigures> {
  const emulator = await McuEmulator.start({ blocks: [FIRMWARE_RESULT_BLOCKS[0].text], intervalMs: 100 });
  try {
    return await componentProcess(
      mosquitto,
      {
        kind: 'serial-runner',
        bin: require.resolve('@ei-gg/serial-runner/bin/ei-gg-serial-runner.js'),
        parameters: {
          serial_port: emulator.devicePath,
          iotcore_backoff: 1,
          metrics_sleeptime_ms: 0,
          lock_filename: `${emulator.devicePath}.lock`,
        },
      },
      options,
    );
  } finally {
    await emulator.stop();
  }
}
