/**
 * The aarch64 artifacts (the main target: Raspberry Pi, Jetson, gateways) on an offline device (see
 * support/offline-device.ts) that reports aarch64: the recipe runner selects the aarch64 manifest, unpacks its zip
 * and runs the recipe's steps unchanged; every aarch64 executable (the bundled Node, the processes it spawns, the
 * native modules it loads) runs under qemu-user through binfmt_misc (support/aarch64-emulation.ts). Emulated Node
 * starts slowly, so this runs only what the architecture can break, on the classic nucleus (the amd64 offline tests
 * cover each nucleus's lifecycle, the install step's group edits and recovery): serial-runner: inferences from an
 * emulated board; linux-runner: the demo model (a Node script, run by the artifact's aarch64 Node) on sample
 * images, then a clean stop; linux-service: the install step (--check-config), then run up to the packaged Edge
 * Impulse client's launch.
 */
import { COMPONENTS } from '@ei-gg/core';
import { McuEmulator, SAMPLE_IMAGES, writeSampleImages } from '@ei-gg/testbench';
import { join } from 'node:path';
import { writeDemoModelExecutable } from './support/demo-model';
import { OfflineDevice, type OfflineDeviceSetup } from './support/offline-device';

/** Emulated, a step takes several times as long as on amd64 (Node loads the bundle instruction by instruction). */
const EMULATED_WAIT_MS = 45_000;
const EMULATED_TEST_MS = 120_000;

/** The component's aarch64 artifact installed by the recipe runner as an aarch64 device's nucleus would. */
async function startDevice(
  component: keyof typeof COMPONENTS,
  setup: Omit<OfflineDeviceSetup, 'architecture'>,
): Promise<OfflineDevice> {
  const device = await OfflineDevice.start(COMPONENTS[component].componentName, { ...setup, architecture: 'aarch64' });
  expect(device.runner.unarchivedPath()).toMatch(/-aarch64$/);
  return device;
}

describe('serial-runner, aarch64', () => {
  let mcu: McuEmulator | undefined;
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await startDevice('serial-runner', {
      configuration: async (scratch) => {
        mcu = await McuEmulator.start({ directory: scratch, intervalMs: 100 });
        return {
          Parameters: { device_name: 'offline', serial_port: mcu.devicePath, lock_filename: join(scratch, 'lock') },
        };
      },
    });
  });

  afterAll(async () => {
    await device?.close();
    await mcu?.stop();
  });

  it('its Node is the aarch64 build and runs, emulated, where the steps run', async () => {
    const probe = await device.runner.exec(`'${device.node}' -p "process.arch + ' ' + require('node:os').machine()"`);
    expect(probe).toEqual({ exit: { code: 0, signal: null }, output: 'arm64 aarch64\n' });
  });

  it(
    'run drives the emulated board over its serial port (native serialport binding) and publishes inferences through IPC',
    async () => {
      const { endpoint } = device.runner;
      await device.run(async () => {
        await endpoint.waitForState('RUNNING', EMULATED_WAIT_MS);
        const inference = await endpoint.waitForPublish(device.topics('offline').inferenceOutput, EMULATED_WAIT_MS);
        expect(JSON.parse(inference.payload.toString())).toMatchObject({ total_inferences: expect.any(Number) });
      });
      expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
    },
    EMULATED_TEST_MS,
  );
});

describe('linux-runner, aarch64', () => {
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await startDevice('linux-runner', {
      configuration: async (scratch) => {
        const images = join(scratch, 'images');
        await writeSampleImages(images);
        return {
          Parameters: {
            device_name: 'offline',
            ei_local_model_file: join(scratch, 'demo-model.eim'),
            iotcore_backoff: 0, // publish every result
            input: `images:${images}`,
            lock_filename: join(scratch, 'lock'),
            ei_shutdown_behavior: 'wait_for_restart', // stay up after the last image, until stopped
          },
        };
      },
    });
    writeDemoModelExecutable(join(device.scratch, 'demo-model.eim'), device.node);
  });

  afterAll(() => device?.close());

  it(
    'run decodes every image (native sharp), classifies it with the demo model (shared memory through native koffi), publishes each result, then stops cleanly',
    async () => {
      const { endpoint } = device.runner;
      const topic = device.topics('offline').inferenceOutput;
      const inferences = () =>
        endpoint.published
          .filter((m) => m.topic === topic)
          .map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
      await device.run(async () => {
        await endpoint.waitForState('RUNNING', EMULATED_WAIT_MS);
        await endpoint.waitForPublish(() => inferences().length === SAMPLE_IMAGES.length, EMULATED_WAIT_MS);
        expect(inferences().map((p) => p.c)).toEqual(SAMPLE_IMAGES.map((image) => image.scores));
      });
      expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
    },
    EMULATED_TEST_MS,
  );
});

describe('linux-service, aarch64', () => {
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await startDevice('linux-service', {
      configuration: (scratch) => ({
        Parameters: {
          device_name: 'offline',
          gst_args: 'videotestsrc:!:jpegenc',
          eiparams: '--disable-microphone',
          lock_filename: join(scratch, 'lock'),
        },
      }),
      secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: 'ei_offline0key0123456789abcdef' }) },
    });
  });

  afterAll(() => device?.close());

  it(
    'install checks the configuration (--check-config)',
    async () => {
      expect((await device.install(' (aarch64, emulated)')).output).toContain(
        `${COMPONENTS['linux-service'].componentName}: configuration valid`,
      );
    },
    EMULATED_TEST_MS,
  );

  it(
    'run reads the API key through IPC and launches the packaged Edge Impulse client, whose own banner shows it ran',
    async () => {
      const { endpoint } = device.runner;
      const topic = device.topics('offline').commandOutput;
      await device.run(async () => {
        await endpoint.waitForState('RUNNING', EMULATED_WAIT_MS);
        // Offline the client exits once it fails to reach Studio; the component reports it with the client's output.
        const exited = await endpoint.waitForPublish(
          (m) => m.topic === topic && m.payload.toString().includes('"status":"exited"'),
          EMULATED_WAIT_MS,
        );
        const { result } = JSON.parse(exited.payload.toString()) as { result: { output: string[] } };
        expect(result.output).toEqual(
          expect.arrayContaining([expect.stringMatching(/^Edge Impulse Linux client v\d+\.\d+\.\d+$/)]),
        );
      });
      expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
    },
    EMULATED_TEST_MS,
  );
});
